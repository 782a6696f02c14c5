package io.mycelium.ssl;

import io.mycelium.ssl.DecentralizedConfig.Merge;
import io.mycelium.ssl.DecentralizedConfig.NegativeSource;
import io.mycelium.ssl.DecentralizedConfig.Schedule;
import io.mycelium.ssl.Traffic.Kind;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DecentralizedSslTest {
    static final SslGraph DATA = LockstepEquivalenceTest.smallGraph(60, 10, 8);
    static final SslConfig C = new SslConfig(new int[] {5, 5}, 0.5, 3, 1.0, SslConfig.Optimizer.ADAM, 0.02, 0, 12, 4);

    /** Lockstep with push negatives and one MODEL message a round to a uniform random node (the counts below assume it). */
    static DecentralizedConfig lockstepPush() {
        return DecentralizedConfig.defaults().withSchedule(Schedule.LOCKSTEP).withMerge(Merge.UNIFORM).withGossipPeriod(1).withGossipLocal(0);
    }

    @Test
    void messageCountsFollowTheProtocol() {
        DecentralizedSsl sim = new DecentralizedSsl(DATA, C, lockstepPush().withMerge(Merge.NONE).withFeatureRefresh(0));
        sim.run(null);
        long twoE = DATA.graph().directedEdgeCount(), n = DATA.n(), rounds = C.epochs(), k = DecentralizedConfig.defaults().fanout();
        Traffic t = sim.traffic();
        // features: each node's nonzeros as (index, value) pairs, or all dims when that is fewer
        long featureBytes = 0;
        for (int v = 0; v < n; v++) {
            int nnz = 0;
            for (int j = 0; j < DATA.inputDim(); j++) if (DATA.inputs()[v * DATA.inputDim() + j] != 0) nnz++;
            featureBytes += DATA.graph().degree(v) * (Traffic.HEADER_BYTES + 8L * Math.min(DATA.inputDim(), 2 * nnz));
        }
        // wavefront: features and every layer once along every edge; then every layer every round
        assertThat(t.messages(Kind.EMBEDDING)).isEqualTo(twoE * (C.layers() + 1) + rounds * twoE * C.layers());
        assertThat(t.bytes(Kind.EMBEDDING)).isEqualTo(featureBytes
                + (twoE * C.layers() + rounds * twoE * C.layers()) * (Traffic.HEADER_BYTES + 8L * C.width(1)));
        // a feature refresh every 4 rounds adds 12 / 4 = 3 feature messages along every edge
        DecentralizedSsl refreshed = new DecentralizedSsl(DATA, C, lockstepPush().withMerge(Merge.NONE).withFeatureRefresh(4));
        refreshed.run(null);
        assertThat(refreshed.traffic().messages(Kind.EMBEDDING) - t.messages(Kind.EMBEDDING)).isEqualTo(3 * twoE);
        assertThat(refreshed.traffic().bytes(Kind.EMBEDDING) - t.bytes(Kind.EMBEDDING)).isEqualTo(3 * featureBytes);
        assertThat(t.messages(Kind.NEGATIVE)).isEqualTo(rounds * n * k);
        assertThat(t.bytes(Kind.NEGATIVE)).isEqualTo(rounds * n * k * (Traffic.HEADER_BYTES + 8L * C.embeddingDim()));
        assertThat(t.messages(Kind.GOSSIP)).isZero();
    }

    @Test
    void negativesComeFromTheBufferNeverFromNeighbours() {
        DecentralizedSsl sim = new DecentralizedSsl(DATA, C, lockstepPush());
        sim.run(null);
        DecentralizedSsl.Stats s = sim.stats();
        assertThat(s.negativesUsed()).isPositive();
        assertThat(s.maxNegativeAge()).isLessThanOrEqualTo(DecentralizedConfig.defaults().maxNegAge());
        assertThat(s.meanBufferFill()).isGreaterThan(5).isLessThanOrEqualTo(DecentralizedConfig.defaults().bufferCapacity());
        assertThat(sim.traffic().messages(Kind.GOSSIP)).isPositive();
    }

    @Test
    void bufferKeepsOneSlotPerOriginAndEvictsTheOldest() {
        NegativeBuffer b = new NegativeBuffer(2, 3, 1);
        double[] x = {1, 2, 3, 4, 5};
        assertThat(b.offer(0, 5, 1, 10, x, 0)).isTrue();
        assertThat(b.offer(0, 5, 1, 11, x, 1)).as("same version again").isFalse();
        assertThat(b.offer(0, 5, 2, 12, x, 1)).isTrue();
        assertThat(b.fill(0)).isEqualTo(1);
        b.offer(0, 6, 1, 13, x, 2);
        b.offer(0, 7, 1, 14, x, 3);
        b.offer(0, 8, 1, 15, x, 4); // full: evicts origin 5 (sent at 12)
        int[] out = new int[3];
        int m = b.sample(0, 15, 100, 3, 99, out);
        assertThat(m).isEqualTo(3);
        int[] origins = Arrays.stream(out).map(b::origin).sorted().toArray();
        assertThat(origins).containsExactly(6, 7, 8);
        assertThat(b.sample(0, 15, 1, 3, 99, out)).as("only entries sent at 14 or 15").isEqualTo(2);
        assertThat(b.fill(1)).isZero();
    }

    @Test
    void churnAndLossHappenAtTheConfiguredRates() {
        DecentralizedConfig d = DecentralizedConfig.defaults().withFaults(0.3, 0.2);
        SslConfig c = C.withEpochs(300);
        DecentralizedSsl sim = new DecentralizedSsl(DATA, c, d);
        double[] online = new double[1];
        sim.run((r, x) -> online[0] += x.stats().onlineFraction());
        assertThat(online[0] / c.epochs()).isCloseTo(0.7, within(0.06));
        Traffic t = sim.traffic();
        assertThat(t.messages(Kind.MOMENTS)).as("no moments for edge reconstruction").isZero();
        for (Kind k : new Kind[] {Kind.EMBEDDING, Kind.NEGATIVE, Kind.GOSSIP}) assertThat((double) t.lost(k) / t.messages(k)).as(k.name()).isCloseTo(0.2, within(0.03));
        assertThat(t.droppedOffline(Kind.NEGATIVE)).isPositive();
    }

    @Test
    void theFeatureRefreshRepairsLostFeatures() {
        // 40% of all messages lost: without a refresh about 40% of the neighbours' features never arrive
        DecentralizedConfig lossy = DecentralizedConfig.defaults().withFaults(0, 0.4);
        DecentralizedSsl once = new DecentralizedSsl(DATA, C, lossy.withFeatureRefresh(0)), refreshed = new DecentralizedSsl(DATA, C, lossy.withFeatureRefresh(2));
        once.run(null);
        refreshed.run(null);
        assertThat(once.stats().missingFeatureFraction()).isCloseTo(0.4, within(0.1));
        // 6 more tries each: 0.4^7 ≈ 0.2% missing
        assertThat(refreshed.stats().missingFeatureFraction()).isLessThan(0.02);
    }

    @Test
    void aNodeComingOnlineGetsItsNeighboursFeatures() {
        // no refresh, no loss, 10% churn: a node offline at round 0 missed its neighbours' features (about 10% of
        // the entries) and its neighbours missed its own (another 10%); the join handshake repairs both
        DecentralizedSsl sim = new DecentralizedSsl(DATA, C.withEpochs(30), DecentralizedConfig.defaults().withFaults(0.1, 0).withFeatureRefresh(0));
        sim.run(null);
        assertThat(sim.stats().missingFeatureFraction()).isLessThan(0.01);
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherBits() {
        DecentralizedConfig d = DecentralizedConfig.defaults().withFaults(0.1, 0.2);
        double[] a = run(d, C), b = run(d, C), other = run(d, C.withSeed(99));
        assertThat(Arrays.equals(a, b)).isTrue();
        assertThat(Arrays.equals(a, other)).isFalse();
    }

    @Test
    void progressiveFreezesEachLayerAfterItsWindow() {
        DecentralizedConfig d = DecentralizedConfig.defaults().withSchedule(Schedule.PROGRESSIVE).withWindow(4).withMerge(Merge.NONE);
        DecentralizedSsl sim = new DecentralizedSsl(DATA, C, d);
        double[][] layer1At = new double[1][];
        sim.run((r, x) -> { if (r == 4) layer1At[0] = x.parameters(0, 1); });
        assertThat(sim.rounds()).isEqualTo(8);
        assertThat(sim.parameters(0, 1)).as("layer 1 frozen after round 4").containsExactly(layer1At[0]);
        assertThat(sim.parameters(0, 2)).isNotEqualTo(Encoder.init(C, 2, DATA.inputDim()));
    }

    @Test
    void rowGossipSendsEveryHeldRowToAnotherHolderAndBringsTheRowsTogether() {
        DecentralizedConfig off = lockstepPush().withFeatureRefresh(0).withRowExchanges(0), on = off.withRowExchanges(1);
        DecentralizedSsl without = new DecentralizedSsl(DATA, C, off), with = new DecentralizedSsl(DATA, C, on);
        without.run(null);
        with.run(null);
        // the rows each node holds: its own and its neighbours' nonzero input dimensions; a row exchange needs a second holder
        int n = DATA.n(), f = DATA.inputDim();
        int[] holders = new int[f];
        boolean[][] holds = new boolean[n][f];
        for (int v = 0; v < n; v++)
            for (int k = 0; k < f; k++) {
                boolean h = DATA.inputs()[v * f + k] != 0;
                for (int p = DATA.graph().offsets()[v]; p < DATA.graph().offsets()[v + 1]; p++) h |= DATA.inputs()[DATA.graph().neighbours()[p] * f + k] != 0;
                if (holds[v][k] = h) holders[k]++;
            }
        long exchangeable = 0;
        for (int v = 0; v < n; v++) for (int k = 0; k < f; k++) if (holds[v][k] && holders[k] >= 2) exchangeable++;
        assertThat(exchangeable).isLessThan((long) n * f).isPositive();
        long models = without.traffic().messages(Kind.GOSSIP), rowMessages = 2 * C.epochs() * exchangeable;
        assertThat(with.traffic().messages(Kind.GOSSIP)).isEqualTo(models + rowMessages);
        // MODEL messages then carry layer 1's bias and age (w1 + 1) and all of layer 2 with its age; a row message a row and its id
        long model = Traffic.HEADER_BYTES + 8L * ((C.width(1) + 1) + (C.width(1) * C.width(2) + C.width(2) + 1));
        assertThat(with.traffic().bytes(Kind.GOSSIP)).isEqualTo(models * model + rowMessages * (Traffic.HEADER_BYTES + 8L * (C.width(1) + 1)));
        // the copies of a shared first-layer row end closer together
        assertThat(rowSpread(with, holds)).isLessThan(0.5 * rowSpread(without, holds));
    }

    /** Σ over first-layer rows of the squared distance of every holder's copy from the holders' mean. */
    static double rowSpread(DecentralizedSsl sim, boolean[][] holds) {
        int n = DATA.n(), f = DATA.inputDim(), w = C.width(1);
        double spread = 0;
        for (int k = 0; k < f; k++) {
            double[] mean = new double[w];
            int count = 0;
            for (int v = 0; v < n; v++) if (holds[v][k]) { count++; for (int j = 0; j < w; j++) mean[j] += sim.parameters(v, 1)[k * w + j]; }
            for (int v = 0; v < n; v++)
                if (holds[v][k]) for (int j = 0; j < w; j++) { double x = sim.parameters(v, 1)[k * w + j] - mean[j] / count; spread += x * x; }
        }
        return spread;
    }

    static double[] run(DecentralizedConfig d, SslConfig c) {
        DecentralizedSsl sim = new DecentralizedSsl(DATA, c, d);
        sim.run(null);
        return sim.embedding();
    }

    @Test
    void oracleAndPushNegativesBothTrain() {
        for (NegativeSource s : NegativeSource.values()) {
            DecentralizedSsl sim = new DecentralizedSsl(DATA, C, lockstepPush().withNegatives(s));
            double[] before = sim.parameters(3, 1);
            sim.run(null);
            assertThat(sim.parameters(3, 1)).isNotEqualTo(before);
        }
    }
}
