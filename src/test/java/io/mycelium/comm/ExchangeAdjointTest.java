package io.mycelium.comm;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** ⟨exchange(x), y⟩ = ⟨x, exchangeᵀ(y)⟩, with the transpose computed by the backward round, on every engine. */
class ExchangeAdjointTest {

    static LongStream seeds() { return LongStream.range(0, 16); }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
        return s;
    }

    /** Returns {⟨op(x), y⟩, ⟨x, opᵀ(y)⟩} on the given engine. */
    static double[] sides(Engine e, Tensor x, Tensor y, boolean edgeOutput, BiFunction<Tape, Var, Var> op) {
        List<double[]> parts = e.run(h -> {
            Tape t = h.tape();
            Var xv = t.variable(h.rows(x));
            Var out = op.apply(t, xv);
            Tensor yl = edgeOutput ? h.edgeRows(y) : h.rows(y);
            t.vjp(out, yl);
            return new double[] {dot(out.value(), yl), dot(xv.value(), xv.grad())};
        });
        double a = 0, b = 0;
        for (double[] p : parts) { a += p[0]; b += p[1]; }
        return new double[] {a, b};
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void exchangeAndNeighboursAreAdjointOnEveryEngine(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int n = 3 + r.nextInt(25), w = 1 + r.nextInt(4);
        Graph g = TestGraphs.connected(n, 0.1 + 0.3 * r.nextDouble(), seed);
        Tensor x = TestGraphs.randn(r, n, w), y = TestGraphs.randn(r, n, w), ye = TestGraphs.randn(r, g.directedEdgeCount(), w);
        Operator sym = ShiftOperator.NORMALIZED_LAPLACIAN.of(g), asym = TestGraphs.asymmetric(g, seed);
        List<Engine> engines = List.of(Engine.synchronous(g, new Params()), Engine.perNode(g, new Params()),
                Engine.partitioned(g, TestGraphs.randomParts(n, 2, seed), new Params()));
        for (Engine e : engines) {
            for (Operator op : List.of(sym, asym)) {
                double[] s = sides(e, x, y, false, (t, v) -> t.exchange(v, op));
                assertThat(s[1]).isCloseTo(s[0], org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(s[0]))));
                assertThat(Math.abs(s[0])).isGreaterThan(0);
            }
            double[] s = sides(e, x, ye, true, Tape::neighbours);
            assertThat(s[1]).isCloseTo(s[0], org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(s[0]))));
        }
    }
}
