package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.graph.Graph;
import io.mycelium.model.TestGraphs;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.BatchContext;
import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Objective;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Energy GNNs under the implicit trainer: the implicit gradient of the converged loss (through the
 * pipelined [h, w̃] state) agrees with finite differences, and a short training run lowers the loss.
 */
class EnergyTrainingTest {

    /** Small connected graphs, features in [-1, 1], symmetric edge features, targets: the graph's feature sum per node. */
    static List<GraphSample> samples(int count, UniformRandomProvider r) {
        List<GraphSample> out = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            int n = 3 + r.nextInt(5);
            Graph g = TestGraphs.connected(n, 0.3, r);
            Tensor x = Init.uniform(r, -1, 1, n, 2);
            Tensor e = Tensor.zeros(g.directedEdgeCount(), 1);
            int[] off = g.offsets(), nb = g.neighbours();
            for (int i = 0; i < n; i++)
                for (int p = off[i]; p < off[i + 1]; p++) e.data()[p] = 0.1 * (i + nb[p]) % 1.0; // symmetric in (i, j)
            double sum = 0;
            for (int i = 0; i < n; i++) sum += x.data()[2 * i];
            out.add(new GraphSample(g, x, e, Tensor.full(sum, n, 1)));
        }
        return out;
    }

    static GraphTrainer trainer(EnergyGnn.Variant v, EnergyGnn.Config cfg, GraphNet.Solver solver, List<GraphSample> train, int epochs) {
        GraphNet net = GraphNet.implicit(g -> new EnergyGnn(v, 2, 1, 1, cfg), solver);
        return new GraphTrainer(net, Objective.regression(1, false), null, train,
                GraphTrainer.Config.paper().withSeed(3).withBatchSize(8).withEpochs(epochs).withLr(0.01));
    }

    static double loss(GraphTrainer tr, BatchContext ctx) {
        Tensor p = tr.predict(ctx);
        return Objective.regression(1, false).loss(ctx.batch(), p, Tensor.zeros(p.shape()));
    }

    @ParameterizedTest
    @EnumSource(EnergyGnn.Variant.class)
    void implicitGradientMatchesFiniteDifferencesAlongRandomDirections(EnergyGnn.Variant v) {
        UniformRandomProvider r = Init.rng(41 + v.ordinal());
        // a larger β makes the tight solves short; the gradient identity does not depend on it
        EnergyGnn.Config cfg = EnergyGnn.Config.paper(v).withBeta(0.5);
        GraphTrainer tr = trainer(v, cfg, GraphNet.Solver.of(1e-14, 50_000), samples(3, r), 1);
        BatchContext ctx = tr.contexts(samples(3, r)).getFirst();
        Params g = new Params();
        tr.lossAndGradient(ctx, g);
        assertThat(ctx.converged()).isTrue();
        double eps = 1e-5;
        for (int dir = 0; dir < 3; dir++) {
            Params d = tr.params().zerosLike();
            double analytic = 0;
            for (String n : d.names()) {
                double[] dv = d.get(n).data(), gv = g.get(n).data();
                for (int q = 0; q < dv.length; q++) {
                    dv[q] = r.nextDouble() - 0.5;
                    analytic += dv[q] * gv[q];
                }
            }
            axpy(tr.params(), d, eps);
            double plus = loss(tr, ctx);
            axpy(tr.params(), d, -2 * eps);
            double minus = loss(tr, ctx);
            axpy(tr.params(), d, eps);
            double fd = (plus - minus) / (2 * eps);
            assertThat(Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-12)).as("direction %d: %g vs %g", dir, analytic, fd).isLessThanOrEqualTo(1e-6);
        }
        assertThat(g.get("m.l0.wy").maxAbs()).as("message weights get a gradient").isGreaterThan(0);
    }

    @ParameterizedTest
    @EnumSource(EnergyGnn.Variant.class)
    void shortTrainingRunLowersTheLoss(EnergyGnn.Variant v) {
        UniformRandomProvider r = Init.rng(57 + v.ordinal());
        // β = 0.2 instead of the paper's 0.04 keeps the solves (rate ≈ 1 − αβ per step) short enough for a unit test
        GraphTrainer tr = trainer(v, EnergyGnn.Config.paper(v).withBeta(0.2), GraphNet.Solver.of(1e-7, 20_000), samples(16, r), 12);
        List<GraphTrainer.EpochStats> stats = tr.train(null);
        double first = stats.getFirst().loss(), last = stats.getLast().loss();
        assertThat(stats.getLast().converged()).isTrue();
        assertThat(last).as("loss after 12 epochs vs first epoch").isLessThan(0.9 * first);
    }

    static void axpy(Params p, Params d, double a) {
        for (String n : p.names()) {
            double[] x = p.get(n).data(), y = d.get(n).data();
            for (int q = 0; q < x.length; q++) x[q] += a * y[q];
        }
    }
}
