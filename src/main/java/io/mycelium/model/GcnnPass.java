package io.mycelium.model;

import io.mycelium.autodiff.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;

/**
 * A fused forward and backward pass of a {@link Gcnn} over many samples at once, for the batched
 * training path: eq. (10) and the local backpropagation of eq. (11)–(14) written as array kernels,
 * without tape bookkeeping. It runs on any partition: the exchanges are the same rounds of message
 * passing the tape would do (one per layer forward, one per layer above the first backward), each
 * carrying all samples' rows.
 *
 * <p>Inside a node's row the layout is feature-major, {@code [feature][sample]}: the shift operator
 * acts on the node axis only, so any layout within a row travels the same, and this one turns the
 * small per-node products (widths of 10 or 32) into long unit-stride loops over samples. HotSpot
 * only vectorizes such a loop when every array in it is indexed by the same expression, so the
 * kernels copy a node's rows into zero-based scratch rows (one set per parallel chunk, kept across
 * calls) and run their multiply-adds there. Weights are tied ({@code [1, k, m]}) or one copy per
 * node. The tape stays the reference: tests hold this pass to it.
 */
public final class GcnnPass {
    private final Gcnn model;
    private final Partition part;
    private final Comm comm;
    private final String[] names0, names1;
    private final int maxWidth;
    private int samples;
    private double[][] x, sx; // per layer: X^l and S X^l as [node][feature][sample]; x[L] is the output
    private double[][] z;     // backward: Z^l per layer, same layout as x
    private double[] msg;     // backward: the messages Θ1 Q of eq. (14), widest layer
    private Scratch[] scratch = new Scratch[0];
    private Tensor bySampleOf;                     // the sample store last copied to...
    private double[] bySample;                     // ...this sample-major layout
    private final int[] gatherBase = new int[8];

    public GcnnPass(Gcnn model, Comm comm) {
        if (!model.shift().symmetric()) throw new IllegalArgumentException("the fused GCNN pass needs a symmetric shift operator");
        this.model = model;
        this.comm = comm;
        this.part = comm.partition();
        int L = model.layers(), w = 0;
        names0 = new String[L];
        names1 = new String[L];
        for (int l = 0; l < L; l++) {
            names0[l] = Gcnn.theta0(l);
            names1[l] = Gcnn.theta1(l);
        }
        for (int l = 0; l <= L; l++) w = Math.max(w, model.width(l));
        maxWidth = w;
    }

    public Gcnn model() { return model; }

    /** Zero-based rows of one parallel chunk: inputs, shifted inputs and outputs of one node. */
    private static final class Scratch {
        final double[][] a, b, c, d;

        Scratch(int rows, int len) {
            a = new double[rows][len];
            b = new double[rows][len];
            c = new double[rows][len];
            d = new double[rows][len];
        }
    }

    private Scratch scratch(int chunk) { return scratch[chunk]; }

    /**
     * Runs every layer on {@code input} ({@code [nodes, samples, g_0]}); returns the output as
     * {@code [node][feature][sample]}, which for g_L = 1 is {@code [node][sample]}.
     */
    public double[] forward(Params params, Tensor input) {
        int n = part.size(), g0 = model.width(0), B = input.dim(1);
        double[] in = input.data(), x0 = buffers(B);
        for (int i = 0; i < n; i++)
            for (int b = 0; b < B; b++)
                for (int f = 0; f < g0; f++) x0[(i * g0 + f) * B + b] = in[(i * B + b) * g0 + f];
        return forwardFromBuffer(params);
    }

    /**
     * Like {@link #forward}, reading samples {@code ids} straight from a node-major store
     * {@code [nodes, allSamples, g_0]} of this partition's rows (no intermediate tensor).
     */
    public double[] forward(Params params, Tensor store, int[] ids) {
        int n = part.size(), g0 = model.width(0), S = store.dim(1), B = ids.length, row = n * g0;
        double[] in = store.data(), x0 = buffers(B);
        if (store != bySampleOf && (long) in.length <= sampleMajorLimit) {
            // once per store: a sample-major copy [sample][node][feature]. A shuffled mini-batch then
            // reads B contiguous runs of n·g_0 doubles instead of B·n scattered feature vectors, which
            // in the node-major store cost a cache miss each (a fifth of a node-regression epoch)
            bySample = new double[in.length];
            for (int i = 0; i < n; i++)
                for (int s = 0; s < S; s++) System.arraycopy(in, (i * S + s) * g0, bySample, s * row + i * g0, g0);
            bySampleOf = store;
        }
        if (store == bySampleOf) {
            double[] src = bySample;
            int[] base = gatherBase;
            for (int b0 = 0; b0 < B; b0 += 8) {      // eight samples at a time: one cache line of x0 per feature row
                int bn = Math.min(8, B - b0);
                for (int q = 0; q < bn; q++) base[q] = ids[b0 + q] * row;
                for (int r = 0; r < row; r++) {
                    int o = r * B + b0;
                    for (int q = 0; q < bn; q++) x0[o + q] = src[base[q] + r];
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                int o = i * g0 * B, first = i * S * g0;
                for (int b = 0; b < B; b++) {
                    int from = first + ids[b] * g0;
                    for (int f = 0; f < g0; f++) x0[o + f * B + b] = in[from + f];
                }
            }
        }
        return forwardFromBuffer(params);
    }

    /** Sample stores up to this many doubles (256 MiB) get a sample-major copy; larger ones are read in place. */
    private long sampleMajorLimit = 1L << 25;

    /** Always read the store in place (tests hold both gathers to the same numbers). */
    GcnnPass readInPlace() {
        sampleMajorLimit = -1;
        return this;
    }

    /** Sizes the per-layer buffers and the scratch rows for {@code B} samples (reused while B stays). */
    private double[] buffers(int B) {
        int L = model.layers(), n = part.size();
        samples = B;
        if (x == null || x[0].length != n * B * model.width(0)) {
            x = new double[L + 1][];
            sx = new double[L][];
            z = new double[L + 1][];
            for (int l = 0; l <= L; l++) x[l] = new double[n * B * model.width(l)];
            for (int l = 0; l < L; l++) sx[l] = new double[n * B * model.width(l)];
            for (int l = 1; l <= L; l++) z[l] = new double[n * B * model.width(l)];
            msg = new double[n * B * maxWidth];
            scratch = new Scratch[Parallel.MAX_CHUNKS];
            for (int c = 0; c < scratch.length; c++) scratch[c] = new Scratch(maxWidth, B);
        }
        return x[0];
    }

    private double[] forwardFromBuffer(Params params) {
        int L = model.layers(), B = samples;
        for (int l = 0; l < L; l++) {
            int k = model.width(l);
            double[] halo = Exchange.pull(comm, x[l], B * k);
            Exchange.apply(part, model.shift(), x[l], halo, B * k, sx[l], false);
            layer(params.get(names0[l]), params.get(names1[l]), l);
        }
        return x[L];
    }

    /** X^{l+1}_i = σ(X^l_i Θ0 + (S X^l)_i Θ1) node by node, in scratch rows. */
    private void layer(Tensor t0, Tensor t1, int l) {
        double[] W0 = t0.data(), W1 = t1.data(), in = x[l], sin = sx[l], out = x[l + 1];
        int k = model.width(l), m = model.width(l + 1), km = k * m, B = samples, n = part.size();
        boolean tied = t0.rows() == 1;
        Activation act = model.activation(l);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km * B), (c, from, to) -> {
            Scratch s = scratch(c);
            double[][] xr = s.a, sr = s.b, acc = s.c;
            for (int i = from; i < to; i++) {
                int wo = tied ? 0 : i * km;
                for (int kk = 0; kk < k; kk++) {
                    System.arraycopy(in, (i * k + kk) * B, xr[kk], 0, B);
                    System.arraycopy(sin, (i * k + kk) * B, sr[kk], 0, B);
                }
                int j = 0;
                for (; j + 1 < m; j += 2) {            // two outputs per sweep share the input loads
                    double[] o1 = acc[j], o2 = acc[j + 1];
                    Arrays.fill(o1, 0, B, 0);
                    Arrays.fill(o2, 0, B, 0);
                    for (int kk = 0; kk < k; kk++) {
                        int wr = wo + kk * m + j;
                        axpy2(xr[kk], sr[kk], o1, o2, W0[wr], W1[wr], W0[wr + 1], W1[wr + 1], B);
                    }
                }
                for (; j < m; j++) {
                    double[] o1 = acc[j];
                    Arrays.fill(o1, 0, B, 0);
                    for (int kk = 0; kk < k; kk++) axpy1(xr[kk], sr[kk], o1, W0[wo + kk * m + j], W1[wo + kk * m + j], B);
                }
                for (j = 0; j < m; j++) {
                    activate(act, acc[j], B);
                    System.arraycopy(acc[j], 0, out, (i * m + j) * B, B);
                }
            }
        });
    }

    /** {@code o1 += a0 x + a1 s; o2 += b0 x + b1 s}. */
    private static void axpy2(double[] x, double[] s, double[] o1, double[] o2, double a0, double a1, double b0, double b1, int len) {
        for (int b = 0; b < len; b++) {
            double xv = x[b], sv = s[b];
            o1[b] += a0 * xv + a1 * sv;
            o2[b] += b0 * xv + b1 * sv;
        }
    }

    /** {@code o += a0 x + a1 s}. */
    private static void axpy1(double[] x, double[] s, double[] o, double a0, double a1, int len) {
        for (int b = 0; b < len; b++) o[b] += a0 * x[b] + a1 * s[b];
    }

    private static void activate(Activation act, double[] v, int len) {
        switch (act) {
            case SIGMOID -> sigmoid(v, len);
            case RELU -> { for (int q = 0; q < len; q++) v[q] = v[q] > 0 ? v[q] : 0; }
            case TANH -> { for (int q = 0; q < len; q++) v[q] = Math.tanh(v[q]); }
            case IDENTITY -> { }
        }
    }

    private static final double[] EXP_TAYLOR = new double[16];

    static {
        double f = 1;
        for (int t = 0; t < EXP_TAYLOR.length; t++) {
            if (t > 0) f *= t;
            EXP_TAYLOR[t] = 1 / f;
        }
    }

    /**
     * σ(h) = 1/(1 + e^-h) in place, without {@code Math.exp}: HotSpot calls exp once per element
     * (about 5 ns), which made the sigmoid a quarter of a node-regression epoch. Here e^-h =
     * (e^r)^64 with r = -h/64, e^r from its Taylor polynomial to degree 15 (|r| ≤ 0.625, truncation
     * below 1e-17) and six squarings; only multiplies and adds, so the loop vectorizes (~2 ns per
     * element). h is clamped to [-40, 40], where σ is within 5e-18 of 0 or 1. Relative error against
     * 1/(1 + Math.exp(-h)) is below 2e-14 (squaring doubles the polynomial's rounding six times).
     */
    static void sigmoid(double[] v, int len) {
        final double c15 = EXP_TAYLOR[15], c14 = EXP_TAYLOR[14], c13 = EXP_TAYLOR[13], c12 = EXP_TAYLOR[12], c11 = EXP_TAYLOR[11],
                c10 = EXP_TAYLOR[10], c9 = EXP_TAYLOR[9], c8 = EXP_TAYLOR[8], c7 = EXP_TAYLOR[7], c6 = EXP_TAYLOR[6], c5 = EXP_TAYLOR[5],
                c4 = EXP_TAYLOR[4], c3 = EXP_TAYLOR[3], c2 = EXP_TAYLOR[2];
        for (int q = 0; q < len; q++) {
            double r = Math.max(-40.0, Math.min(40.0, v[q])) * (-1.0 / 64);
            double p = c15 * r + c14;
            p = p * r + c13;
            p = p * r + c12;
            p = p * r + c11;
            p = p * r + c10;
            p = p * r + c9;
            p = p * r + c8;
            p = p * r + c7;
            p = p * r + c6;
            p = p * r + c5;
            p = p * r + c4;
            p = p * r + c3;
            p = p * r + c2;
            p = p * r + 1;
            p = p * r + 1;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            v[q] = 1 / (1 + p);
        }
    }

    /** {@code z ⊙= σ'(h)} from y = σ(h), as the tape computes it; one loop per activation so each vectorizes. */
    private static void slope(Activation act, double[] y, double[] z, int len) {
        switch (act) {
            case SIGMOID -> { for (int q = 0; q < len; q++) z[q] *= y[q] * (1 - y[q]); }
            case RELU -> { for (int q = 0; q < len; q++) z[q] = y[q] > 0 ? z[q] : 0; }
            case TANH -> { for (int q = 0; q < len; q++) z[q] *= 1 - y[q] * y[q]; }
            case IDENTITY -> { }
        }
    }

    /**
     * Backpropagates {@code dLoss/dOutput} (Z^L of eq. 11, laid out like the output) through the
     * recorded forward pass and adds the parameter gradients of eq. (13) into {@code grads}.
     */
    public void backward(Params params, double[] outputGrad, Params grads) {
        int L = model.layers(), n = part.size(), B = samples;
        System.arraycopy(outputGrad, 0, z[L], 0, z[L].length);
        for (int l = L - 1; l >= 0; l--) {
            int k = model.width(l), m = model.width(l + 1);
            double[] q = z[l + 1];
            slope(model.activation(l), x[l + 1], q, q.length);          // Q of eq. (12), in place
            Tensor t0 = params.get(names0[l]), t1 = params.get(names1[l]);
            boolean tied = t0.rows() == 1;
            weightGrads(l, q, grads.get(names0[l]).data(), grads.get(names1[l]).data(), tied);
            if (l == 0) break;
            // eq. (14): Z^{l-1} = Θ0 Q + S^T (Θ1 Q); the second term is one round of messages Θ1^j Q_j
            double[] direct = z[l], msgs = msg;
            double[] W0 = t0.data(), W1 = t1.data();
            int km = k * m;
            Parallel.forRange(n, Parallel.chunks(n, 2L * km * B), (c, from, to) -> {
                Scratch s = scratch(c);
                double[][] qr = s.a, dr = s.c, mr = s.d;
                for (int i = from; i < to; i++) {
                    int wo = tied ? 0 : i * km;
                    for (int j = 0; j < m; j++) System.arraycopy(q, (i * m + j) * B, qr[j], 0, B);
                    for (int kk = 0; kk < k; kk++) {
                        double[] d = dr[kk], g = mr[kk];
                        Arrays.fill(d, 0, B, 0);
                        Arrays.fill(g, 0, B, 0);
                        for (int j = 0; j < m; j++) scale2(qr[j], d, g, W0[wo + kk * m + j], W1[wo + kk * m + j], B);
                        System.arraycopy(d, 0, direct, (i * k + kk) * B, B);
                        System.arraycopy(g, 0, msgs, (i * k + kk) * B, B);
                    }
                }
            });
            double[] halo = Exchange.pull(comm, msgs, k * B);
            Exchange.apply(part, model.shift(), msgs, halo, k * B, direct, true);
        }
    }

    /** {@code d += a q; g += b q}. */
    private static void scale2(double[] q, double[] d, double[] g, double a, double b, int len) {
        for (int t = 0; t < len; t++) {
            double v = q[t];
            d[t] += a * v;
            g[t] += b * v;
        }
    }

    /** dΘ0 += Σ_b X^l Q^T and dΘ1 += Σ_b (S X^l) Q^T per node, or summed over nodes when tied. */
    private void weightGrads(int l, double[] q, double[] g0, double[] g1, boolean tied) {
        int k = model.width(l), m = model.width(l + 1), km = k * m, B = samples, n = part.size();
        double[] in = x[l], sin = sx[l];
        int chunks = Parallel.chunks(n, 2L * km * B);
        double[][] p0 = tied ? new double[chunks][km] : null, p1 = tied ? new double[chunks][km] : null;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            double[] four = new double[4];
            for (int i = from; i < to; i++) {
                double[] a0 = tied ? p0[c] : g0, a1 = tied ? p1[c] : g1;
                int wo = tied ? 0 : i * km;
                for (int kk = 0; kk < k; kk++) {
                    int xo = (i * k + kk) * B, j = 0;
                    for (; j + 1 < m; j += 2) {         // two outputs share the loads of X and S X
                        dots2(in, sin, xo, q, (i * m + j) * B, B, four);
                        a0[wo + kk * m + j] += four[0];
                        a1[wo + kk * m + j] += four[1];
                        a0[wo + kk * m + j + 1] += four[2];
                        a1[wo + kk * m + j + 1] += four[3];
                    }
                    for (; j < m; j++) {
                        dots(in, sin, xo, q, (i * m + j) * B, B, four);
                        a0[wo + kk * m + j] += four[0];
                        a1[wo + kk * m + j] += four[1];
                    }
                }
            }
        });
        if (!tied) return;
        for (int c = 0; c < chunks; c++)
            for (int t = 0; t < km; t++) {
                g0[t] += p0[c][t];
                g1[t] += p1[c][t];
            }
    }

    /** {@code out = (a·q, s·q)} over {@code len} entries, with independent partial sums so the loop pipelines. */
    private static void dots(double[] a, double[] s, int ao, double[] q, int qo, int len, double[] out) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int t = 0;
        for (; t + 3 < len; t += 4) {
            double q0 = q[qo + t], q1 = q[qo + t + 1], q2 = q[qo + t + 2], q3 = q[qo + t + 3];
            a0 += a[ao + t] * q0;
            a1 += a[ao + t + 1] * q1;
            a2 += a[ao + t + 2] * q2;
            a3 += a[ao + t + 3] * q3;
            s0 += s[ao + t] * q0;
            s1 += s[ao + t + 1] * q1;
            s2 += s[ao + t + 2] * q2;
            s3 += s[ao + t + 3] * q3;
        }
        for (; t < len; t++) {
            a0 += a[ao + t] * q[qo + t];
            s0 += s[ao + t] * q[qo + t];
        }
        out[0] = (a0 + a1) + (a2 + a3);
        out[1] = (s0 + s1) + (s2 + s3);
    }

    /** {@code out = (a·q, s·q, a·q', s·q')} where q' is the row after q. */
    private static void dots2(double[] a, double[] s, int ao, double[] q, int qo, int len, double[] out) {
        double a0 = 0, a1 = 0, s0 = 0, s1 = 0, c0 = 0, c1 = 0, t0 = 0, t1 = 0;
        int r = qo + len, t = 0;
        for (; t + 1 < len; t += 2) {
            double x0 = a[ao + t], x1 = a[ao + t + 1], y0 = s[ao + t], y1 = s[ao + t + 1];
            double p0 = q[qo + t], p1 = q[qo + t + 1], u0 = q[r + t], u1 = q[r + t + 1];
            a0 += x0 * p0;
            a1 += x1 * p1;
            s0 += y0 * p0;
            s1 += y1 * p1;
            c0 += x0 * u0;
            c1 += x1 * u1;
            t0 += y0 * u0;
            t1 += y1 * u1;
        }
        for (; t < len; t++) {
            a0 += a[ao + t] * q[qo + t];
            s0 += s[ao + t] * q[qo + t];
            c0 += a[ao + t] * q[r + t];
            t0 += s[ao + t] * q[r + t];
        }
        out[0] = a0 + a1;
        out[1] = s0 + s1;
        out[2] = c0 + c1;
        out[3] = t0 + t1;
    }
}
