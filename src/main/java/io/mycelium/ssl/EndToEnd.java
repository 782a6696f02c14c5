package io.mycelium.ssl;

import io.mycelium.graph.Graph;

/**
 * The baseline "same encoder, same loss, trained end to end": one copy of the parameters, the loss of
 * {@link SslConfig} on the last layer only, and the full gradient — through every layer, and into both
 * ends of every positive and negative pair (no constants). Full-batch, one step per epoch.
 */
public final class EndToEnd {
    private final Graph g;
    private final SslConfig c;
    private final int n, width, inDim, layers; // width: the last layer's
    private final double[][] params, m, v, pre;
    private final double[] a0;
    private long t;

    public EndToEnd(SslGraph data, SslConfig c) {
        this.g = data.graph();
        this.c = c;
        this.n = data.n();
        this.width = c.width(c.layers());
        this.inDim = data.inputDim();
        this.layers = c.layers();
        params = new double[layers + 1][];
        m = new double[layers + 1][];
        v = new double[layers + 1][];
        pre = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) {
            params[l] = Encoder.init(c, l, inDim);
            m[l] = new double[params[l].length];
            v[l] = new double[params[l].length];
        }
        a0 = Encoder.aggregate(g, data.inputs(), inDim);
        forward();
    }

    private double[][] forward() {
        double[][] agg = new double[layers + 1][];
        agg[1] = a0;
        for (int l = 1; l <= layers; l++) {
            if (l > 1) agg[l] = Encoder.aggregate(g, CentralizedLayerwise.relu(pre[l - 1]), c.width(l - 1));
            pre[l] = Encoder.affine(agg[l], n, c.in(l, inDim), c.width(l), params[l]);
        }
        return agg;
    }

    /** One full-batch step; returns the loss before it. */
    public double epoch() {
        t++;
        double[][] agg = forward();
        double[] u = pre[layers], z = new double[n * width], norm = new double[n], dz = new double[n * width];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < width; j++) s += u[i * width + j] * u[i * width + j];
            norm[i] = Math.sqrt(s);
            if (norm[i] > 0) for (int j = 0; j < width; j++) z[i * width + j] = u[i * width + j] / norm[i];
        }
        double tau = c.tau(), loss = 0;
        int[] off = g.offsets(), nb = g.neighbours();
        int[] negs = new int[c.negatives()];
        for (int i = 0; i < n; i++) {
            int deg = off[i + 1] - off[i];
            for (int p = off[i]; p < off[i + 1]; p++) loss += pair(i, nb[p], z, dz, -1.0 / deg, tau);
            int used = 0;
            for (int q = 0; q < c.negatives(); q++) {
                int x = Encoder.oracleNegative(g, c.seed(), i, t, layers, q);
                if (x >= 0) negs[used++] = x;
            }
            for (int q = 0; q < used; q++) loss += pair(i, negs[q], z, dz, c.negWeight() / used, tau);
        }
        // back through the normalization, then layer by layer
        double[] du = new double[n * width];
        for (int i = 0; i < n; i++) {
            if (norm[i] == 0) continue;
            double proj = 0;
            for (int j = 0; j < width; j++) proj += dz[i * width + j] * z[i * width + j];
            for (int j = 0; j < width; j++) du[i * width + j] = (dz[i * width + j] - proj * z[i * width + j]) / norm[i] / n;
        }
        for (int l = layers; l >= 1; l--) {
            int in = c.in(l, inDim), w = c.width(l);
            double[] grad = new double[params[l].length];
            Encoder.addOuter(agg[l], du, n, in, w, grad);
            if (l > 1) {
                double[] da = new double[n * in];
                for (int i = 0; i < n; i++)
                    for (int k = 0; k < in; k++) {
                        double s = 0;
                        for (int j = 0; j < w; j++) s += du[i * w + j] * params[l][k * w + j];
                        da[i * in + k] = s;
                    }
                double[] dh = Encoder.aggregate(g, da, in); // Â is symmetric
                for (int k = 0; k < dh.length; k++) dh[k] = pre[l - 1][k] > 0 ? dh[k] : 0;
                du = dh;
            }
            Encoder.step(c, params[l], m[l], v[l], 0, grad, 0, grad.length, t, (t - 1.0) / Math.max(1, c.epochs()));
        }
        forward();
        return loss / n;
    }

    /** Adds w·ℓ(σ) of the pair (i, j) to both ends' gradients; w < 0 marks a positive. Returns the loss term. */
    private double pair(int i, int j, double[] z, double[] dz, double w, double tau) {
        double s = 0;
        for (int k = 0; k < width; k++) s += z[i * width + k] * z[j * width + k];
        double coef = w < 0 ? w * (1 - Encoder.sigmoid(s / tau)) / tau : w * Encoder.sigmoid(s / tau) / tau;
        for (int k = 0; k < width; k++) {
            dz[i * width + k] += coef * z[j * width + k];
            dz[j * width + k] += coef * z[i * width + k];
        }
        return w < 0 ? -w * Encoder.softplusNeg(s / tau) : w * Encoder.softplusNeg(-s / tau);
    }

    /** Every layer's parameters ({@code [l]}: W then b; index 0 unused). */
    public double[][] parameters() { return Encoder.copyLayers(params); }

    /** [ReLU(u^1) ‖ … ‖ ReLU(u^L)]. */
    public double[] embedding() { return CentralizedLayerwise.relu(CentralizedLayerwise.concat(pre, n, c)); }
}
