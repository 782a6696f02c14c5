package io.mycelium.ssl;

import io.mycelium.ssl.DecentralizedConfig.Merge;
import io.mycelium.ssl.DecentralizedConfig.Schedule;
import io.mycelium.ssl.Traffic.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decorrelation loss: its matrix-form gradient against finite differences of the loss; the per-node
 * closed form (global moments only) against the matrix form; lockstep with exact averaging against the
 * centralized trainer; gossip of the moments (sums kept, estimates converge, messages counted).
 */
class DecorrelationTest {
    static final int N = 30, D = 5;
    static final double LAMBDA = 0.05;

    static double[] random(int len, long seed) {
        double[] x = new double[len];
        for (int k = 0; k < len; k++) x[k] = 2 * Draw.uniform(Draw.hash(seed, 99, k, 0, 0)) - 1 + (k % D) * 0.3;
        return x;
    }

    /** The loss written out from its definition (two-pass mean and variance, explicit sums), independent of both gradients. */
    static double loss(double[] zA, double[] zB) {
        double[] hA = standardized(zA), hB = standardized(zB);
        double l = 0;
        for (int k = 0; k < D; k++)
            for (int m = 0; m < D; m++) {
                double ca = 0, cb = 0, cab = 0;
                for (int i = 0; i < N; i++) {
                    ca += hA[i * D + k] * hA[i * D + m] / N;
                    cb += hB[i * D + k] * hB[i * D + m] / N;
                    cab += hA[i * D + k] * hB[i * D + m] / N;
                }
                if (k == m) l -= cab;
                l += LAMBDA * ((ca - (k == m ? 1 : 0)) * (ca - (k == m ? 1 : 0)) + (cb - (k == m ? 1 : 0)) * (cb - (k == m ? 1 : 0)));
            }
        return l;
    }

    static double[] standardized(double[] z) {
        double[] h = new double[z.length];
        for (int k = 0; k < D; k++) {
            double mu = 0, var = 0;
            for (int i = 0; i < N; i++) mu += z[i * D + k] / N;
            for (int i = 0; i < N; i++) var += (z[i * D + k] - mu) * (z[i * D + k] - mu) / N;
            for (int i = 0; i < N; i++) h[i * D + k] = (z[i * D + k] - mu) / Math.sqrt(var);
        }
        return h;
    }

    @Test
    void matrixGradientMatchesFiniteDifferences() {
        double[] zA = random(N * D, 1), zB = random(N * D, 2), dA = new double[N * D], dB = new double[N * D];
        double l = CentralizedLayerwise.decorrelation(zA, zB, N, D, LAMBDA, dA, dB);
        assertThat(l).isCloseTo(loss(zA, zB), org.assertj.core.api.Assertions.within(1e-12));
        double h = 1e-6, worst = 0;
        for (int k = 0; k < N * D; k++) {
            for (int view = 0; view < 2; view++) {
                double[] z = view == 0 ? zA : zB;
                double keep = z[k];
                z[k] = keep + h;
                double up = loss(zA, zB);
                z[k] = keep - h;
                double down = loss(zA, zB);
                z[k] = keep;
                double fd = (up - down) / (2 * h), an = view == 0 ? dA[k] : dB[k];
                worst = Math.max(worst, Math.abs(fd - an));
            }
        }
        assertThat(worst).isLessThan(1e-7);
    }

    @Test
    void perNodeGradientFromGlobalMomentsIsTheMatrixGradient() {
        double[] zA = random(N * D, 3), zB = random(N * D, 4), dA = new double[N * D], dB = new double[N * D];
        double l = CentralizedLayerwise.decorrelation(zA, zB, N, D, LAMBDA, dA, dB);
        double[] sum = new double[Decorrelation.size(D)];
        for (int i = 0; i < N; i++) Decorrelation.accumulate(zA, i * D, zB, i * D, D, 1.0 / N, sum, 0);
        Decorrelation.Batch b = new Decorrelation.Batch(D, LAMBDA).from(sum, 0);
        assertThat(b.loss).isCloseTo(l, org.assertj.core.api.Assertions.within(1e-10));
        double[] ga = new double[D], gb = new double[D], scratch = new double[2 * D];
        double worst = 0, scale = 0;
        for (int i = 0; i < N; i++) {
            b.nodeGradient(zA, i * D, zB, i * D, ga, gb, scratch);
            for (int k = 0; k < D; k++) {
                worst = Math.max(worst, Math.max(Math.abs(ga[k] / N - dA[i * D + k]), Math.abs(gb[k] / N - dB[i * D + k])));
                scale = Math.max(scale, Math.abs(dA[i * D + k]));
            }
        }
        assertThat(scale).isGreaterThan(1e-3);
        assertThat(worst).isLessThanOrEqualTo(1e-12);
    }

    static SslConfig config(SslConfig.Optimizer o, double lr, int epochs) {
        return new SslConfig(new int[] {6, 4}, 0.5, 3, 1.0, o, lr, 0, epochs, 3).withDecorrelation(0.02, 0.3, 0.2);
    }

    /** Max |θ_v − θ_central| over every node's held rows and both layers. */
    static double maxDiff(CentralizedLayerwise central, DecentralizedSsl dec, SslConfig c, int n) {
        double worst = 0;
        for (int l = 1; l <= c.layers(); l++) {
            double[] ref = central.parameters(l);
            int w = c.width(l), rows = ref.length / w - 1;
            for (int v = 0; v < n; v++) {
                double[] mine = dec.parameters(v, l);
                for (int k = 0; k < ref.length; k++)
                    if (k / w >= rows || dec.holds(v, l, k / w)) worst = Math.max(worst, Math.abs(mine[k] - ref[k]));
            }
        }
        return worst;
    }

    @Test
    void exactAveragingGivesTheCentralizedGradient() {
        SslGraph data = LockstepEquivalenceTest.smallGraph(40, 12, 5);
        SslConfig c = config(SslConfig.Optimizer.SGD, 1.0, 1);   // one SGD step of rate 1: Δθ is the gradient
        CentralizedLayerwise central = new CentralizedLayerwise(data, c);
        DecentralizedSsl dec = new DecentralizedSsl(data, c, DecentralizedConfig.exactLockstep());
        central.round();
        dec.round();
        double norm = 0;
        for (int l = 1; l <= 2; l++) for (double x : central.lastGradient(l)) norm = Math.max(norm, Math.abs(x));
        assertThat(norm).as("a gradient that is not zero").isGreaterThan(1e-2);
        assertThat(maxDiff(central, dec, c, data.n())).isLessThanOrEqualTo(1e-10);
    }

    @Test
    void lockstepWithExactAveragingIsTheCentralizedTrainer() {
        SslGraph data = LockstepEquivalenceTest.smallGraph(40, 12, 5);
        SslConfig c = config(SslConfig.Optimizer.ADAM, 0.02, 15);
        CentralizedLayerwise central = new CentralizedLayerwise(data, c);
        DecentralizedSsl dec = new DecentralizedSsl(data, c, DecentralizedConfig.exactLockstep());
        double[] init = central.parameters(2);
        double worst = 0;
        for (int r = 1; r <= c.epochs(); r++) {
            central.round();
            dec.round();
            worst = Math.max(worst, maxDiff(central, dec, c, data.n()));
        }
        double moved = 0;
        double[] last = central.parameters(2);
        for (int k = 0; k < last.length; k++) moved = Math.max(moved, Math.abs(last[k] - init[k]));
        assertThat(moved).isGreaterThan(0.05);
        assertThat(worst).isLessThanOrEqualTo(1e-10);
        double[] e1 = central.embedding(), e2 = dec.embedding();
        for (int k = 0; k < e1.length; k++) assertThat(Math.abs(e1[k] - e2[k])).isLessThanOrEqualTo(1e-10);
    }

    @Test
    void gossipKeepsTheSumAndConverges() {
        SslGraph data = LockstepEquivalenceTest.smallGraph(60, 10, 8);
        SslConfig c = config(SslConfig.Optimizer.ADAM, 0.01, 3);
        DecentralizedConfig d = DecentralizedConfig.defaults().withSchedule(Schedule.LOCKSTEP).withMerge(Merge.UNIFORM).withStatsWarmup(0).withStatsExchanges(0);
        DecentralizedSsl none = new DecentralizedSsl(data, c, d);
        DecentralizedSsl warm = new DecentralizedSsl(data, c, d.withStatsWarmup(30));
        for (int l = 1; l <= 2; l++) {
            double[] truth = none.momentTruth(l), sum = new double[truth.length];
            double spreadNone = 0, spreadWarm = 0, scale = 0;
            for (int v = 0; v < data.n(); v++) {
                double[] e0 = none.momentEstimate(v, l), e1 = warm.momentEstimate(v, l);
                double[] raw = warm.momentEstimate(v, l);
                for (int k = 1; k < truth.length; k++) {
                    spreadNone = Math.max(spreadNone, Math.abs(e0[k] - truth[k]));
                    spreadWarm = Math.max(spreadWarm, Math.abs(e1[k] - truth[k]));
                    scale = Math.max(scale, Math.abs(truth[k]));
                    sum[k] += raw[k] * raw[0];
                }
                sum[0] += raw[0];
            }
            assertThat(truth[0]).isEqualTo(data.n());
            assertThat(sum[0]).isCloseTo(data.n(), org.assertj.core.api.Assertions.within(1e-9));
            for (int k = 1; k < truth.length; k++) assertThat(sum[k] / data.n()).isCloseTo(truth[k], org.assertj.core.api.Assertions.within(1e-9 * scale));
            assertThat(spreadNone).as("one node's own moments are far from the mean").isGreaterThan(0.1 * scale);
            assertThat(spreadWarm).as("30 exchanges bring every estimate close").isLessThan(1e-3 * scale);
        }
        // messages: warm-up, then statsExchanges per round; request and reply, count + moments of both layers
        DecentralizedSsl run = new DecentralizedSsl(data, c, d.withStatsWarmup(4).withStatsExchanges(2));
        run.run(null);
        long n = data.n(), exchanges = n * (4 + 2L * c.epochs());
        long payload = 2 + Decorrelation.size(6) + Decorrelation.size(4);
        assertThat(run.traffic().messages(Kind.MOMENTS)).isEqualTo(2 * exchanges);
        assertThat(run.traffic().bytes(Kind.MOMENTS)).isEqualTo(2 * exchanges * (Traffic.HEADER_BYTES + 8 * payload));
        assertThat(run.traffic().messages(Kind.NEGATIVE)).as("no negatives for this loss").isZero();
    }
}
