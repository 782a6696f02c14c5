package io.mycelium.ssl;

import io.mycelium.ssl.Traffic.Kind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Offline steps ({@link DecentralizedConfig#offlineSteps}): a no-op without churn; with churn no step is missed and an offline node sends nothing. */
class OfflineStepsTest {
    static final SslGraph DATA = DecentralizedSslTest.DATA;
    static final SslConfig C = DecentralizedSslTest.C.withEpochs(30);

    @Test
    void withoutChurnOfflineStepsChangeNoBit() {
        DecentralizedConfig lossy = DecentralizedConfig.defaults().withFaults(0, 0.2);
        DecentralizedSsl plain = new DecentralizedSsl(DATA, C, lossy), local = new DecentralizedSsl(DATA, C, lossy.withOfflineSteps(true));
        plain.run(null);
        local.run(null);
        assertThat(Arrays.equals(plain.embedding(), local.embedding())).isTrue();
        assertThat(Arrays.equals(plain.consensusEmbedding(), local.consensusEmbedding())).isTrue();
        assertThat(local.stats().steps()).isEqualTo(plain.stats().steps());
        for (Kind k : Kind.values()) assertThat(local.traffic().bytes(k)).as(k.name()).isEqualTo(plain.traffic().bytes(k));
    }

    @Test
    void withChurnEveryNodeStepsEveryRoundAndOfflineNodesSendNothing() {
        DecentralizedConfig d = DecentralizedConfig.defaults().withFaults(0.3, 0);
        DecentralizedSsl plain = new DecentralizedSsl(DATA, C, d), local = new DecentralizedSsl(DATA, C, d.withOfflineSteps(true));
        plain.run(null);
        local.run(null);
        // the defaults step every layer of every node every round (stagger 1); churn alone decides who is online
        long all = (long) C.layers() * DATA.n() * C.epochs(), online = 0;
        Churn churn = new Churn(DATA.n(), d, C.seed());
        for (int r = 1; r <= C.epochs(); r++) {
            churn.advance(r);
            for (boolean b : churn.online) if (b) online++;
        }
        assertThat(online).as("churn takes nodes offline").isLessThan((long) DATA.n() * C.epochs());
        assertThat(plain.stats().steps()).isEqualTo(C.layers() * online);
        assertThat(local.stats().steps()).isEqualTo(all);
        assertThat(Arrays.equals(plain.embedding(), local.embedding())).isFalse();
        // negatives and gossip leave only online nodes, the same draws in both runs
        for (Kind k : new Kind[] {Kind.NEGATIVE, Kind.GOSSIP})
            assertThat(local.traffic().messages(k)).as(k.name()).isEqualTo(plain.traffic().messages(k));
    }

    @Test
    void needsTheEdgeLossAndAGossipMerge() {
        assertThatThrownBy(() -> new DecentralizedSsl(DATA, C.withDecorrelation(1e-3, 0.4, 0.1), DecentralizedConfig.defaults().withOfflineSteps(true)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
