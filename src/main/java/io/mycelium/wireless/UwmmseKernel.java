package io.mycelium.wireless;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static io.mycelium.tensor.VectorMath.laneSum;
import static io.mycelium.wireless.Uwmmse.C0A;
import static io.mycelium.wireless.Uwmmse.C0B;
import static io.mycelium.wireless.Uwmmse.C1A;
import static io.mycelium.wireless.Uwmmse.C1B;
import static io.mycelium.wireless.Uwmmse.T0A;
import static io.mycelium.wireless.Uwmmse.T0B;
import static io.mycelium.wireless.Uwmmse.T1A;
import static io.mycelium.wireless.Uwmmse.T1B;

/**
 * The forward and backward pass of {@link Uwmmse} over a whole mini-batch, for training. Every
 * per-node quantity is stored sample-major ({@code [node][…][sample]}), so each loop's innermost
 * index runs over the samples of the batch, contiguous and independent: the JIT turns them into
 * vector instructions. All buffers are allocated once; a step allocates nothing.
 *
 * <p>It computes what {@link Uwmmse#program} computes, sample by sample, node by node (the tests
 * hold the two together and against finite differences); it is a separate kernel because the tape
 * records one sample of 25 nodes per program, whose bookkeeping would dwarf the arithmetic over
 * 6.4 million samples.
 *
 * <p>Gradients come out per sample and per node ({@link #backward}): node i's row holds the
 * derivative of the loss {@code −(1/B) Σ_b R_b} with respect to the copy node i used. The training
 * schemes reduce them: summed over nodes for tied parameters, over samples for per-node copies, or
 * mixed with each sample's consensus matrix (gradient-consensus Adam).
 */
public final class UwmmseKernel {
    private static final int N = Channels.LINKS, NN = N * N, G = Uwmmse.GCNNS, K = Uwmmse.HIDDEN, Q = G * K,
            P = Uwmmse.PARAMS, L = Uwmmse.LAYERS, PG = Uwmmse.PER_GCNN;
    private static final double LN2 = Math.log(2);

    private final int B;
    private final double[] H, H2, d, r;
    private final double[] pre1, h1, agg, out;
    private final double[] vin, inr, u, wt, wh, den, vt, v;
    private final double[] other, signal, sumRate;
    private final double[] tmp, tmp2, gv, gq, gi, gout, gagg, gh1, gs, w;
    private final int[] degree;

    public UwmmseKernel(int samples) {
        B = samples;
        H = new double[NN * B];
        H2 = new double[NN * B];
        d = new double[N * B];
        r = new double[N * B];
        pre1 = new double[N * Q * B];
        h1 = new double[N * Q * B];
        agg = new double[N * Q * B];
        out = new double[G * N * B];
        vin = new double[L * N * B];
        inr = new double[L * N * B];
        u = new double[L * N * B];
        wt = new double[L * N * B];
        wh = new double[L * N * B];
        den = new double[L * N * B];
        vt = new double[L * N * B];
        v = new double[N * B];
        other = new double[N * B];
        signal = new double[N * B];
        sumRate = new double[B];
        tmp = new double[N * B];
        tmp2 = new double[N * B];
        gv = new double[N * B];
        gq = new double[N * B];
        gi = new double[N * B];
        gout = new double[G * N * B];
        gagg = new double[N * Q * B];
        gh1 = new double[N * Q * B];
        gs = new double[N * P * B];
        w = new double[NN * B];
        degree = new int[N * B];
    }

    public int samples() { return B; }

    /** Loads a batch laid out {@code h[b·N² + i·N + j]} (as {@link Channels} draws it) into sample-major order. */
    public void load(double[] h) {
        for (int b = 0; b < B; b++)
            for (int ij = 0; ij < NN; ij++) {
                double x = h[b * NN + ij];
                H[ij * B + b] = x;
                H2[ij * B + b] = x * x;
            }
        Arrays.fill(r, 0);
        for (int i = 0; i < N; i++) {
            System.arraycopy(H, (i * N + i) * B, d, i * B, B);
            for (int j = 0; j < N; j++) {
                int hb = (i * N + j) * B;
                for (int b = 0; b < B; b++) r[i * B + b] += H[hb + b];
            }
        }
    }

    /** Runs the model on the loaded batch with parameters {@code theta} ([copies, 256]); returns the mean sum rate. */
    public double forward(double[] theta, int copies) {
        gcnns(theta, copies);
        Arrays.fill(vin, 0, N * B, Channels.V_MAX);
        for (int l = 0; l < L; l++) {
            int o = l * N * B;
            for (int q = 0; q < N * B; q++) tmp[q] = vin[o + q] * vin[o + q];
            received(tmp, true, inr, o);
            for (int i = 0; i < N; i++) {
                int ao = (2 * l * N + i) * B, bo = ((2 * l + 1) * N + i) * B;
                for (int b = 0; b < B; b++) {
                    int q = o + i * B + b;
                    double x = vin[q], di = d[i * B + b];
                    inr[q] += Channels.NOISE;
                    double uu = di * x / inr[q];
                    double ww = 1 / (1 - uu * di * x);
                    double hat = out[ao + b] * ww + out[bo + b];
                    u[q] = uu;
                    wt[q] = ww;
                    wh[q] = hat;
                    tmp[i * B + b] = uu * uu * hat;
                }
            }
            sent(tmp, den, o);
            double[] next = l + 1 < L ? vin : v;
            int no = l + 1 < L ? o + N * B : 0;
            for (int q = 0; q < N * B; q++) {
                double dq = den[o + q];
                double t = dq == 0 ? 0 : d[q] * u[o + q] * wh[o + q] / dq;
                vt[o + q] = t;
                next[no + q] = Math.min(Channels.V_MAX, Math.max(0, t));
            }
        }
        for (int q = 0; q < N * B; q++) tmp[q] = v[q] * v[q];
        received(tmp, false, other, 0);
        Arrays.fill(sumRate, 0);
        for (int i = 0; i < N; i++)
            for (int b = 0; b < B; b++) {
                int q = i * B + b;
                other[q] += Channels.NOISE;
                double s = d[q] * v[q];
                signal[q] = s * s;
                sumRate[b] += Math.log(signal[q] / other[q] + 1) / LN2;
            }
        double m = 0;
        for (double x : sumRate) m += x;
        return m / B;
    }

    /** Sum rate of sample b in the last forward pass. */
    public double sumRate(int b) { return sumRate[b]; }

    /** Amplitude of link i in sample b after the last forward pass. */
    public double amplitude(int i, int b) { return v[i * B + b]; }

    /** The GCNNs' outputs: a^(l) (g = 2l) and b^(l) (g = 2l + 1) of node i in sample b. */
    public double gcnnOutput(int g, int i, int b) { return out[(g * N + i) * B + b]; }

    private void gcnns(double[] theta, int copies) {
        for (int i = 0; i < N; i++) {
            int c = copies == 1 ? 0 : i;
            for (int g = 0; g < G; g++) {
                int base = c * P + g * PG;
                for (int k = 0; k < K; k++) {
                    double al = theta[base + T1A + k], be = theta[base + T0A + k], c1 = theta[base + C1A + k], c0 = theta[base + C0A + k];
                    int idx = (i * Q + g * K + k) * B;
                    for (int b = 0; b < B; b++) {
                        double p = (r[i * B + b] * al + c1) + (d[i * B + b] * be + c0);
                        pre1[idx + b] = p;
                        h1[idx + b] = Math.max(p, 0);
                    }
                }
            }
        }
        product(H, false, false, h1, Q, agg, 0, false);
        for (int i = 0; i < N; i++) {
            int c = copies == 1 ? 0 : i;
            for (int g = 0; g < G; g++) {
                int base = c * P + g * PG;
                Arrays.fill(tmp, 0, B, 0);
                Arrays.fill(tmp2, 0, B, 0);
                for (int k = 0; k < K; k++) {
                    int idx = (i * Q + g * K + k) * B;
                    double t1 = theta[base + T1B + k], t0 = theta[base + T0B + k];
                    for (int b = 0; b < B; b++) {
                        tmp[b] += agg[idx + b] * t1;
                        tmp2[b] += d[i * B + b] * h1[idx + b] * t0;
                    }
                }
                double c1 = theta[base + C1B], c0 = theta[base + C0B];
                int oo = (g * N + i) * B;
                for (int b = 0; b < B; b++) out[oo + b] = 1 / (1 + Math.exp(-((tmp[b] + c1) + (tmp2[b] + c0))));
            }
        }
    }

    /** {@code y_i = Σ_j H_ji² x_j} (j = i included or not) into {@code y[o …]}. */
    private void received(double[] x, boolean self, double[] y, int o) { product(H2, true, !self, x, 1, y, o, false); }

    /** {@code y_i = Σ_j H_ij² x_j} into {@code y[o …]}. */
    private void sent(double[] x, double[] y, int o) { product(H2, false, false, x, 1, y, o, false); }

    /** {@code y_j = Σ_i H_ij² x_i} (the transpose of {@link #sent}). */
    private void sentTransposed(double[] x, double[] y) { product(H2, true, false, x, 1, y, 0, false); }

    private static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;

    /**
     * {@code out[x][q][b] (+)= Σ_y M_xy[b] · in[y][q][b]} for every node x, column q < width and sample
     * b, where {@code M_xy} is {@code m[x][y]} or, transposed, {@code m[y][x]} (optionally without
     * y = x). Four vectors of samples are summed in registers while y runs, so each multiply-add costs
     * two loads instead of three loads and a store.
     */
    private void product(double[] m, boolean transposed, boolean skipSelf, double[] in, int width, double[] out, int o, boolean accumulate) {
        int L = V.length(), four = 4 * L;
        for (int x = 0; x < N; x++)
            for (int q = 0; q < width; q++) {
                int oo = o + (x * width + q) * B, b = 0;
                for (; b + four <= B; b += four) {
                    DoubleVector a0, a1, a2, a3;
                    if (accumulate) {
                        a0 = DoubleVector.fromArray(V, out, oo + b);
                        a1 = DoubleVector.fromArray(V, out, oo + b + L);
                        a2 = DoubleVector.fromArray(V, out, oo + b + 2 * L);
                        a3 = DoubleVector.fromArray(V, out, oo + b + 3 * L);
                    } else a0 = a1 = a2 = a3 = DoubleVector.zero(V);
                    for (int y = 0; y < N; y++) {
                        if (skipSelf && y == x) continue;
                        int mo = (transposed ? y * N + x : x * N + y) * B + b, io = (y * width + q) * B + b;
                        a0 = DoubleVector.fromArray(V, m, mo).fma(DoubleVector.fromArray(V, in, io), a0);
                        a1 = DoubleVector.fromArray(V, m, mo + L).fma(DoubleVector.fromArray(V, in, io + L), a1);
                        a2 = DoubleVector.fromArray(V, m, mo + 2 * L).fma(DoubleVector.fromArray(V, in, io + 2 * L), a2);
                        a3 = DoubleVector.fromArray(V, m, mo + 3 * L).fma(DoubleVector.fromArray(V, in, io + 3 * L), a3);
                    }
                    a0.intoArray(out, oo + b);
                    a1.intoArray(out, oo + b + L);
                    a2.intoArray(out, oo + b + 2 * L);
                    a3.intoArray(out, oo + b + 3 * L);
                }
                for (; b < B; b++) {
                    double acc = accumulate ? out[oo + b] : 0;
                    for (int y = 0; y < N; y++) {
                        if (skipSelf && y == x) continue;
                        acc = Math.fma(m[(transposed ? y * N + x : x * N + y) * B + b], in[(y * width + q) * B + b], acc);
                    }
                    out[oo + b] = acc;
                }
            }
    }

    /**
     * Per-sample, per-node gradients of {@code −(1/B) Σ_b R_b} after {@link #forward} with the same
     * parameters; read them with the reductions below.
     */
    public void backward(double[] theta, int copies) {
        double s = -1.0 / B / LN2;
        // rate_i = log(1 + S_i / J_i): the seeds on S (own signal) and J (interference + noise)
        for (int q = 0; q < N * B; q++) {
            double jq = other[q], sq = signal[q];
            tmp[q] = -s * sq / (jq * (jq + sq));    // ∂loss/∂J, by J = σ² + Σ_{j≠i} H_ji² P_j
            gq[q] = s / (jq + sq) * d[q] * d[q];    // ∂loss/∂P_i through S_i = H_ii² P_i
        }
        // ∂loss/∂P_i += Σ_{m≠i} H_im² ∂loss/∂J_m
        product(H2, false, true, tmp, 1, gq, 0, true);
        for (int q = 0; q < N * B; q++) gv[q] = 2 * v[q] * gq[q];
        for (int l = L - 1; l >= 0; l--) {
            int o = l * N * B;
            // through the clip and v = H_ii u ŵ / D: the seed on D into tmp
            for (int q = 0; q < N * B; q++) {
                double t = vt[o + q], dq = den[o + q];
                double g = t > 0 && t < Channels.V_MAX && dq != 0 ? gv[q] : 0;
                gv[q] = g == 0 ? 0 : g / dq;          // ∂/∂numerator (0 when clipped)
                tmp[q] = g == 0 ? 0 : -g * t / dq;    // ∂/∂D
            }
            sentTransposed(tmp, gq);                 // ∂/∂(u_j² ŵ_j)
            for (int i = 0; i < N; i++) {
                int ao = (2 * l * N + i) * B, bo = ((2 * l + 1) * N + i) * B;
                for (int b = 0; b < B; b++) {
                    int q = i * B + b, oq = o + q;
                    double gn = gv[q], gqq = gq[q], uu = u[oq], hat = wh[oq], ww = wt[oq], di = d[q], x = vin[oq];
                    double gu = gn * di * hat + gqq * 2 * uu * hat;
                    double gw = gn * di * uu + gqq * uu * uu;
                    gout[ao + b] = gw * ww;
                    gout[bo + b] = gw;
                    double gsv = gw * out[ao + b] * ww * ww;      // through w̃ = 1/(1 − u H_ii v)
                    gu += gsv * di * x;
                    double gx = gsv * di * uu + gu * di / inr[oq];
                    gi[q] = -gu * uu / inr[oq];
                    tmp2[q] = gx;
                }
            }
            if (l == 0) break;                        // v^(0) = √P_max is a constant
            // v_k enters every I_j = σ² + Σ_k H_kj² v_k²: ∂/∂v_k += 2 v_k Σ_j H_kj² ∂/∂I_j
            sent(gi, gq, 0);
            for (int q = 0; q < N * B; q++) gv[q] = tmp2[q] + 2 * vin[o + q] * gq[q];
        }
        gcnnBackward(theta, copies);
    }

    private void gcnnBackward(double[] theta, int copies) {
        for (int i = 0; i < N; i++) {
            int c = copies == 1 ? 0 : i;
            for (int g = 0; g < G; g++) {
                int base = c * P + g * PG, oo = (g * N + i) * B, go = (i * P + g * PG) * B;
                for (int b = 0; b < B; b++) {
                    double y = out[oo + b];
                    tmp[b] = gout[oo + b] * y * (1 - y);
                }
                for (int b = 0; b < B; b++) {
                    gs[go + C1B * B + b] = tmp[b];
                    gs[go + C0B * B + b] = tmp[b];
                }
                for (int k = 0; k < K; k++) {
                    int idx = (i * Q + g * K + k) * B;
                    double t1 = theta[base + T1B + k], t0 = theta[base + T0B + k];
                    for (int b = 0; b < B; b++) {
                        double gp = tmp[b], di = d[i * B + b];
                        gs[go + (T1B + k) * B + b] = gp * agg[idx + b];
                        gs[go + (T0B + k) * B + b] = gp * di * h1[idx + b];
                        gagg[idx + b] = gp * t1;
                        gh1[idx + b] = gp * di * t0;
                    }
                }
            }
        }
        // the hidden layers reached node i's aggregation from every j: ∂/∂h1_j += Σ_i H_ij ∂/∂agg_i
        product(H, true, false, gagg, Q, gh1, 0, true);
        for (int i = 0; i < N; i++)
            for (int g = 0; g < G; g++) {
                int go = (i * P + g * PG) * B;
                for (int k = 0; k < K; k++) {
                    int idx = (i * Q + g * K + k) * B;
                    for (int b = 0; b < B; b++) {
                        double gp = pre1[idx + b] > 0 ? gh1[idx + b] : 0;
                        gs[go + (T1A + k) * B + b] = gp * r[i * B + b];
                        gs[go + (T0A + k) * B + b] = gp * d[i * B + b];
                        gs[go + (C1A + k) * B + b] = gp;
                        gs[go + (C0A + k) * B + b] = gp;
                    }
                }
            }
    }

    /** Gradient of tied parameters: {@code grad[p] = Σ_i Σ_b} (overwrites {@code grad[0, 256)}). */
    public void reduceTied(double[] grad) {
        Arrays.fill(grad, 0, P, 0);
        for (int i = 0; i < N; i++)
            for (int p = 0; p < P; p++) {
                int go = (i * P + p) * B;
                double acc = 0;
                for (int b = 0; b < B; b++) acc += gs[go + b];
                grad[p] += acc;
            }
    }

    /** Each node's gradient of its own copy, summed over the batch: {@code grad[i·256 + p]}. */
    public void reducePerNode(double[] grad) {
        for (int i = 0; i < N; i++)
            for (int p = 0; p < P; p++) {
                int go = (i * P + p) * B;
                double acc = 0;
                for (int b = 0; b < B; b++) acc += gs[go + b];
                grad[i * P + p] = acc;
            }
    }

    /** Node i's gradient of sample b, entry p (for tests). */
    public double sampleGradient(int i, int p, int b) { return gs[(i * P + p) * B + b]; }

    /**
     * Gradient consensus (wireless spec §0.3): for each sample, one round of Metropolis–Hastings
     * averaging of the nodes' gradients over that sample's communication graph, times N, summed over
     * the batch: {@code grad[i·256 + p] = N Σ_b Σ_j W^(b)_ij g_j^(b)[p]}.
     */
    public void reduceConsensus(double[] grad) {
        consensusMatrices();
        int i = 0;
        for (; i + 4 <= N; i += 4) {
            int p = 0;
            for (; p + 2 <= P; p += 2) mixBlock(i, p, grad);
            for (; p < P; p++) for (int ii = i; ii < i + 4; ii++) grad[ii * P + p] = N * mixScalar(ii, p);
        }
        for (; i < N; i++) for (int p = 0; p < P; p++) grad[i * P + p] = N * mixScalar(i, p);
    }

    /**
     * Entries p, p+1 of nodes i … i+3: a 4×2 block of the product (W over (j, b)) · (g over (j, b)),
     * its eight sums held in vector registers while j and the samples stream past.
     */
    private void mixBlock(int i, int p, double[] grad) {
        DoubleVector a00 = DoubleVector.zero(V), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int L = V.length(), whole = B - B % L;
        for (int j = 0; j < N; j++) {
            int w0 = (i * N + j) * B, step = N * B, g0 = (j * P + p) * B;
            for (int b = 0; b < whole; b += L) {
                DoubleVector x0 = DoubleVector.fromArray(V, gs, g0 + b), x1 = DoubleVector.fromArray(V, gs, g0 + B + b);
                DoubleVector w = DoubleVector.fromArray(V, this.w, w0 + b);
                a00 = w.fma(x0, a00);
                a01 = w.fma(x1, a01);
                w = DoubleVector.fromArray(V, this.w, w0 + step + b);
                a10 = w.fma(x0, a10);
                a11 = w.fma(x1, a11);
                w = DoubleVector.fromArray(V, this.w, w0 + 2 * step + b);
                a20 = w.fma(x0, a20);
                a21 = w.fma(x1, a21);
                w = DoubleVector.fromArray(V, this.w, w0 + 3 * step + b);
                a30 = w.fma(x0, a30);
                a31 = w.fma(x1, a31);
            }
        }
        // lane order, not reduceLanes(ADD): its order differs between JIT tiers, so the bits would depend on timing
        double[] sums = {laneSum(a00), laneSum(a01), laneSum(a10), laneSum(a11), laneSum(a20), laneSum(a21), laneSum(a30), laneSum(a31)};
        for (int ii = 0; ii < 4; ii++)
            for (int pp = 0; pp < 2; pp++) {
                double t = sums[2 * ii + pp];
                if (whole < B)
                    for (int j = 0; j < N; j++) {
                        int wo = ((i + ii) * N + j) * B, go = (j * P + p + pp) * B;
                        for (int b = whole; b < B; b++) t += w[wo + b] * gs[go + b];
                    }
                grad[(i + ii) * P + p + pp] = N * t;
            }
    }

    private double mixScalar(int i, int p) {
        double t = 0;
        for (int j = 0; j < N; j++) {
            int wo = (i * N + j) * B, go = (j * P + p) * B;
            for (int b = 0; b < B; b++) t += w[wo + b] * gs[go + b];
        }
        return t;
    }

    /** W^(b) of every sample: i ~ j when both H_ij and H_ji survived the cut-off. */
    private void consensusMatrices() {
        Arrays.fill(degree, 0);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j) continue;
                for (int b = 0; b < B; b++) if (H[(i * N + j) * B + b] != 0 && H[(j * N + i) * B + b] != 0) degree[i * B + b]++;
            }
        for (int i = 0; i < N; i++) {
            int so = (i * N + i) * B;
            Arrays.fill(w, so, so + B, 1);
            for (int j = 0; j < N; j++) {
                if (j == i) continue;
                int wo = (i * N + j) * B;
                for (int b = 0; b < B; b++) {
                    boolean edge = H[(i * N + j) * B + b] != 0 && H[(j * N + i) * B + b] != 0;
                    double x = edge ? 1.0 / (1 + Math.max(degree[i * B + b], degree[j * B + b])) : 0;
                    w[wo + b] = x;
                    w[so + b] -= x;
                }
            }
        }
    }
}
