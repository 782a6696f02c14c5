package io.mycelium.task;

import io.mycelium.train.Scheme;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarksTest {
    @Test
    void warmUpRunsAtLeastTheMinimumAndAtMostTheMaximum() {
        int[] runs = {0};
        int done = Benchmarks.warmUp(() -> runs[0]++, 7, 10, 70);
        assertThat(done).isEqualTo(runs[0]).isBetween(7, 70);
        runs[0] = 0;
        assertThat(Benchmarks.warmUp(() -> runs[0]++, 0, 10, 0)).isZero();
        assertThat(runs[0]).isZero();
    }

    @Test
    void theNodeRegressionTimingReportsItsBestAndMedianRounds() {
        Benchmarks.EpochTime t = Benchmarks.nodeRegressionMsPerEpoch(Scheme.SGD, 1, 3, 1, 1);
        assertThat(t.rounds()).isEqualTo(3);
        assertThat(t.warmupEpochs()).isBetween(1, 10);
        assertThat(t.wallMs()).isPositive().isLessThanOrEqualTo(t.medianWallMs());
        assertThat(t.cpuMs()).isPositive();
    }
}
