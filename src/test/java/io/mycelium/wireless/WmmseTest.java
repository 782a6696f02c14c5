package io.mycelium.wireless;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WmmseTest {
    private static final int N = Channels.LINKS;

    /** WMMSE in matrix form, written from wireless spec B.4 on the dense channel matrix. */
    static double[] matrixWmmse(double[] h, int o, int iterations) {
        double[] v = new double[N];
        java.util.Arrays.fill(v, Math.sqrt(5));
        return matrixWmmse(h, o, v, iterations);
    }

    static double[] matrixWmmse(double[] h, int o, double[] start, int iterations) {
        double[] v = start.clone();
        for (int k = 0; k < iterations; k++) {
            double[] u = new double[N], w = new double[N];
            for (int i = 0; i < N; i++) {
                double den = Math.pow(10, -136.87 / 10);
                for (int j = 0; j < N; j++) den += h[o + j * N + i] * h[o + j * N + i] * v[j] * v[j];
                u[i] = h[o + i * N + i] * v[i] / den;
                w[i] = 1 / (1 - u[i] * h[o + i * N + i] * v[i]);
            }
            for (int i = 0; i < N; i++) {
                double den = 0;
                for (int j = 0; j < N; j++) den += h[o + i * N + j] * h[o + i * N + j] * u[j] * u[j] * w[j];
                double t = den == 0 ? 0 : h[o + i * N + i] * u[i] * w[i] / den;
                v[i] = Math.min(Math.sqrt(5), Math.max(0, t));
            }
        }
        return v;
    }

    private static double[] batch(long seed) {
        double[] h = new double[Channels.SAMPLES * Channels.SIZE];
        Channels.location(new LegacyNumpyRandom(seed), h, new double[Channels.SIZE]);
        return h;
    }

    private static double[] direct(double[] h, int o) {
        double[] d = new double[N];
        for (int i = 0; i < N; i++) d[i] = h[o + i * N + i];
        return d;
    }

    @Test
    void oneLocalStepEqualsTheMatrixForm() {
        double[] h = batch(11);
        java.util.Random rnd = new java.util.Random(5);
        double worst = 0;
        for (int b = 0; b < Channels.SAMPLES; b++) {
            int o = b * Channels.SIZE;
            Interference s = Interference.of(h, o);
            double[] start = new double[N];
            for (int i = 0; i < N; i++) start[i] = b % 2 == 0 ? Math.sqrt(5) : Math.sqrt(5) * rnd.nextDouble();
            Comm comm = Comm.local(Partition.whole(s.graph()));
            double[] v = Wmmse.run(comm, s, direct(h, o), start, 1, null, null);
            double[] ref = matrixWmmse(h, o, start, 1);
            for (int i = 0; i < N; i++) worst = Math.max(worst, Math.abs(v[i] - ref[i]));
            assertThat(comm.counters().rounds()).isEqualTo(Wmmse.rounds(1));
        }
        assertThat(worst).isLessThanOrEqualTo(1e-12);
    }

    /**
     * Over many iterations the two summation orders drift apart by rounding, amplified by
     * 1/(1 − u H v) near interference-free links; the amplitudes (at most √5) still agree closely.
     */
    @Test
    void manyLocalStepsTrackTheMatrixForm() {
        double[] h = batch(11);
        for (int b = 0; b < Channels.SAMPLES; b += 7) {
            int o = b * Channels.SIZE;
            Interference s = Interference.of(h, o);
            Comm comm = Comm.local(Partition.whole(s.graph()));
            double[] v = Wmmse.run(comm, s, direct(h, o), Wmmse.FULL, null, null);
            double[] ref = matrixWmmse(h, o, Wmmse.FULL);
            for (int i = 0; i < N; i++) assertThat(v[i]).isCloseTo(ref[i], within(1e-6));
            assertThat(comm.counters().rounds()).isEqualTo(Wmmse.rounds(Wmmse.FULL));
        }
    }

    @Test
    void onePerNodeHostPerLinkGivesTheSameAmplitudesAndMessages() {
        double[] h = batch(12);
        int o = 9 * Channels.SIZE;
        Interference s = Interference.of(h, o);
        double[] d = direct(h, o);
        Comm whole = Comm.local(Partition.whole(s.graph()));
        double[] v = Wmmse.run(whole, s, d, 4, null, null);
        Engine e = Engine.perNode(s.graph(), new Params());
        List<double[]> parts = e.run((Host host) -> {
            int[] nodes = host.partition().nodes();
            double[] local = new double[nodes.length];
            for (int q = 0; q < nodes.length; q++) local[q] = d[nodes[q]];
            return Wmmse.run(host.comm(), s, local, 4, null, null);
        });
        for (int i = 0; i < N; i++) assertThat(parts.get(i)[0]).isEqualTo(v[i]);
        assertThat(e.counters().rounds()).isEqualTo(whole.counters().rounds());
        assertThat(e.counters().floats()).isEqualTo(whole.counters().floats());
    }

    @Test
    void sumRateNeverDecreasesFromFullPower() {
        double[] h = batch(13);
        for (int b = 0; b < 8; b++) {
            int o = b * Channels.SIZE;
            double prev = SumRate.of(h, o, matrixWmmse(h, o, 0), 0);
            for (int k = 1; k <= 12; k++) {
                double r = SumRate.of(h, o, matrixWmmse(h, o, k), 0);
                assertThat(r).isGreaterThanOrEqualTo(prev - 1e-9);
                prev = r;
            }
        }
    }

    /** The spec's numpy check: the "_mini" test set (locations 100–199) gives 20.608 (100 iterations) and 16.687 (4). */
    @Test
    void miniTestSetGivesTheSpecsNumbers() {
        ChannelSet set = new ChannelSet(0, 100, 100, 100, null);
        assertThat(PowerBaselines.testSumRate(set, Wmmse.FULL).sumRate()).isCloseTo(20.608, within(1e-3));
        assertThat(PowerBaselines.testSumRate(set, Wmmse.TRUNCATED).sumRate()).isCloseTo(16.687, within(1e-3));
    }
}
