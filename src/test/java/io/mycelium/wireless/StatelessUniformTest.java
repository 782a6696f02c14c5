package io.mycelium.wireless;

import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatelessUniformTest {
    private static final Path DATA = Path.of("..", "shared", "data", "link-scheduling");

    /** Philox4x32-10 against the known-answer vectors of Random123 (kat_vectors). */
    @Test
    void philoxMatchesTheRandom123KnownAnswers() {
        assertThat(StatelessUniform.philox(new int[] {0, 0, 0, 0}, new int[] {0, 0}))
                .containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
        assertThat(StatelessUniform.philox(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}))
                .containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
        assertThat(StatelessUniform.philox(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0}))
                .containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    @Test
    void drawsAreUniformInTheUnitIntervalAndDependOnTheSeed() {
        double[] a = StatelessUniform.draw(0, 0, 4001), b = StatelessUniform.draw(1, 0, 4001);
        double mean = 0;
        for (double v : a) {
            assertThat(v).isGreaterThanOrEqualTo(0).isLessThan(1);
            mean += v / a.length;
        }
        assertThat(mean).isCloseTo(0.5, within(0.02));
        assertThat(a[0]).isNotEqualTo(b[0]);
        assertThat(StatelessUniform.draw(0, 0, 3)).containsExactly(a[0], a[1], a[2]);
    }

    /**
     * The regenerated authors' actor starts where the authors' logs start: test ratio 0.9841 on the 10
     * test graphs (both of their logs, mini-batch 1), within the Glorot limits, as the spec's fans give them.
     */
    @Test
    void theAuthorsInitialActorScoresTheirLoggedStartingRatio() {
        Params p = SchedulingActor.initAuthors();
        for (int l = 0; l + 1 < SchedulingActor.WIDTHS.length; l++) {
            double limit = Math.sqrt(6.0 / (2 * SchedulingActor.WIDTHS[l] + 2 * SchedulingActor.WIDTHS[l + 1]));
            for (Tensor t : new Tensor[] {p.get(SchedulingActor.theta0(l)), p.get(SchedulingActor.theta1(l))})
                for (double v : t.data()) assertThat(Math.abs(v)).isLessThanOrEqualTo(limit + 1e-15);
        }
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        double ratio = LinkScheduling.testRatio(SchedulingTestSet.read(DATA), p);
        assertThat(Math.round(ratio * 1e4) / 1e4).isEqualTo(0.9841);
    }
}
