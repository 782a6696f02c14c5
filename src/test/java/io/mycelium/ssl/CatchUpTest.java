package io.mycelium.ssl;

import io.mycelium.ssl.Traffic.Kind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Catch-up steps ({@link DecentralizedConfig#catchUp}): a no-op without churn, and exactly the missed steps with it. */
class CatchUpTest {
    static final SslGraph DATA = DecentralizedSslTest.DATA;
    static final SslConfig C = DecentralizedSslTest.C.withEpochs(40);

    @Test
    void withoutChurnCatchUpChangesNoBit() {
        DecentralizedConfig lossy = DecentralizedConfig.defaults().withFaults(0, 0.2);
        DecentralizedSsl plain = new DecentralizedSsl(DATA, C, lossy), caught = new DecentralizedSsl(DATA, C, lossy.withCatchUp(1));
        plain.run(null);
        caught.run(null);
        assertThat(Arrays.equals(plain.embedding(), caught.embedding())).isTrue();
        assertThat(caught.stats().steps()).isEqualTo(plain.stats().steps());
        assertThat(caught.traffic().totalBytes()).isEqualTo(plain.traffic().totalBytes());
    }

    @Test
    void withChurnTheStepsRiseByTheMissedStepsAndNoMessageIsAdded() {
        for (int catchUp : new int[] {1, 3}) {
            DecentralizedConfig d = DecentralizedConfig.defaults().withFaults(0.3, 0.1);
            DecentralizedSsl plain = new DecentralizedSsl(DATA, C, d), caught = new DecentralizedSsl(DATA, C, d.withCatchUp(catchUp));
            plain.run(null);
            caught.run(null);
            long[] expected = expectedSteps(d, catchUp);
            // the defaults step every layer of every online node every round (stagger 1)
            assertThat(plain.stats().steps()).isEqualTo(expected[0]);
            assertThat(expected[1]).as("churn makes nodes miss steps they can make up").isPositive();
            assertThat(caught.stats().steps() - plain.stats().steps()).as("catch-up " + catchUp).isEqualTo(expected[1]);
            assertThat(Arrays.equals(plain.embedding(), caught.embedding())).isFalse();
            for (Kind k : Kind.values()) {
                assertThat(caught.traffic().messages(k)).as(k.name()).isEqualTo(plain.traffic().messages(k));
                assertThat(caught.traffic().bytes(k)).as(k.name()).isEqualTo(plain.traffic().bytes(k));
            }
        }
    }

    /**
     * From the churn schedule alone: {regular steps, catch-up steps}. Every online node steps every layer every
     * round; an offline session of m rounds is made up after the next join at up to {@code catchUp} extra steps
     * per online round, until the session's steps are made up or the node goes offline again (then dropped).
     */
    private static long[] expectedSteps(DecentralizedConfig d, int catchUp) {
        int n = DATA.n(), layers = C.layers();
        Churn churn = new Churn(n, d, C.seed());
        long regular = 0, extra = 0;
        int[] missed = new int[n], debt = new int[n];
        for (int r = 1; r <= C.epochs(); r++) {
            churn.advance(r);
            for (int v = 0; v < n; v++) {
                if (churn.joined[v]) { debt[v] = missed[v]; missed[v] = 0; }
                if (!churn.online[v]) { missed[v]++; continue; }
                regular++;
                int paid = Math.min(catchUp, debt[v]);
                extra += paid;
                debt[v] -= paid;
            }
        }
        return new long[] {regular * layers, extra * layers};
    }
}
