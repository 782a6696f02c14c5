package io.mycelium.net;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench net}'s steady-state rule ({@link NetBench#steadyEpoch}) on hand-made host clocks. */
class SteadyEpochTest {
    /** Cumulative {CPU, JIT} nanoseconds at the end of each epoch (index i: epoch i + 1), from per-epoch milliseconds. */
    private static List<long[]> clocks(int epochs, double cpuMs, java.util.function.IntToDoubleFunction jitMs) {
        List<long[]> c = new ArrayList<>();
        long cpu = 0, jit = 0;
        for (int e = 1; e <= epochs; e++) {
            cpu += (long) (cpuMs * 1e6);
            jit += (long) (jitMs.applyAsDouble(e) * 1e6);
            c.add(new long[] {cpu, jit});
        }
        return c;
    }

    @Test
    void firstEpochAfterTenQuietOnesOnEveryHost() {
        // host 0: 4 of 10 ms compiling through epoch 50, then none: a window k-10..k-1 may hold at most two
        // such epochs (8 ms <= 10% of 100 ms; three would be 12 ms), so k - 10 >= 49, k >= 59.
        List<long[]> h0 = clocks(420, 10, e -> e <= 50 ? 4 : 0);
        // host 1: 5 ms through epoch 55, then 0.5 ms: m busy epochs give 5m + 0.5(10 - m) <= 10 only for
        // m <= 1, so k - 10 >= 55, k >= 65.
        List<long[]> h1 = clocks(420, 10, e -> e <= 55 ? 5 : 0.5);
        assertThat(NetBench.steadyEpoch(List.of(h0), 40, 400, 10, 0.10)).isEqualTo(59);
        assertThat(NetBench.steadyEpoch(List.of(h1), 40, 400, 10, 0.10)).isEqualTo(65);
        assertThat(NetBench.steadyEpoch(List.of(h0, h1), 40, 400, 10, 0.10)).isEqualTo(65);
    }

    @Test
    void quietFromTheStartGivesTheFirstCandidate() {
        assertThat(NetBench.steadyEpoch(List.of(clocks(420, 20, e -> 1)), 40, 400, 10, 0.10)).isEqualTo(40);
    }

    @Test
    void stillCompilingOrUnknownGivesNone() {
        List<long[]> busy = clocks(420, 20, e -> 3); // 15% in every window
        assertThat(NetBench.steadyEpoch(List.of(busy), 40, 400, 10, 0.10)).isEqualTo(-1);
        List<long[]> late = clocks(420, 10, e -> e <= 395 ? 5 : 0); // at most two busy epochs in the window from k = 404 on: beyond the search
        assertThat(NetBench.steadyEpoch(List.of(late), 40, 400, 10, 0.10)).isEqualTo(-1);
        List<long[]> unknown = clocks(420, 10, e -> 0);
        for (long[] c : unknown) c[1] = -1;
        assertThat(NetBench.steadyEpoch(List.of(unknown), 40, 400, 10, 0.10)).isEqualTo(-1);
    }
}
