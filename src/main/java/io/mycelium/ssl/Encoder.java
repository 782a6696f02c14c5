package io.mycelium.ssl;

import io.mycelium.graph.Graph;

/** The pieces of the GCN encoder that every trainer shares: initialization, GCN weights, Adam, the loss's σ. */
final class Encoder {
    static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
    static final int INIT = 1, NEG = 2, EDGE_DROP = 3, DIM_DROP = 4;

    private Encoder() {}

    /** Layer l's initial parameters: Glorot-uniform W, zero b. */
    static double[] init(SslConfig c, int l, int inputDim) {
        int in = c.in(l, inputDim), out = c.width(l);
        double[] p = new double[c.paramCount(l, inputDim)];
        double lim = Math.sqrt(6.0 / (in + out));
        for (int k = 0; k < in * out; k++) p[k] = (2 * Draw.uniform(Draw.hash(c.seed(), INIT, l, k, 0)) - 1) * lim;
        return p;
    }

    /** GCN weight of u's value at v (u = v for the self term). */
    static double weight(Graph g, int v, int u) { return 1 / Math.sqrt((g.degree(u) + 1.0) * (g.degree(v) + 1.0)); }

    /**
     * The q-th negative of node v for layer l in round r, drawn uniformly from the nodes that are neither
     * v nor its neighbours (up to 32 tries; −1 when none was found).
     */
    static int oracleNegative(Graph g, long seed, int v, long round, int l, int q) {
        for (int attempt = 0; attempt < 32; attempt++) {
            int u = Draw.below(Draw.hash(seed, NEG, v, round * 64 + l, (long) q * 32 + attempt), g.n());
            if (u != v && !g.hasEdge(v, u)) return u;
        }
        return -1;
    }

    /**
     * Decorrelation views: whether view {@code view} (0 = A, 1 = B) of node v's layer-l input at step time t
     * keeps v's p-th neighbour (edge drop; v itself is always kept).
     */
    static boolean keepsNeighbour(SslConfig c, int v, long t, int l, int view, int p) {
        return c.edgeDrop() == 0 || Draw.uniform(Draw.hash(c.seed(), EDGE_DROP, v, t * 64 + l, 2L * p + view)) >= c.edgeDrop();
    }

    /** Whether view {@code view} of node v's aggregated layer-l input at step time t keeps dimension k (feature drop). */
    static boolean keepsDim(SslConfig c, int v, long t, int l, int view, int k) {
        return c.featureDrop() == 0 || Draw.uniform(Draw.hash(c.seed(), DIM_DROP, v, t * 64 + l, 2L * k + view)) >= c.featureDrop();
    }

    /** View {@code view}'s aggregated inputs (edge and dimension drop, see {@link #keepsNeighbour}) for every node, n × w. */
    static double[] augmentedAggregate(Graph g, SslConfig c, double[] x, int w, long t, int l, int view) { return aggregate(g, x, w, c, t, l, view); }

    /**
     * One step of c's optimizer on p[off..off+len) with gradient g[goff..], local step count t ≥ 1 (m, v:
     * Adam's moments), at {@code progress} ∈ [0, 1] of training (for the learning-rate decay).
     */
    static void step(SslConfig c, double[] p, double[] m, double[] v, int off, double[] g, int goff, int len, long t, double progress) {
        double lr = c.lrAt(progress);
        if (c.optimizer() == SslConfig.Optimizer.ADAM) adam(p, m, v, off, g, goff, len, t, lr);
        else for (int k = 0; k < len; k++) p[off + k] -= lr * g[goff + k];
    }

    /** One Adam step on p[off..off+len) with gradient g[goff..], local step count t ≥ 1. */
    static void adam(double[] p, double[] m, double[] v, int off, double[] g, int goff, int len, long t, double lr) {
        double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
        for (int k = 0; k < len; k++) {
            double gk = g[goff + k];
            int i = off + k;
            m[i] = BETA1 * m[i] + (1 - BETA1) * gk;
            v[i] = BETA2 * v[i] + (1 - BETA2) * gk * gk;
            p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
        }
    }

    static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }

    /** −log σ(x), stable. */
    static double softplusNeg(double x) { return x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)); }

    /** Â X for X of width w (n × w): GCN weights with self-loops. */
    static double[] aggregate(Graph g, double[] x, int w) { return aggregate(g, x, w, null, 0, 0, 0); }

    /** Â X, or with c non-null view {@code view} of it at step time t for layer l (dropped neighbours left out, dropped dims 0). */
    private static double[] aggregate(Graph g, double[] x, int w, SslConfig c, long t, int l, int view) {
        int n = g.n();
        double[] r = new double[n * w];
        int[] off = g.offsets(), nb = g.neighbours();
        for (int i = 0; i < n; i++) {
            double self = weight(g, i, i);
            for (int k = 0; k < w; k++) r[i * w + k] = self * x[i * w + k];
            for (int p = off[i]; p < off[i + 1]; p++) {
                if (c != null && !keepsNeighbour(c, i, t, l, view, p - off[i])) continue;
                double wt = weight(g, i, nb[p]);
                for (int k = 0; k < w; k++) r[i * w + k] += wt * x[nb[p] * w + k];
            }
            if (c != null) for (int k = 0; k < w; k++) if (r[i * w + k] != 0 && !keepsDim(c, i, t, l, view, k)) r[i * w + k] = 0;
        }
        return r;
    }

    /** A W + b for A (n × in) and p = (W in × width row-major, b). */
    static double[] affine(double[] a, int n, int in, int width, double[] p) {
        double[] u = new double[n * width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(p, in * width, u, i * width, width);
            for (int k = 0; k < in; k++) {
                double aik = a[i * in + k];
                if (aik == 0) continue;
                for (int j = 0; j < width; j++) u[i * width + j] += aik * p[k * width + j];
            }
        }
        return u;
    }

    /** The gradient of {@link #affine} into grad: grad[W] += Aᵀ D, grad[b] += Σ_i D_i for A (n × in) and D (n × width). */
    static void addOuter(double[] a, double[] du, int n, int in, int width, double[] grad) {
        for (int i = 0; i < n; i++)
            for (int k = 0; k < in; k++) {
                double aik = a[i * in + k];
                if (aik == 0) continue;
                for (int j = 0; j < width; j++) grad[k * width + j] += aik * du[i * width + j];
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < width; j++) grad[in * width + j] += du[i * width + j];
    }

    /** A copy of per-layer parameters ({@code [l]}: W then b; index 0 unused, left null). */
    static double[][] copyLayers(double[][] params) {
        double[][] p = new double[params.length][];
        for (int l = 1; l < p.length; l++) p[l] = params[l].clone();
        return p;
    }
}
