package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.GraphInput;
import io.mycelium.model.TestGraphs;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Implicit differentiation against finite differences and unrolled backprop; warm starts; determinism. */
class ImplicitTrainingTest {
    static final int P = 3, R = 2, K = 3;
    static final GraphNet.Solver TIGHT = GraphNet.Solver.of(1e-14, 20_000);

    enum Kind { REGRESSION, BINARY, PAIRWISE, GRAPH_REGRESSION }

    static Objective objective(Kind k) {
        return switch (k) {
            case REGRESSION -> Objective.regression(1, false);
            case BINARY -> Objective.binaryClassification(false);
            case PAIRWISE -> Objective.pairwiseDistances();
            case GRAPH_REGRESSION -> Objective.regression(1, true);
        };
    }

    static int modelOut(Kind k) { return k == Kind.PAIRWISE || k == Kind.GRAPH_REGRESSION ? 2 : 1; }

    static GraphReadout head(Kind k) { return k == Kind.GRAPH_REGRESSION ? new GraphReadout(2, 4, 1) : null; }

    /** A few small random connected graphs with node and edge features and targets for {@code k}. */
    static List<GraphSample> samples(Kind k, int count, UniformRandomProvider r) {
        List<GraphSample> out = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            int n = 3 + r.nextInt(5);
            Graph g = TestGraphs.connected(n, 0.3, r);
            Tensor x = Init.uniform(r, -1, 1, n, P), e = Init.uniform(r, 0, 1, g.directedEdgeCount(), R);
            Tensor y = switch (k) {
                case REGRESSION -> Init.uniform(r, 0, 2, n, 1);
                case BINARY -> {
                    Tensor t = Tensor.zeros(n, 1);
                    for (int i = 0; i < n; i++) t.data()[i] = r.nextBoolean() ? 1 : 0;
                    yield t;
                }
                case PAIRWISE -> Init.uniform(r, 0, 1, n, 2);
                case GRAPH_REGRESSION -> Init.uniform(r, -1, 1, 1, 1);
            };
            out.add(new GraphSample(g, x, e, y));
        }
        return out;
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Kind k : Kind.values()) for (long seed = 1; seed <= 2; seed++) a.add(Arguments.of(k, seed));
        return a.stream();
    }

    static GraphTrainer trainer(GraphNet net, Kind k, List<GraphSample> s, long seed) {
        return new GraphTrainer(net, objective(k), head(k), s, GraphTrainer.Config.paper().withSeed(seed).withBatchSize(64));
    }

    static double loss(GraphTrainer tr, Kind k, BatchContext ctx) {
        Tensor p = tr.predict(ctx);
        return objective(k).loss(ctx.batch(), p, Tensor.zeros(p.shape()));
    }

    static double relError(Params a, Params b) {
        double num = 0, den = 0, na = 0;
        for (String n : a.names()) {
            double[] x = a.get(n).data(), y = b.get(n).data();
            for (int i = 0; i < x.length; i++) {
                num += (x[i] - y[i]) * (x[i] - y[i]);
                den += y[i] * y[i];
                na += x[i] * x[i];
            }
        }
        return Math.sqrt(num) / Math.max(1e-300, Math.max(Math.sqrt(den), Math.sqrt(na)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void implicitGradientMatchesFiniteDifferencesOfTheConvergedLoss(Kind k, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        GraphNet net = GraphNet.implicit(TanhFixedPointModel.factory(P, R, K, modelOut(k)), TIGHT);
        GraphTrainer tr = trainer(net, k, samples(k, 3, r), seed);
        BatchContext ctx = tr.contexts(samples(k, 3, r)).getFirst();
        Params g = new Params();
        tr.lossAndGradient(ctx, g);
        assertThat(ctx.converged()).isTrue();
        Params fd = g.zerosLike();
        double eps = 1e-5;
        for (String n : tr.params().names()) {
            double[] p = tr.params().get(n).data(), f = fd.get(n).data();
            for (int i = 0; i < p.length; i++) {
                double keep = p[i];
                p[i] = keep + eps;
                double plus = loss(tr, k, ctx);
                p[i] = keep - eps;
                double minus = loss(tr, k, ctx);
                p[i] = keep;
                f[i] = (plus - minus) / (2 * eps);
            }
        }
        assertThat(relError(g, fd)).as("implicit vs finite differences").isLessThanOrEqualTo(1e-6);
        assertThat(g.get("w").maxAbs()).as("the fixed point's own weights get a gradient").isGreaterThan(1e-6);
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void implicitGradientMatchesUnrolledBackprop(Kind k, long seed) {
        UniformRandomProvider r = Init.rng(seed + 100);
        var models = TanhFixedPointModel.factory(P, R, K, modelOut(k));
        GraphTrainer tr = trainer(GraphNet.implicit(models, TIGHT), k, samples(k, 3, r), seed);
        BatchContext ctx = tr.contexts(samples(k, 4, r)).getFirst();
        Params implicit = new Params();
        tr.lossAndGradient(ctx, implicit);
        assertThat(ctx.forwardIterations()).isLessThan(400);

        // Unrolled: 400 steps from zero on one tape, back-propagated through all of them.
        GraphBatch b = ctx.batch();
        var m = models.apply(b.graph());
        Tape t = ctx.host().newTape();
        GraphInput in = ctx.input(t);
        Var h = FixedPoint.unrolled(t, m, in, t.constant(Tensor.zeros(b.n(), K)), 400);
        Var out = m.readout(t, h, in);
        GraphReadout hd = head(k);
        Tensor dOut;
        Params unrolled = t.params().zerosLike();
        if (hd == null) {
            dOut = Tensor.zeros(out.shape());
            objective(k).loss(b, out.value(), dOut);
        } else {
            Tensor pred = hd.forward(b, out.value(), tr.params());
            Tensor dPred = Tensor.zeros(pred.shape());
            objective(k).loss(b, pred, dPred);
            dOut = hd.backward(b, out.value(), dPred, tr.params(), unrolled);
        }
        t.vjp(out, dOut);
        for (String n : unrolled.names()) {
            double[] u = unrolled.get(n).data(), d = t.paramGrad(n).data();
            for (int i = 0; i < u.length; i++) u[i] += d[i];
        }
        assertThat(relError(implicit, unrolled)).as("implicit vs unrolled").isLessThanOrEqualTo(1e-6);
    }

    @Test
    void explicitGradientMatchesFiniteDifferences() {
        UniformRandomProvider r = Init.rng(7);
        GraphNet net = GraphNet.explicit(g -> new TinyExplicitModel(ShiftOperator.RENORMALIZED_ADJACENCY.of(g), P, 1));
        GraphTrainer tr = trainer(net, Kind.REGRESSION, samples(Kind.REGRESSION, 3, r), 7);
        BatchContext ctx = tr.contexts(samples(Kind.REGRESSION, 3, r)).getFirst();
        Params g = new Params();
        tr.lossAndGradient(ctx, g);
        Params fd = g.zerosLike();
        double eps = 1e-5;
        for (String n : tr.params().names()) {
            double[] p = tr.params().get(n).data(), f = fd.get(n).data();
            for (int i = 0; i < p.length; i++) {
                double keep = p[i];
                p[i] = keep + eps;
                double plus = loss(tr, Kind.REGRESSION, ctx);
                p[i] = keep - eps;
                double minus = loss(tr, Kind.REGRESSION, ctx);
                p[i] = keep;
                f[i] = (plus - minus) / (2 * eps);
            }
        }
        assertThat(relError(g, fd)).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void warmStartTakesFewerIterationsAndReachesTheSameModel() {
        UniformRandomProvider r = Init.rng(11);
        List<GraphSample> data = samples(Kind.REGRESSION, 40, r);
        GraphNet.Solver s = GraphNet.Solver.of(1e-7, 5000).plain(); // the warm start's own effect, without acceleration
        var models = TanhFixedPointModel.factory(P, R, K, 1);
        GraphTrainer warm = trainer(GraphNet.implicit(models, s), Kind.REGRESSION, data, 3);
        GraphTrainer cold = trainer(GraphNet.implicit(models, s.coldStart()), Kind.REGRESSION, data, 3);
        long warmIt = 0, coldIt = 0;
        for (int e = 0; e < 6; e++) {
            GraphTrainer.EpochStats w = warm.epoch(), c = cold.epoch();
            assertThat(w.converged()).isTrue();
            assertThat(c.converged()).isTrue();
            if (e > 0) {
                warmIt += w.forwardIterations() + w.adjointIterations();
                coldIt += c.forwardIterations() + c.adjointIterations();
            }
        }
        assertThat(warmIt).as("solver iterations after the first epoch").isLessThan(coldIt * 2 / 3);
        // the fixed point does not depend on where the solve starts: same training up to the tolerance
        assertThat(warm.params().maxAbsDiff(cold.params())).isLessThan(1e-5);
    }

    @Test
    void sameSeedSameNumbersAndTrainingLowersTheLoss() {
        List<GraphSample> data = samples(Kind.REGRESSION, 30, Init.rng(5));
        var models = TanhFixedPointModel.factory(P, R, K, 1);
        GraphTrainer.Config cfg = GraphTrainer.Config.paper().withSeed(9).withBatchSize(8).withLr(0.01).withEpochs(40);
        GraphTrainer a = new GraphTrainer(GraphNet.implicit(models, GraphNet.Solver.of(1e-9, 3000)), Objective.regression(1, false), null, data, cfg);
        GraphTrainer b = new GraphTrainer(GraphNet.implicit(models, GraphNet.Solver.of(1e-9, 3000)), Objective.regression(1, false), null, data, cfg);
        List<GraphTrainer.EpochStats> sa = a.train(s -> {}), sb = b.train(s -> {});
        assertThat(sa).isEqualTo(sb);
        for (String n : a.params().names()) assertThat(a.params().get(n).bitwiseEquals(b.params().get(n))).as(n).isTrue();
        assertThat(sa.getLast().loss()).isLessThan(0.7 * sa.getFirst().loss());
    }
}
