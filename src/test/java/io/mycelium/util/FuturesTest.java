package io.mycelium.util;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FuturesTest {

    @Test
    void resultsComeInSubmissionOrder() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int k = i;
                // later tasks finish first
                fs.add(pool.submit(() -> {
                    Thread.sleep(5L * (6 - k));
                    return k * k;
                }));
            }
            assertThat(Futures.all(fs, pool)).containsExactly(0, 1, 4, 9, 16, 25);
        }
    }

    @Test
    void aFailureThrowsTheTasksOwnExceptionAndStopsThePool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch sleeping = new CountDownLatch(1);
        List<Future<String>> fs = new ArrayList<>();
        fs.add(pool.submit(() -> {
            sleeping.await();
            throw new IOException("disk gone");
        }));
        fs.add(pool.submit(() -> {
            sleeping.countDown();
            Thread.sleep(60_000); // ends early only if the pool interrupts it
            return "late";
        }));
        assertThatThrownBy(() -> Futures.all(fs, pool)).isInstanceOf(IOException.class).hasMessage("disk gone");
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fs.get(1).state()).isEqualTo(Future.State.FAILED); // interrupted out of its sleep
    }
}
