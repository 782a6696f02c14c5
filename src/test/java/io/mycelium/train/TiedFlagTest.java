package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tied or per-node is a flag of {@link Params}, not its number of copies (review P1-5): per-node
 * parameters of a one-node graph have one copy and are still per node, so the D-* schemes run there.
 */
class TiedFlagTest {
    @Test
    void theFlagSurvivesEveryDerivedParams() {
        UniformRandomProvider r = Init.rng(1);
        Params tied = new Params().add("w", Init.normal(r, 0, 1, 1, 3));
        Params one = tied.perNode(1);
        assertThat(tied.isTied()).isTrue();
        assertThat(one.isTied()).isFalse();
        assertThat(one.copies()).isEqualTo(1);
        for (Params p : new Params[] {one.copy(), one.zerosLike(), one.emptyLike()}) assertThat(p.isTied()).isFalse();
        assertThat(one.mean().isTied()).isTrue();
        Graph g = Graph.fromEdges(1, new int[0], new int[0]);
        Tape t = Engine.synchronous(g, one).hosts().getFirst().tape();
        t.backward(t.param("w"));
        assertThat(t.paramGrads().isTied()).isFalse();
        assertThatThrownBy(() -> new Params().add("w", Tensor.zeros(3, 2))).hasMessageContaining("Params.untied()");
        assertThat(Params.untied().add("w", Tensor.zeros(3, 2)).copies()).isEqualTo(3);
    }

    /** With one node the Metropolis–Hastings weight is W_11 = 1, so D-SGD's step θ ← W θ − α∇ is SGD's step θ ← θ − α∇. */
    @Test
    void dSgdOnOneNodeIsSgd() {
        Graph g = Graph.fromEdges(1, new int[0], new int[0]);
        Operator s = ShiftOperator.NORMALIZED_LAPLACIAN.of(g), w = ShiftOperator.metropolisHastings(g);
        Gcnn model = new Gcnn(s, new int[] {3, 4, 1}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Gcnn.UNIFORM01);
        UniformRandomProvider r = Init.rng(7);
        Params init = model.init(r);
        Dataset data = new Dataset(Init.normal(r, 0, 1, 1, 6, 3), Init.uniform(r, 0, 1, 1, 6));
        Trainer sgd = new Trainer(Engine.synchronous(g, init.copy()), model, Scheme.SGD, 0.1, w, 1);
        Trainer dsgd = new Trainer(Engine.synchronous(g, init.perNode(1)), model, Scheme.D_SGD, 0.1, w, 1);
        assertThatThrownBy(() -> new Trainer(Engine.synchronous(g, init.perNode(1)), model, Scheme.SGD, 0.1, w, 1))
                .hasMessageContaining("needs tied parameters");
        for (int[] batch : new int[][] {{0, 1, 2}, {3, 4, 5}}) {
            sgd.perSample(data, batch);
            dsgd.perSample(data, batch);
        }
        Params a = sgd.engine().params(), b = dsgd.engine().params();
        assertThat(a.maxAbsDiff(init)).isGreaterThan(1e-4);
        assertThat(b.isTied()).isFalse();
        assertThat(b.mean().maxAbsDiff(a)).isLessThan(1e-12);
    }
}
