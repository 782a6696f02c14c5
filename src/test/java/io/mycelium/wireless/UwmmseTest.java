package io.mycelium.wireless;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class UwmmseTest {
    private static final int N = Channels.LINKS, P = Uwmmse.PARAMS, B = 6;

    /** Six samples of one location, laid out as the kernel loads them. */
    private static double[] batch(long seed) {
        double[] all = new double[Channels.SAMPLES * Channels.SIZE];
        Channels.location(new LegacyNumpyRandom(seed), all, new double[Channels.SIZE]);
        return java.util.Arrays.copyOf(all, B * Channels.SIZE);
    }

    /** Parameters with larger weights than Glorot so that H-dependent terms matter (|H| is 1e-7 … 1e-3) but the sigmoids do not saturate. */
    private static double[] params(int copies, long seed, boolean tied) {
        UniformRandomProvider rng = Init.rng(seed);
        double[] one = Uwmmse.init(rng).get(Uwmmse.THETA).data();
        for (int g = 0; g < Uwmmse.GCNNS; g++)
            for (int k = 0; k < Uwmmse.HIDDEN; k++) {
                one[g * 32 + Uwmmse.T1A + k] *= 2e3;
                one[g * 32 + Uwmmse.T0A + k] *= 3e3;
                one[g * 32 + Uwmmse.T1B + k] *= 2e3;
                one[g * 32 + Uwmmse.T0B + k] *= 1e3;
            }
        double[] t = new double[copies * P];
        for (int c = 0; c < copies; c++)
            for (int p = 0; p < P; p++) t[c * P + p] = one[p] * (tied ? 1 : 1 + 0.05 * (rng.nextDouble() - 0.5));
        return t;
    }

    /** Per-sample rates and ∂(−(1/B) Σ_b R_b)/∂θ from the tape program, sample by sample. */
    private static double[] tapeGradient(double[] h, double[] theta, int copies, double[] rates) {
        double[] grad = new double[copies * P];
        for (int b = 0; b < B; b++) {
            int o = b * Channels.SIZE;
            Interference s = Interference.of(h, o);
            Params params = (copies == 1 ? new Params() : Params.untied()).add(Uwmmse.THETA, new Tensor(theta.clone(), copies, P));
            Tape t = new Tape(Comm.local(Partition.whole(s.graph())), params);
            Var rate = Uwmmse.program(t, s, h, o);
            double r = 0;
            for (double x : rate.value().data()) r += x;
            rates[b] = r;
            t.vjp(rate, Tensor.full(-1.0 / B, N, 1));
            double[] g = t.paramGrad(Uwmmse.THETA).data();
            for (int q = 0; q < g.length; q++) grad[q] += g[q];
        }
        return grad;
    }

    private static double maxRel(double[] a, double[] b) {
        double scale = 0, diff = 0;
        for (int q = 0; q < a.length; q++) {
            scale = Math.max(scale, Math.abs(b[q]));
            diff = Math.max(diff, Math.abs(a[q] - b[q]));
        }
        return diff / scale;
    }

    @Test
    void kernelEqualsTheTapeProgramWithTiedAndPerNodeCopies() {
        double[] h = batch(21);
        UwmmseKernel k = new UwmmseKernel(B);
        k.load(h);
        for (int copies : new int[] {1, N}) {
            double[] theta = params(copies, 3, false);
            double[] rates = new double[B];
            double[] ref = tapeGradient(h, theta, copies, rates);
            double mean = k.forward(theta, copies);
            double refMean = 0;
            for (int b = 0; b < B; b++) {
                assertThat(k.sumRate(b)).isCloseTo(rates[b], within(1e-10 * rates[b]));
                refMean += rates[b] / B;
            }
            assertThat(mean).isCloseTo(refMean, within(1e-10 * refMean));
            k.backward(theta, copies);
            double[] grad = new double[copies * P];
            if (copies == 1) k.reduceTied(grad);
            else k.reducePerNode(grad);
            assertThat(maxRel(grad, ref)).as("copies=%d", copies).isLessThan(1e-8);
        }
    }

    @Test
    void kernelGradientMatchesFiniteDifferences() {
        double[] h = batch(22);
        UwmmseKernel k = new UwmmseKernel(B);
        k.load(h);
        double[] theta = params(1, 4, true);
        k.forward(theta, 1);
        k.backward(theta, 1);
        double[] grad = new double[P];
        k.reduceTied(grad);
        double worst = 0, scale = 0;
        for (double g : grad) scale = Math.max(scale, Math.abs(g));
        for (int p = 0; p < P; p += 3) {
            double step = 1e-6 * Math.max(1, Math.abs(theta[p]));
            double keep = theta[p];
            theta[p] = keep + step;
            double up = -k.forward(theta, 1);
            theta[p] = keep - step;
            double down = -k.forward(theta, 1);
            theta[p] = keep;
            worst = Math.max(worst, Math.abs((up - down) / (2 * step) - grad[p]));
        }
        assertThat(scale).isGreaterThan(1e-3);
        assertThat(worst / scale).isLessThan(1e-5);
    }

    @Test
    void perNodeGradientsOfTiedCopiesSumToTheCentralizedGradient() {
        double[] h = batch(23);
        UwmmseKernel k = new UwmmseKernel(B);
        k.load(h);
        double[] tied = params(1, 5, true), copies = new double[N * P];
        for (int i = 0; i < N; i++) System.arraycopy(tied, 0, copies, i * P, P);
        k.forward(tied, 1);
        k.backward(tied, 1);
        double[] central = new double[P];
        k.reduceTied(central);
        k.forward(copies, N);
        k.backward(copies, N);
        double[] perNode = new double[N * P], summed = new double[P];
        k.reducePerNode(perNode);
        for (int i = 0; i < N; i++) for (int p = 0; p < P; p++) summed[p] += perNode[i * P + p];
        assertThat(maxRel(summed, central)).isLessThan(1e-12);
        // and the tape agrees: per-node copies' gradients of the tape program sum to its tied gradient
        double[] rates = new double[B];
        double[] tapeCopies = tapeGradient(h, copies, N, rates), tapeTied = tapeGradient(h, tied, 1, rates), tapeSum = new double[P];
        for (int i = 0; i < N; i++) for (int p = 0; p < P; p++) tapeSum[p] += tapeCopies[i * P + p];
        assertThat(maxRel(tapeSum, tapeTied)).isLessThan(1e-12);
    }

    @Test
    void gradientConsensusIsOneMetropolisHastingsRoundPerSample() {
        double[] h = batch(24);
        UwmmseKernel k = new UwmmseKernel(B);
        k.load(h);
        double[] theta = params(N, 6, false);
        k.forward(theta, N);
        k.backward(theta, N);
        double[] mixed = new double[N * P];
        k.reduceConsensus(mixed);
        double[] ref = new double[N * P];
        for (int b = 0; b < B; b++) {
            Interference s = Interference.of(h, b * Channels.SIZE);
            Tensor g = Tensor.zeros(N, P);
            for (int i = 0; i < N; i++) for (int p = 0; p < P; p++) g.data()[i * P + p] = k.sampleGradient(i, p, b);
            Comm comm = Comm.local(Partition.whole(s.links()));
            Exchange.consensus(comm, s.consensus(), g);
            assertThat(comm.counters().rounds()).isEqualTo(1);
            for (int q = 0; q < N * P; q++) ref[q] += N * g.data()[q];
        }
        assertThat(maxRel(mixed, ref)).isLessThan(1e-12);
    }

    /** Zero weights and biases 0.1 give a = b = σ(0.2) in every layer: then the model is the UWMMSE recursion of the local program. */
    @Test
    void untrainedConstantWeightsAreTheLocalRecursion() {
        double[] h = batch(25);
        double[] theta = new double[P];
        for (int g = 0; g < Uwmmse.GCNNS; g++) {
            for (int q = 10; q < 20; q++) theta[g * 32 + q] = 0.1;
            theta[g * 32 + 30] = theta[g * 32 + 31] = 0.1;
        }
        UwmmseKernel k = new UwmmseKernel(B);
        k.load(h);
        k.forward(theta, 1);
        double sig = 1 / (1 + Math.exp(-0.2));
        double[][] ab = new double[Uwmmse.LAYERS][N];
        for (double[] row : ab) java.util.Arrays.fill(row, sig);
        for (int b = 0; b < B; b++) {
            int o = b * Channels.SIZE;
            Interference s = Interference.of(h, o);
            double[] direct = new double[N];
            for (int i = 0; i < N; i++) direct[i] = h[o + i * N + i];
            double[] v = Wmmse.run(Comm.local(Partition.whole(s.graph())), s, direct, Uwmmse.LAYERS, ab, ab);
            for (int i = 0; i < N; i++) assertThat(k.amplitude(i, b)).isCloseTo(v[i], within(1e-9));
            assertThat(k.sumRate(b)).isCloseTo(SumRate.of(h, o, v, 0), within(1e-9));
        }
    }
}
