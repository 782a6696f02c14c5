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

    /** The counted flops of the paper's shape, by hand from eq. (9)–(14) on a graph with E directed edges. */
    @Test
    void countedFlopsFollowTheLayerFormulas() {
        io.mycelium.graph.Graph g = TaskGraphs.barabasiAlbert(100, 2, 1);
        long e = g.directedEdgeCount();
        // layer 0 (10 -> 32): forward 100*2*10*32 + 10E, weight gradients 100*2*10*32; layer 1 (32 -> 1): forward
        // 100*2*32 + 32E, weight gradients 100*2*32, Z^0 100*2*32 + 32E; two flops per multiply-add, 1000 samples
        long fma = 100 * 640 + 10 * e + 100 * 640 + 100 * 64 + 32 * e + 100 * 64 + 100 * 64 + 32 * e;
        assertThat(Benchmarks.Shape.PAPER.flopsPerEpoch(g)).isEqualTo(2 * fma * 1000);
        assertThat(new Benchmarks.Shape(new int[] {16, 64, 64, 1}, 100, 10, 5).arrows()).isEqualTo("16->64->64->1");
    }

    @Test
    void theFmaPeakIsPositiveAndTheOtherShapesRun() {
        FmaPeak.Peak p = FmaPeak.gflops(1_000_000, 1);
        assertThat(p.wallGflops()).isPositive();
        assertThat(p.cpuGflops()).isPositive();
        Benchmarks.EpochTime t = Benchmarks.nodeRegressionMsPerEpoch(new Benchmarks.Shape(new int[] {7, 13, 5, 1}, 20, 30, 8),
                Scheme.D_AMSGRAD, 1, 1, 0, 1);
        assertThat(t.flopsPerEpoch()).isPositive();
        assertThat(t.gflops()).isPositive();
    }
}
