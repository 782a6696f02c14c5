package io.mycelium.task.hogwild;

import io.mycelium.model.GsdGnn;
import io.mycelium.tensor.Params;
import io.mycelium.train.DistributedImplicit;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The centralized baselines of distributed-implicit (one tied copy, and how far their first step goes),
 * the constant predictor's loss and the restart rule that every scheme shares.
 */
class DistributedSchemeTest {
    /** The largest |Δθ| over all parameters after one full-batch step of {@code scheme} from seed 1. */
    private static double firstStep(DistributedImplicitRun.Scheme scheme, double lr) {
        HogwildTask t = SyntheticTasks.count(10);
        List<GraphSample> g = t.pool();
        Objective obj = t.objective().fitTo(g);
        DistributedImplicit tr = new DistributedImplicit(GsdGnn.paper(t.nodeFeatures(), 1), obj, scheme.optimizer(lr), scheme.method(),
                g, g.size(), 1e-10, 5000, 1);
        assertThat(tr.params().isTied()).isTrue();
        Params before = tr.params().copy();
        tr.epoch();
        double max = 0;
        for (String n : before.names())
            for (int k = 0; k < before.get(n).data().length; k++) max = Math.max(max, Math.abs(tr.params().get(n).data()[k] - before.get(n).data()[k]));
        return max;
    }

    @Test
    void centralizedAdamStepsByTheLearningRateWhereAmsGradWithoutBiasCorrectionStepsThreeTimesFurther() {
        double lr = 1e-3;
        // Adam (Kingma & Ba, bias-corrected): m̂ = g, v̂ = g², so the first step is lr · g / (|g| + ε) ≤ lr
        assertThat(firstStep(DistributedImplicitRun.Scheme.CENTRALIZED_ADAM, lr)).isCloseTo(lr, within(1e-6 * lr));
        // AMSGrad without bias correction: (1 − β1) g / √((1 − β2) g²) = 0.1 / √0.001 ≈ 3.162 learning rates
        assertThat(firstStep(DistributedImplicitRun.Scheme.CENTRALIZED, lr)).isCloseTo(lr * 0.1 / Math.sqrt(0.001), within(1e-4 * lr));
    }

    @Test
    void constantLossIsTheBestConstantPredictorsLoss() {
        // node regression, standardized on the training graphs: the mean predictor's MSE is the variance over itself, 1
        HogwildTask t = SyntheticTasks.count(10);
        List<GraphSample> g = t.pool();
        DistributedImplicit reg = new DistributedImplicit(GsdGnn.paper(t.nodeFeatures(), 1), t.objective().fitTo(g), new io.mycelium.optim.DSgd(0.01),
                DistributedImplicit.Method.CENTRALIZED, g, 4, 1e-6, 100, 1);
        assertThat(reg.constantLoss(g)).isCloseTo(1.0, within(1e-12));
        // graph labels: 3 of 8 graphs in class 1, so the best constant logit's cross-entropy is H(3/8)
        List<GraphSample> c = new java.util.ArrayList<>();
        for (int q = 0; q < 8; q++)
            c.add(new GraphSample(io.mycelium.graph.Generators.path(3 + q % 3), io.mycelium.tensor.Tensor.full(1, 3 + q % 3, 2), null,
                    io.mycelium.tensor.Tensor.full(q < 3 ? 1 : 0, 1, 1)));
        DistributedImplicit cls = new DistributedImplicit(io.mycelium.model.Ignn.paper(2, 1), Objective.binaryClassification(true),
                new io.mycelium.optim.DSgd(0.01), DistributedImplicit.Method.CENTRALIZED, c, 8, 1e-6, 100, 1);
        assertThat(cls.constantLoss(c)).isCloseTo(-(0.375 * Math.log(0.375) + 0.625 * Math.log(0.625)), within(1e-12));
    }

    /** IGNN on a small count pool, one scheme, 3 epochs of batches of 2 at lr 0.02, with the given restart rule. */
    private static DistributedImplicitRun.Trained run(DistributedImplicitRun.Scheme scheme, DistributedImplicitRun.Restart restart) {
        HogwildTask t = SyntheticTasks.count(8);
        var s = new DistributedImplicitRun.Settings(3, 2, 0.02, 0.01, 1e-6, 3000, 7, new Table2.Settings(2, 1, 1, 4, 1e-8, 30_000),
                io.mycelium.tensor.Init.Affine.GLOROT_ZERO, DistributedImplicit.Placement.IN_ORDER, 1, restart);
        return DistributedImplicitRun.run(Models.get("ignn"), t, scheme, s, null);
    }

    @Test
    void aRestartKeepsTheRunOfTheNextInitializationBitForBit() {
        for (var scheme : List.of(DistributedImplicitRun.Scheme.CENTRALIZED, DistributedImplicitRun.Scheme.D_AMSGRAD)) {
            // margin 0.999: no run is that far below the constant predictor after one epoch, so every check restarts, twice
            var restarted = run(scheme, new DistributedImplicitRun.Restart(1, 0.999, 2));
            assertThat(restarted.row().restarts()).isEqualTo(2);
            assertThat(restarted.row().checkLosses()).hasSize(2);
            // what is kept: the run from attempt 2's initialization, with the same batches and order, as if started there
            HogwildTask t = SyntheticTasks.count(8);
            HogwildTask.Split sp = t.split(0, 0.2);
            List<GraphSample> train = new java.util.ArrayList<>(sp.train());
            io.mycelium.train.GraphTrainer.shuffle(train, io.mycelium.tensor.Init.rng(7 * 0x9E3779B97F4A7C15L + 1));
            int devices = t.pool().stream().mapToInt(GraphSample::n).max().orElseThrow();
            var model = (io.mycelium.model.ImplicitModel) Models.get("ignn").create(t);
            DistributedImplicit fresh = new DistributedImplicit(model, t.objective().fitTo(sp.train()), scheme.optimizer(0.02), scheme.method(), train,
                    devices, 2, 1e-6, 3000, 7, DistributedImplicitRun.Restart.initSeed(7, 2), io.mycelium.tensor.Init.Affine.GLOROT_ZERO,
                    DistributedImplicit.Placement.IN_ORDER);
            for (int e = 0; e < 3; e++) fresh.epoch();
            for (String n : fresh.params().names())
                assertThat(restarted.params().get(n).data()).as(scheme + " " + n).containsExactly(fresh.params().get(n).data());
            // the check loss is the training loss after one epoch, compared with the constant predictor's
            assertThat(restarted.row().checkLosses()[0]).isPositive().isGreaterThan(0.001 * restarted.row().constantLoss());
            // without the rule, attempt 0: the run from the run's own seed, as before the rule existed
            var plain = run(scheme, DistributedImplicitRun.Restart.NONE);
            assertThat(plain.row().restarts()).isZero();
            assertThat(plain.row().checkLosses()).isEmpty();
            DistributedImplicit old = new DistributedImplicit(model, t.objective().fitTo(sp.train()), scheme.optimizer(0.02), scheme.method(), train,
                    devices, 2, 1e-6, 3000, 7, io.mycelium.tensor.Init.Affine.GLOROT_ZERO, DistributedImplicit.Placement.IN_ORDER);
            for (int e = 0; e < 3; e++) old.epoch();
            for (String n : old.params().names()) assertThat(plain.params().get(n).data()).containsExactly(old.params().get(n).data());
        }
    }
}
