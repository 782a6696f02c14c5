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

/** The centralized baselines of distributed-implicit: one tied copy, and how far their first step goes. */
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
}
