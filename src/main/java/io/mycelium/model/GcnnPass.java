package io.mycelium.model;

import io.mycelium.autodiff.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

/**
 * A fused forward and backward pass of a {@link Gcnn} over many samples at once, for the batched
 * training path: eq. (10) and the local backpropagation of eq. (11)–(14) written as array kernels,
 * without tape bookkeeping. It runs on any partition: the exchanges are the same rounds of message
 * passing the tape would do (one per layer forward, one per layer above the first backward), each
 * carrying all samples' rows.
 *
 * <p>Inside a node's row the layout is feature-major, {@code [feature][sample]}: the shift operator
 * acts on the node axis only, so any layout within a row travels the same, and this one turns the
 * small per-node products (widths of 10 or 32) into long unit-stride loops over samples that the
 * JIT vectorizes. Weights are tied ({@code [1, k, m]}) or one copy per node. The tape stays the
 * reference: tests hold this pass to it.
 */
public final class GcnnPass {
    private final Gcnn model;
    private final Partition part;
    private final Comm comm;
    private int samples;
    private double[][] x, sx; // per layer: X^l and S X^l as [node][feature][sample]; x[L] is the output

    public GcnnPass(Gcnn model, Comm comm) {
        if (!model.shift().symmetric()) throw new IllegalArgumentException("the fused GCNN pass needs a symmetric shift operator");
        this.model = model;
        this.comm = comm;
        this.part = comm.partition();
    }

    public Gcnn model() { return model; }

    /**
     * Runs every layer on {@code input} ({@code [nodes, samples, g_0]}); returns the output as
     * {@code [node][feature][sample]}, which for g_L = 1 is {@code [node][sample]}.
     */
    public double[] forward(Params params, Tensor input) {
        int n = part.size(), g0 = model.width(0), B = input.dim(1);
        double[] in = input.data(), x0 = inputBuffer(B);
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
        int n = part.size(), g0 = model.width(0), S = store.dim(1), B = ids.length;
        double[] in = store.data(), x0 = inputBuffer(B);
        for (int i = 0; i < n; i++)
            for (int f = 0; f < g0; f++) {
                int o = (i * g0 + f) * B, src = i * S * g0 + f;
                for (int b = 0; b < B; b++) x0[o + b] = in[src + ids[b] * g0];
            }
        return forwardFromBuffer(params);
    }

    private double[] inputBuffer(int B) {
        int L = model.layers(), n = part.size();
        samples = B;
        if (x == null || x[0].length != n * B * model.width(0)) {
            x = new double[L + 1][];
            sx = new double[L][];
            for (int l = 0; l <= L; l++) x[l] = new double[n * B * model.width(l)];
            for (int l = 0; l < L; l++) sx[l] = new double[n * B * model.width(l)];
        }
        return x[0];
    }

    private double[] forwardFromBuffer(Params params) {
        int L = model.layers(), B = samples;
        for (int l = 0; l < L; l++) {
            int k = model.width(l);
            double[] halo = Exchange.pull(comm, x[l], B * k);
            Exchange.apply(part, model.shift(), x[l], halo, B * k, sx[l], false);
            layer(params.get(Gcnn.theta0(l)), params.get(Gcnn.theta1(l)), l);
        }
        return x[L];
    }

    private void layer(Tensor t0, Tensor t1, int l) {
        double[] W0 = t0.data(), W1 = t1.data(), in = x[l], sin = sx[l], out = x[l + 1];
        int k = model.width(l), m = model.width(l + 1), km = k * m, B = samples, n = part.size();
        boolean tied = t0.rows() == 1;
        Activation act = model.activation(l);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km * B), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                int wo = tied ? 0 : i * km;
                int j = 0;
                for (; j + 1 < m; j += 2) {            // two outputs per sweep share the input loads
                    int o = (i * m + j) * B, o2 = o + B;
                    java.util.Arrays.fill(out, o, o2 + B, 0);
                    for (int kk = 0; kk < k; kk++) {
                        int wr = wo + kk * m + j;
                        double a0 = W0[wr], a1 = W1[wr], b0 = W0[wr + 1], b1 = W1[wr + 1];
                        int xo = (i * k + kk) * B;
                        for (int b = 0; b < B; b++) {
                            double xv = in[xo + b], sv = sin[xo + b];
                            out[o + b] += a0 * xv + a1 * sv;
                            out[o2 + b] += b0 * xv + b1 * sv;
                        }
                    }
                    activate(act, out, o, o2 + B);
                }
                for (; j < m; j++) {
                    int o = (i * m + j) * B;
                    java.util.Arrays.fill(out, o, o + B, 0);
                    for (int kk = 0; kk < k; kk++) {
                        double w0 = W0[wo + kk * m + j], w1 = W1[wo + kk * m + j];
                        int xo = (i * k + kk) * B;
                        for (int b = 0; b < B; b++) out[o + b] += w0 * in[xo + b] + w1 * sin[xo + b];
                    }
                    activate(act, out, o, o + B);
                }
            }
        });
    }

    private static void activate(Activation act, double[] v, int from, int to) {
        switch (act) {
            case SIGMOID -> {
                // 1/(1+e^-h) is exact enough everywhere (e^-h → ∞ gives 0); no branch to mispredict
                for (int q = from; q < to; q++) v[q] = 1 / (1 + Math.exp(-v[q]));
            }
            case RELU -> { for (int q = from; q < to; q++) v[q] = v[q] > 0 ? v[q] : 0; }
            case TANH -> { for (int q = from; q < to; q++) v[q] = Math.tanh(v[q]); }
            case IDENTITY -> { }
        }
    }

    /** σ'(h) from y = σ(h), as the tape computes it. */
    private static double slope(Activation act, double y) {
        return switch (act) {
            case SIGMOID -> y * (1 - y);
            case RELU -> y > 0 ? 1 : 0;
            case TANH -> 1 - y * y;
            case IDENTITY -> 1;
        };
    }

    /**
     * Backpropagates {@code dLoss/dOutput} (Z^L of eq. 11, laid out like the output) through the
     * recorded forward pass and adds the parameter gradients of eq. (13) into {@code grads}.
     */
    public void backward(Params params, double[] outputGrad, Params grads) {
        int L = model.layers(), n = part.size(), B = samples;
        double[] z = outputGrad.clone();
        for (int l = L - 1; l >= 0; l--) {
            int k = model.width(l), m = model.width(l + 1);
            Activation act = model.activation(l);
            double[] y = x[l + 1];
            for (int q = 0; q < z.length; q++) z[q] *= slope(act, y[q]);              // Q of eq. (12), in place
            Tensor t0 = params.get(Gcnn.theta0(l)), t1 = params.get(Gcnn.theta1(l));
            weightGrads(l, z, grads.get(Gcnn.theta0(l)).data(), grads.get(Gcnn.theta1(l)).data(), t0.rows() == 1);
            if (l == 0) break;
            // eq. (14): Z^{l-1} = Θ0 Q + S^T (Θ1 Q); the second term is one round of messages Θ1^j Q_j
            double[] direct = new double[n * k * B], msg = new double[n * k * B];
            double[] W0 = t0.data(), W1 = t1.data(), q = z;
            boolean tied = t0.rows() == 1;
            int km = k * m;
            Parallel.forRange(n, Parallel.chunks(n, 2L * km * B), (c, from, to) -> {
                for (int i = from; i < to; i++) {
                    int wo = tied ? 0 : i * km;
                    for (int kk = 0; kk < k; kk++) {
                        int o = (i * k + kk) * B;
                        for (int j = 0; j < m; j++) {
                            double w0 = W0[wo + kk * m + j], w1 = W1[wo + kk * m + j];
                            int qo = (i * m + j) * B;
                            for (int b = 0; b < B; b++) {
                                direct[o + b] += w0 * q[qo + b];
                                msg[o + b] += w1 * q[qo + b];
                            }
                        }
                    }
                }
            });
            double[] halo = Exchange.pull(comm, msg, k * B);
            Exchange.apply(part, model.shift(), msg, halo, k * B, direct, true);
            z = direct;
        }
    }

    /** dΘ0 += Σ_b X^l Q^T and dΘ1 += Σ_b (S X^l) Q^T per node, or summed over nodes when tied. */
    private void weightGrads(int l, double[] q, double[] g0, double[] g1, boolean tied) {
        int k = model.width(l), m = model.width(l + 1), km = k * m, B = samples, n = part.size();
        double[] in = x[l], sin = sx[l];
        int chunks = Parallel.chunks(n, 2L * km * B);
        double[][] p0 = tied ? new double[chunks][km] : null, p1 = tied ? new double[chunks][km] : null;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            double[] two = new double[2];
            for (int i = from; i < to; i++) {
                double[] a0 = tied ? p0[c] : g0, a1 = tied ? p1[c] : g1;
                int wo = tied ? 0 : i * km;
                for (int kk = 0; kk < k; kk++) {
                    int xo = (i * k + kk) * B;
                    for (int j = 0; j < m; j++) {
                        dots(in, sin, xo, q, (i * m + j) * B, B, two);
                        a0[wo + kk * m + j] += two[0];
                        a1[wo + kk * m + j] += two[1];
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
}
