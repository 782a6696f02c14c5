package io.mycelium.tensor;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

class ParallelTest {
    /** Every element of every segment is visited exactly once, with its index inside its own segment. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void segmentsCoverEveryElementOnce(long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        int[] lengths = new int[1 + rng.nextInt(6)];
        for (int s = 0; s < lengths.length; s++) lengths[s] = rng.nextInt(4) == 0 ? 0 : rng.nextInt(seed % 2 == 0 ? 50_000 : 30);
        AtomicIntegerArray[] seen = new AtomicIntegerArray[lengths.length];
        for (int s = 0; s < lengths.length; s++) seen[s] = new AtomicIntegerArray(lengths[s]);
        Parallel.forSegments(lengths, 4, (s, from, to) -> {
            assertThat(from).isBetween(0, to);
            assertThat(to).isLessThanOrEqualTo(lengths[s]);
            for (int q = from; q < to; q++) seen[s].incrementAndGet(q);
        });
        for (int s = 0; s < lengths.length; s++)
            for (int q = 0; q < lengths[s]; q++) assertThat(seen[s].get(q)).as("segment %d element %d", s, q).isEqualTo(1);
    }

    /**
     * Both halves of {@link Parallel#both} run, and kernels inside a half stay on its thread (which
     * thread takes which half is the pool's business: a short half may be done before a worker wakes).
     */
    @Test
    void bothRunsItsHalvesAndKeepsTheirKernelsSerial() {
        Thread[] ran = new Thread[2];
        boolean[] nestedOnSameThread = {true, true};
        Parallel.both(() -> {
            ran[0] = Thread.currentThread();
            Parallel.forRange(64, 8, (c, from, to) -> nestedOnSameThread[0] &= Thread.currentThread() == ran[0]);
        }, () -> {
            ran[1] = Thread.currentThread();
            Parallel.forRange(64, 8, (c, from, to) -> nestedOnSameThread[1] &= Thread.currentThread() == ran[1]);
        });
        assertThat(ran[0]).isNotNull();
        assertThat(ran[1]).isNotNull();
        assertThat(nestedOnSameThread).containsExactly(true, true);
    }
}
