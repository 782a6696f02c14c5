package io.mycelium.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test JVM runs as the launcher does, with 64-byte object alignment (pom.xml), so that every
 * kernel's offset indices are exercised by the suite and not only by the launcher's runs.
 */
class AlignedTest {
    @Test
    void theSuiteRunsWithAKnownArrayAlignment() {
        // double[] elements start 16 bytes into an object on HotSpot with compressed class pointers
        assertThat(Aligned.DOUBLES).isEqualTo(6);
        assertThat(Aligned.doubles(10)).hasSize(16);
    }

    @Test
    void nextIsTheFirstAlignedIndexAtOrAfter() {
        for (int i = 0; i < 100; i++) {
            int a = Aligned.next(i);
            assertThat(a).isBetween(i, i + 7);
            assertThat(Math.floorMod(a - Aligned.DOUBLES, 8)).isZero();
        }
    }
}
