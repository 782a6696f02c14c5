package io.mycelium.ssl;

import io.mycelium.graph.Graph;

/**
 * The centralized twin of decentralized layer-wise training: one copy of the parameters, full-batch
 * gradient steps (SGD or Adam) on the mean over all nodes of the per-node layer-wise loss ({@link SslConfig}). Written in
 * matrix form (A = ÂH, U = AW + b, ∇W = AᵀdU/n), independently of the per-node simulation, so that the
 * lockstep schedule with exact averaging can be checked against it.
 *
 * <p>Round r (1-based) trains every layer at once: layer l reads the layer-(l−1) outputs and the
 * layer-l outputs of round r−1 as constants, takes one step, and recomputes its outputs on the same
 * inputs. Round 0 is the forward pass of the initial parameters.
 */
public final class CentralizedLayerwise {
    private final SslGraph data;
    private final Graph g;
    private final SslConfig c;
    private final int n;
    final double[][] params, m, v;
    private final double[][] h, lastGrad;
    private long t;
    private double lastLoss;

    public CentralizedLayerwise(SslGraph data, SslConfig c) {
        this.data = data;
        this.g = data.graph();
        this.c = c;
        this.n = data.n();
        int L = c.layers();
        params = new double[L + 1][];
        m = new double[L + 1][];
        v = new double[L + 1][];
        h = new double[L + 1][];
        lastGrad = new double[L + 1][];
        h[0] = data.inputs();
        for (int l = 1; l <= L; l++) {
            params[l] = Encoder.init(c, l, data.inputDim());
            m[l] = new double[params[l].length];
            v[l] = new double[params[l].length];
            h[l] = affine(aggregate(input(h, l), c.in(l, data.inputDim())), c.in(l, data.inputDim()), l, params[l]);
        }
    }

    /** One round (all layers); returns the mean loss over nodes and layers before the step. */
    public double round() {
        t++;
        int L = c.layers();
        double[][] next = new double[L + 1][];
        next[0] = h[0];
        double loss = 0;
        for (int l = 1; l <= L; l++) {
            int in = c.in(l, data.inputDim()), width = c.width(l);
            double[] a = aggregate(input(h, l), in);
            double[] grad = new double[params[l].length];
            if (c.loss() == SslConfig.Loss.DECORRELATION) {
                double[] aA = Encoder.augmentedAggregate(g, c, input(h, l), in, t, l, 0), aB = Encoder.augmentedAggregate(g, c, input(h, l), in, t, l, 1);
                double[] dA = new double[n * width], dB = new double[n * width];
                loss += decorrelation(affine(aA, in, l, params[l]), affine(aB, in, l, params[l]), n, width, c.lambda(), dA, dB);
                Encoder.addOuter(aA, dA, n, in, width, grad);
                Encoder.addOuter(aB, dB, n, in, width, grad);
                java.util.Arrays.fill(grad, in * width, grad.length, 0); // the loss does not depend on b (standardized outputs)
            } else {
                double[] u = affine(a, in, l, params[l]);
                double[] zc = normalizedRows(h[l], width);
                double[] du = new double[n * width];
                loss += lossGradient(l, u, zc, du);
                Encoder.addOuter(a, du, n, in, width, grad);
                for (int k = 0; k < grad.length; k++) grad[k] /= n;
            }
            lastGrad[l] = grad;
            Encoder.step(c, params[l], m[l], v[l], 0, grad, 0, grad.length, t, (t - 1.0) / Math.max(1, c.epochs()));
            next[l] = affine(a, in, l, params[l]);
        }
        System.arraycopy(next, 0, h, 0, L + 1);
        lastLoss = loss / L;
        return lastLoss;
    }

    /**
     * CCA-SSG's loss of two views ZA, ZB (n × d) in matrix form ({@link Decorrelation} has the formula),
     * writing ∂L/∂ZA and ∂L/∂ZB into dA, dB: standardize with the exact batch mean and variance, take
     * G = ∂L/∂Ẑ, and go back through the standardization as batch normalization does,
     * ∂L/∂Z = (G − mean G − Ẑ ∘ mean(G ∘ Ẑ)) / s.
     */
    static double decorrelation(double[] zA, double[] zB, int n, int d, double lambda, double[] dA, double[] dB) {
        double[] sA = new double[d], sB = new double[d];
        double[] hA = standardize(zA, n, d, sA), hB = standardize(zB, n, d, sB);
        double[] cA = gram(hA, hA, n, d), cB = gram(hB, hB, n, d), cAB = gram(hA, hB, n, d);
        double loss = 0;
        for (int k = 0; k < d; k++) {
            loss -= cAB[k * d + k];
            for (int m = 0; m < d; m++) {
                double a = cA[k * d + m] - (k == m ? 1 : 0), b = cB[k * d + m] - (k == m ? 1 : 0);
                loss += lambda * (a * a + b * b);
            }
        }
        // G_A = −ẐB/n + (4λ/n) ẐA (C_A − I), and B likewise
        double[] gA = new double[n * d], gB = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) {
                double a = -hB[i * d + k] / n, b = -hA[i * d + k] / n;
                for (int m = 0; m < d; m++) {
                    a += 4 * lambda / n * hA[i * d + m] * (cA[m * d + k] - (m == k ? 1 : 0));
                    b += 4 * lambda / n * hB[i * d + m] * (cB[m * d + k] - (m == k ? 1 : 0));
                }
                gA[i * d + k] = a;
                gB[i * d + k] = b;
            }
        backThroughStandardization(gA, hA, sA, n, d, dA);
        backThroughStandardization(gB, hB, sB, n, d, dB);
        return loss;
    }

    private static double[] standardize(double[] z, int n, int d, double[] s) {
        double[] h = new double[n * d];
        for (int k = 0; k < d; k++) {
            double mu = 0, var = 0;
            for (int i = 0; i < n; i++) mu += z[i * d + k];
            mu /= n;
            for (int i = 0; i < n; i++) var += (z[i * d + k] - mu) * (z[i * d + k] - mu);
            s[k] = Math.sqrt(var / n);
            for (int i = 0; i < n; i++) h[i * d + k] = s[k] > 0 ? (z[i * d + k] - mu) / s[k] : 0;
        }
        return h;
    }

    /** XᵀY/n for X, Y n × d. */
    private static double[] gram(double[] x, double[] y, int n, int d) {
        double[] c = new double[d * d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++) {
                double xk = x[i * d + k] / n;
                for (int m = 0; m < d; m++) c[k * d + m] += xk * y[i * d + m];
            }
        return c;
    }

    private static void backThroughStandardization(double[] gr, double[] h, double[] s, int n, int d, double[] out) {
        for (int k = 0; k < d; k++) {
            if (s[k] == 0) continue;
            double mg = 0, mgh = 0;
            for (int i = 0; i < n; i++) { mg += gr[i * d + k]; mgh += gr[i * d + k] * h[i * d + k]; }
            mg /= n;
            mgh /= n;
            for (int i = 0; i < n; i++) out[i * d + k] = (gr[i * d + k] - mg - h[i * d + k] * mgh) / s[k];
        }
    }

    /** Σ_v ℓ_v / n of layer l, writing ∂(that)/∂U ·n into du (the 1/n is applied to the parameter gradient). */
    private double lossGradient(int l, double[] u, double[] zc, double[] du) {
        double tau = c.tau(), loss = 0;
        int width = c.width(l);
        int[] off = g.offsets(), nb = g.neighbours();
        double[] hz = new double[width], dz = new double[width];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < width; j++) { hz[j] = u[i * width + j]; norm += hz[j] * hz[j]; }
            norm = Math.sqrt(norm);
            java.util.Arrays.fill(dz, 0);
            if (norm > 0) for (int j = 0; j < width; j++) hz[j] /= norm;
            int deg = off[i + 1] - off[i];
            for (int p = off[i]; p < off[i + 1]; p++) {
                double s = dot(hz, zc, nb[p] * width);
                loss += Encoder.softplusNeg(s / tau) / deg;
                double coef = -(1 - Encoder.sigmoid(s / tau)) / tau / deg;
                for (int j = 0; j < width; j++) dz[j] += coef * zc[nb[p] * width + j];
            }
            int used = 0;
            int[] negs = new int[c.negatives()];
            for (int q = 0; q < c.negatives(); q++) {
                negs[q] = Encoder.oracleNegative(g, c.seed(), i, t, l, q);
                if (negs[q] >= 0) used++;
            }
            for (int q = 0; q < c.negatives(); q++) {
                if (negs[q] < 0) continue;
                double s = dot(hz, zc, negs[q] * width);
                loss += c.negWeight() * Encoder.softplusNeg(-s / tau) / used;
                double coef = c.negWeight() * Encoder.sigmoid(s / tau) / tau / used;
                for (int j = 0; j < width; j++) dz[j] += coef * zc[negs[q] * width + j];
            }
            if (norm == 0) continue;
            double proj = 0;
            for (int j = 0; j < width; j++) proj += dz[j] * hz[j];
            for (int j = 0; j < width; j++) du[i * width + j] = (dz[j] - proj * hz[j]) / norm;
        }
        return loss / n;
    }

    private static double dot(double[] a, double[] b, int off) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += a[j] * b[off + j];
        return s;
    }

    /** Layer l's input: the features for l = 1, else ReLU of layer l−1's pre-activations. */
    private double[] input(double[][] h, int l) { return l == 1 ? h[0] : relu(h[l - 1]); }

    double[] aggregate(double[] x, int w) { return Encoder.aggregate(g, x, w); }

    double[] affine(double[] a, int in, int l, double[] p) { return Encoder.affine(a, n, in, c.width(l), p); }

    static double[] relu(double[] u) {
        double[] r = new double[u.length];
        for (int k = 0; k < u.length; k++) r[k] = Math.max(0, u[k]);
        return r;
    }

    private double[] normalizedRows(double[] x, int width) {
        double[] r = new double[x.length];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < width; j++) s += x[i * width + j] * x[i * width + j];
            s = Math.sqrt(s);
            if (s > 0) for (int j = 0; j < width; j++) r[i * width + j] = x[i * width + j] / s;
        }
        return r;
    }

    /** The concatenated outputs [ReLU(u^1) ‖ … ‖ ReLU(u^L)], n × (L·width). */
    public double[] embedding() { return relu(concat(h, n, c)); }

    /** The concatenated pre-activations [u^1 ‖ … ‖ u^L]. */
    public double[] preActivations() { return concat(h, n, c); }

    /** Every layer's parameters ({@code [l]}: W then b; index 0 unused). */
    public double[][] parameters() { return Encoder.copyLayers(params); }

    /** Layer l's parameters (W then b), for tests. */
    public double[] parameters(int l) { return params[l].clone(); }

    public double lastLoss() { return lastLoss; }

    /** The gradient of layer l's loss the last round stepped on (W then b), for tests. */
    double[] lastGradient(int l) { return lastGrad[l].clone(); }

    /** Rows [h^1_i ‖ … ‖ h^L_i] of the per-layer matrices h[l] (n × width(l)). */
    static double[] concat(double[][] h, int n, SslConfig c) {
        int dim = c.embeddingDim();
        double[] e = new double[n * dim];
        for (int l = 1; l < h.length; l++) {
            int w = c.width(l), o = c.embeddingOffset(l);
            for (int i = 0; i < n; i++) System.arraycopy(h[l], i * w, e, i * dim + o, w);
        }
        return e;
    }
}
