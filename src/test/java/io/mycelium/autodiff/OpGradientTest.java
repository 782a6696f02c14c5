package io.mycelium.autodiff;

import io.mycelium.tensor.Init;
import io.mycelium.TestGraphs;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.LongStream;

/** Finite-difference checks of every op over random shapes and random graphs (relative error ≤ 1e-6). */
class OpGradientTest {
    static final double TOL = 1e-6;

    static LongStream seeds() { return LongStream.range(0, 24); }

    private record Case(UniformRandomProvider r, Graph g, int n, int s, int f) {
        static Case of(long seed) {
            UniformRandomProvider r = Init.rng(1000 + seed);
            int n = 2 + r.nextInt(6);
            // n >= 3 so that some node has two neighbours and edge softmax is not constant
            int n3 = Math.max(3, n);
            return new Case(r, TestGraphs.connected(n3, 0.3, seed), n3, 1 + r.nextInt(3), 1 + r.nextInt(4));
        }

        Tensor x(int... shape) { return TestGraphs.randn(r, shape); }

        Tensor mapped(DoubleUnaryOperator m, int... shape) {
            Tensor t = x(shape);
            double[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] = m.applyAsDouble(d[i]);
            return t;
        }

        void check(List<Tensor> in, BiFunction<Tape, List<Var>, Var> f) { GradCheck.check(g, in, f, r, TOL); }
    }

    /** Keeps values at least 0.05 away from zero, where abs/relu/leaky ReLU have kinks. */
    static double awayFromZero(double v) { return v >= 0 ? v + 0.05 : v - 0.05; }

    @ParameterizedTest
    @MethodSource("seeds")
    void unaryOps(long seed) {
        Case c = Case.of(seed);
        int[] sh = {c.n, c.s, c.f};
        c.check(List.of(c.mapped(OpGradientTest::awayFromZero, sh)), (t, v) -> t.relu(v.get(0)));
        c.check(List.of(c.mapped(OpGradientTest::awayFromZero, sh)), (t, v) -> t.leakyRelu(v.get(0), 0.2));
        c.check(List.of(c.mapped(OpGradientTest::awayFromZero, sh)), (t, v) -> t.abs(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.sigmoid(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.tanh(v.get(0)));
        c.check(List.of(c.mapped(x -> 3 * x, sh)), (t, v) -> t.softplus(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.exp(v.get(0)));
        c.check(List.of(c.mapped(x -> 0.5 + Math.abs(x), sh)), (t, v) -> t.log(v.get(0)));
        c.check(List.of(c.mapped(x -> 0.5 + Math.abs(x), sh)), (t, v) -> t.sqrt(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.square(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.neg(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.scale(v.get(0), 2.5));
        c.check(List.of(c.x(sh)), (t, v) -> t.addScalar(v.get(0), -1.5));
        // clip: keep values clear of the bounds ±0.7 so the derivative is defined
        c.check(List.of(c.mapped(x -> Math.abs(Math.abs(x) - 0.7) < 0.05 ? x + 0.2 : x, sh)), (t, v) -> t.clip(v.get(0), -0.7, 0.7));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void binaryOpsWithBroadcasting(long seed) {
        Case c = Case.of(seed);
        int[] a = {c.n, c.s, c.f};
        int[][] others = {{c.n, c.s, c.f}, {c.n, c.f}, {1, c.f}, {c.n}, {c.n, c.s, 1}, {1}};
        for (int[] b : others) {
            c.check(List.of(c.x(a), c.x(b)), (t, v) -> t.add(v.get(0), v.get(1)));
            c.check(List.of(c.x(a), c.x(b)), (t, v) -> t.sub(v.get(0), v.get(1)));
            c.check(List.of(c.x(a), c.x(b)), (t, v) -> t.mul(v.get(0), v.get(1)));
            c.check(List.of(c.x(a), c.mapped(x -> (x >= 0 ? 1 : -1) * (0.5 + Math.abs(x)), b)), (t, v) -> t.div(v.get(0), v.get(1)));
            // broadcast operand first too
            c.check(List.of(c.x(b), c.x(a)), (t, v) -> t.mul(v.get(0), v.get(1)));
        }
        // max/min: separate the arguments so no element sits at a tie
        Tensor x = c.x(a), y = x.copy();
        for (int i = 0; i < y.size(); i++) y.data()[i] += (c.r.nextBoolean() ? 0.3 : -0.3);
        c.check(List.of(x, y), (t, v) -> t.max(v.get(0), v.get(1)));
        c.check(List.of(x.copy(), y.copy()), (t, v) -> t.min(v.get(0), v.get(1)));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void matmulTiedPerNodeAndShared(long seed) {
        Case c = Case.of(seed);
        int k = c.f, m = 1 + c.r.nextInt(4);
        c.check(List.of(c.x(c.n, c.s, k), c.x(1, k, m)), (t, v) -> t.matmul(v.get(0), v.get(1)));
        c.check(List.of(c.x(c.n, c.s, k), c.x(c.n, k, m)), (t, v) -> t.matmul(v.get(0), v.get(1)));
        c.check(List.of(c.x(c.n, k), c.x(k, m)), (t, v) -> t.matmul(v.get(0), v.get(1)));
        c.check(List.of(c.x(c.n, k), c.x(c.n, k, m)), (t, v) -> t.matmul(v.get(0), v.get(1)));
        c.check(List.of(c.x(1, k, m)), (t, v) -> t.transpose(v.get(0)));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void shapeOps(long seed) {
        Case c = Case.of(seed);
        int[] sh = {c.n, c.s, c.f};
        c.check(List.of(c.x(sh)), (t, v) -> t.reshape(v.get(0), c.n, c.s * c.f));
        c.check(List.of(c.x(sh), c.x(c.n, c.s, 2)), (t, v) -> t.concat(v.get(0), v.get(1)));
        int w = c.f + 2;
        c.check(List.of(c.x(c.n, c.s, w)), (t, v) -> t.slice(v.get(0), 1, w - 1));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void reductionsAndSoftmax(long seed) {
        Case c = Case.of(seed);
        int[] sh = {c.n, c.s, c.f};
        for (int ax : new int[] {1, 2, -1}) {
            c.check(List.of(c.x(sh)), (t, v) -> t.sum(v.get(0), ax));
            c.check(List.of(c.x(sh)), (t, v) -> t.mean(v.get(0), ax));
            c.check(List.of(c.x(sh)), (t, v) -> t.max(v.get(0), ax)); // continuous draws: no ties
        }
        c.check(List.of(c.x(sh)), (t, v) -> t.sumRows(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.meanRows(v.get(0)));
        int[] wide = {c.n, c.s, c.f + 1}; // softmax over a single column is constant
        c.check(List.of(c.x(wide)), (t, v) -> t.softmax(v.get(0)));
        c.check(List.of(c.x(wide)), (t, v) -> t.logSoftmax(v.get(0)));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void messagePassingOps(long seed) {
        Case c = Case.of(seed);
        int[] sh = {c.n, c.s, c.f};
        int e = c.g.directedEdgeCount();
        for (ShiftOperator so : ShiftOperator.values()) {
            Operator op = so.of(c.g);
            c.check(List.of(c.x(sh)), (t, v) -> t.exchange(v.get(0), op));
        }
        Operator asym = TestGraphs.asymmetric(c.g, seed);
        c.check(List.of(c.x(sh)), (t, v) -> t.exchange(v.get(0), asym));
        c.check(List.of(c.x(sh)), (t, v) -> t.neighbours(v.get(0)));
        c.check(List.of(c.x(sh)), (t, v) -> t.atDestination(v.get(0)));
        c.check(List.of(c.x(e, c.f)), (t, v) -> t.edgeSum(v.get(0)));
        c.check(List.of(c.x(e, 2)), (t, v) -> t.edgeSoftmax(v.get(0)));
        c.check(List.of(c.x(e)), (t, v) -> t.edgeSoftmax(v.get(0)));
        // attention-style composition: softmax of scores from both endpoints, weighted neighbour sum
        c.check(List.of(c.x(c.n, c.f), c.x(1, c.f, 1)), (t, v) -> {
            Var h = v.get(0);
            Var score = t.leakyRelu(t.add(t.matmul(t.neighbours(h), v.get(1)), t.matmul(t.atDestination(h), v.get(1))), 0.2);
            return t.edgeSum(t.mul(t.edgeSoftmax(score), t.neighbours(h)));
        });
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void losses(long seed) {
        Case c = Case.of(seed);
        int[] sh = {c.n, c.s, c.f + 1};
        Tensor y = c.x(sh);
        c.check(List.of(c.x(sh)), (t, v) -> Loss.mse(t, v.get(0), t.constant(y)));
        Tensor p = c.mapped(x -> 1 / (1 + Math.exp(-x)), sh);
        c.check(List.of(c.x(sh)), (t, v) -> Loss.binaryCrossEntropy(t, v.get(0), t.constant(p)));
        Tensor oneHot = Tensor.zeros(sh);
        for (int r = 0; r < c.n * c.s; r++) oneHot.data()[r * c.f + c.r.nextInt(c.f)] = 1;
        c.check(List.of(c.x(sh)), (t, v) -> Loss.crossEntropy(t, v.get(0), t.constant(oneHot)));
    }
}
