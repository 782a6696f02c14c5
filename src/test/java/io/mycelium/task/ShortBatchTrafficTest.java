package io.mycelium.task;

import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 45 training samples in mini-batches of B = 20: two full mini-batches and a short one of 5 per
 * epoch. The rounds charged per epoch are Table I's (DESIGN §3) for each mini-batch's own size,
 * with L = 2 layers and K = 1: forward only L·B; D-naive B(2L − 1) + BK; per-batch consensus
 * 2BL − B + K; with piggybacking LB + L − 1 + K; a distributed optimizer with piggybacking
 * LB + L − 1.
 */
class ShortBatchTrafficTest {
    static long tableI(Scheme s, long b) {
        int l = 2, k = 1;
        return switch (s) {
            case SGD, ADAM -> l * b;
            case D_NAIVE -> b * (2L * l - 1) + b * k;
            case D_NAIVE_BATCH -> 2 * b * l - b + k;
            case D_NAIVE_PB -> l * b + l - 1 + k;
            case D_SGD, D_ADAM, D_AMSGRAD, D_AMSGRAD_TRACKER_FIRST -> l * b + l - 1;
        };
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void aShortLastMiniBatchIsChargedAsShort(Scheme scheme) {
        NodeRegression.Problem p = NodeRegression.build(new NodeRegression.Config(12, 2, 10, 45, 10, 20, 1e-2, 2, 0.1, 1, 5));
        TrainingRun.Result r = NodeRegressionRun.run(p, scheme, null);
        long perEpoch = 2 * tableI(scheme, 20) + tableI(scheme, 5);
        assertThat(r.epochs().get(1).minibatches()).isEqualTo(3);
        assertThat(r.epochs().get(1).rounds()).as("one epoch").isEqualTo(perEpoch);
        assertThat(r.last().rounds()).as("two epochs").isEqualTo(2 * perEpoch);
        assertThat(r.perMinibatch().rounds()).as("a full mini-batch").isEqualTo(tableI(scheme, 20));
        // the short mini-batch sends less than a full one, and the total is not three full ones
        long full = r.perMinibatch().bytes();
        assertThat(r.epochs().get(1).bytes()).isGreaterThan(2 * full).isLessThan(3 * full);
    }
}
