package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every model, written once, gives the same outputs and parameter gradients (≤ 1e-12) on the
 * per-node engine (one host per node, messages over links) as on the synchronous one.
 */
class ModelEnginesTest {
    static LongStream seeds() { return LongStream.range(0, 6); }

    record Out(Tensor y, Params grads) {}

    /** Runs {@code f(tape, local x)} and the gradient of Σ y² on every host; assembles global tensors. */
    static Out run(Engine e, Tensor x, BiFunction<Tape, Var, Var> f) {
        List<Out> parts = e.run(h -> {
            Tape t = h.tape();
            Var y = f.apply(t, t.constant(h.rows(x)));
            t.backward(t.sumRows(t.square(y)));
            return new Out(y.value().copy(), t.paramGrads());
        });
        Params g = e.params().emptyLike();
        for (String n : parts.getFirst().grads().names()) g.add(n, e.gather(parts.stream().map(o -> o.grads().get(n)).toList()));
        return new Out(e.gather(parts.stream().map(Out::y).toList()), g);
    }

    static void assertSame(Graph g, Params tied, Tensor x, BiFunction<Tape, Var, Var> f, UniformRandomProvider r) {
        Params per = tied.perNode(g.n());
        for (Tensor t : per.asMap().values()) for (int i = 0; i < t.size(); i++) t.data()[i] += 0.05 * (r.nextDouble() - 0.5);
        Out sync = run(Engine.synchronous(g, per.copy()), x, f);
        Out dist = run(Engine.perNode(g, per.copy()), x, f);
        assertThat(sync.y().maxAbs()).isGreaterThan(0);
        assertThat(dist.y().maxAbsDiff(sync.y())).isLessThanOrEqualTo(1e-12 * Math.max(1, sync.y().maxAbs()));
        for (String n : sync.grads().names())
            assertThat(dist.grads().get(n).maxAbsDiff(sync.grads().get(n))).as(n).isLessThanOrEqualTo(1e-12 * Math.max(1, sync.grads().get(n).maxAbs()));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void allModelsMatchAcrossEngines(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = io.mycelium.TestGraphs.connected(5 + r.nextInt(10), 0.2, seed);
        Tensor x = Init.normal(r, 0, 1, g.n(), 3);
        Gcn gcn = Gcn.layers(3, 5, 4, 2);
        Gat gat = new Gat(3, 5, 3, 2, new int[] {4, 4}, 2);
        Ignn ignn = Ignn.of(3, 2, 1);
        GsdGnn gsd = GsdGnn.paper(3, 1);
        Tensor h = Init.normal(r, 0, 1, g.n(), 2);
        for (Trainable m : List.<Trainable>of(gcn, gat, ignn, gsd)) {
            Params p = new Params();
            m.init(p, r);
            if (m instanceof Model mm) {
                assertSame(g, p, x, mm::forward, r);
            } else {
                ImplicitModel im = (ImplicitModel) m;
                // three steps from a fixed h, then the readout
                assertSame(g, p, x, (t, xv) -> {
                    Var s = t.constant(h.rows() == t.partition().size() ? h : t.partition().rows(h));
                    for (int it = 0; it < 3; it++) s = im.step(t, s, GraphInput.of(xv));
                    return im.readout(t, s, GraphInput.of(xv));
                }, r);
            }
        }
    }
}
