package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GraphBatchTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void unionKeepsEachGraphsEdgesAndFeatureRows(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        List<GraphSample> s = ImplicitTrainingTest.samples(ImplicitTrainingTest.Kind.REGRESSION, 5, r);
        GraphBatch b = GraphBatch.of(s);
        int edges = 0;
        for (int q = 0; q < s.size(); q++) {
            Graph g = s.get(q).graph();
            edges += g.edgeCount();
            int f = b.first()[q];
            for (int i = 0; i < g.n(); i++) {
                assertThat(b.graphOf()[f + i]).isEqualTo(q);
                for (int c = 0; c < 3; c++) assertThat(b.x().get(f + i, c)).isEqualTo(s.get(q).x().get(i, c));
                for (int j = 0; j < g.n(); j++) {
                    assertThat(b.graph().hasEdge(f + i, f + j)).isEqualTo(g.hasEdge(i, j));
                    int p = g.edgeIndex(i, j);
                    if (p >= 0)
                        for (int c = 0; c < 2; c++) assertThat(b.edges().get(b.graph().edgeIndex(f + i, f + j), c)).isEqualTo(s.get(q).edges().get(p, c));
                }
            }
        }
        assertThat(b.graph().edgeCount()).as("no edge between graphs").isEqualTo(edges);
    }

    /** Hand-written loss gradients against central differences. */
    @ParameterizedTest
    @EnumSource(ImplicitTrainingTest.Kind.class)
    void objectiveGradientsMatchFiniteDifferences(ImplicitTrainingTest.Kind k) {
        UniformRandomProvider r = Init.rng(k.ordinal() + 1);
        GraphBatch b = GraphBatch.of(ImplicitTrainingTest.samples(k, 3, r));
        Objective o = ImplicitTrainingTest.objective(k);
        int rows = o.graphLevel() ? b.graphs() : b.n();
        Tensor out = Init.normal(r, 0, 1, rows, o.outputWidth()), g = Tensor.zeros(out.shape()), scratch = Tensor.zeros(out.shape());
        o.loss(b, out, g);
        double num = 0, den = 0;
        for (int i = 0; i < out.size(); i++) {
            double keep = out.data()[i];
            out.data()[i] = keep + 1e-6;
            double plus = o.loss(b, out, scratch);
            out.data()[i] = keep - 1e-6;
            double minus = o.loss(b, out, scratch);
            out.data()[i] = keep;
            double fd = (plus - minus) / 2e-6;
            num += (fd - g.data()[i]) * (fd - g.data()[i]);
            den += fd * fd;
        }
        assertThat(den).isGreaterThan(0);
        assertThat(Math.sqrt(num / den)).isLessThan(1e-6);
    }
}
