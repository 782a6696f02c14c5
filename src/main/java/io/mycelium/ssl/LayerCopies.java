package io.mycelium.ssl;

import java.util.Arrays;

/**
 * Every node's own copy of one layer's parameters (W: in × width, row-major, then b), with its optimizer
 * moments, step count and age, all nodes in flat arrays.
 *
 * <p>A node stores only the rows of W that its inputs can touch: row k is used (forward) and trained
 * (its gradient is a_k·δu) only when the node's aggregated input a has a_k ≠ 0, and a is a weighted sum of
 * the node's own and its neighbours' inputs. For sparse inputs (bag-of-words) that is a small part of
 * the matrix; every other row stays at the shared-seed initial value, which costs nothing to store. For
 * dense inputs a node holds every row. Gossip sends the rows a node holds (with their ids when that is not
 * all of them); the receiver merges the rows both hold and keeps its own values elsewhere.
 */
final class LayerCopies {
    final int n, in, width;
    private final int[] rowOff, rows;
    private final long[] pOff;
    private final double[] init;
    final double[] theta, m1, m2;
    /** Gradient tracking (null without): each node's tracker y and the gradient it last added to it. */
    final double[] track, lastGrad;
    final int[] steps;
    final long[] age;
    /** Row gossip, built on first use: for row k, the nodes holding it (holderNode) and where in their block (holderAt). */
    private int[] holderOff, holderNode, holderAt;

    /** {@code held[v]}: the sorted rows node v holds, or null for every row. */
    LayerCopies(int n, int in, int width, double[] init, int[][] held, boolean adam) { this(n, in, width, init, held, adam, false); }

    /** With {@code tracking}, every node steps on a gradient tracker (see {@link #apply}) that {@link #exchange} averages. */
    LayerCopies(int n, int in, int width, double[] init, int[][] held, boolean adam, boolean tracking) {
        this.n = n;
        this.in = in;
        this.width = width;
        this.init = init;
        rowOff = new int[n + 1];
        for (int v = 0; v < n; v++) rowOff[v + 1] = Math.addExact(rowOff[v], held == null ? in : held[v].length);
        rows = new int[rowOff[n]];
        for (int v = 0; v < n; v++)
            for (int r = 0; r < rowOff[v + 1] - rowOff[v]; r++) rows[rowOff[v] + r] = held == null ? r : held[v][r];
        pOff = new long[n + 1];
        for (int v = 0; v < n; v++) pOff[v + 1] = pOff[v] + (long) (rowOff[v + 1] - rowOff[v] + 1) * width;
        if (pOff[n] > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("parameter copies too large for one array: " + pOff[n] + " doubles (layer " + in + " × " + width + ")");
        int total = (int) pOff[n];
        theta = new double[total];
        for (int v = 0; v < n; v++) {
            int o = off(v), rc = rowCount(v);
            for (int r = 0; r < rc; r++) System.arraycopy(init, rows[rowOff[v] + r] * width, theta, o + r * width, width);
            System.arraycopy(init, in * width, theta, o + rc * width, width);
        }
        m1 = adam ? new double[total] : null;
        m2 = adam ? new double[total] : null;
        track = tracking ? new double[total] : null;
        lastGrad = tracking ? new double[total] : null;
        steps = new int[n];
        age = new long[n];
    }

    /** For every node, the sorted input dimensions that are nonzero at the node or any of its neighbours. */
    static int[][] touchedRows(SslGraph data) {
        int n = data.n(), f = data.inputDim();
        double[] x = data.inputs();
        int[] off = data.graph().offsets(), nb = data.graph().neighbours();
        boolean[] mark = new boolean[f];
        int[] scratch = new int[f];
        int[][] held = new int[n][];
        for (int v = 0; v < n; v++) {
            int c = 0;
            for (int p = off[v] - 1; p < off[v + 1]; p++) {
                int u = p < off[v] ? v : nb[p];
                for (int k = 0; k < f; k++) if (x[u * f + k] != 0 && !mark[k]) { mark[k] = true; scratch[c++] = k; }
            }
            held[v] = Arrays.copyOf(scratch, c);
            Arrays.sort(held[v]);
            for (int k : held[v]) mark[k] = false;
        }
        return held;
    }

    int off(int v) { return (int) pOff[v]; }

    int rowCount(int v) { return rowOff[v + 1] - rowOff[v]; }

    /** Doubles in node v's block (its rows and the bias). */
    int blockLength(int v) { return (int) (pOff[v + 1] - pOff[v]); }

    /** Numbers a MODEL message carries for node v's copy: its rows, the bias, the age, and the row ids unless all rows. */
    long payload(int v) { return blockLength(v) + 1L + (rowCount(v) < in ? rowCount(v) : 0); }

    /** Whether some node holds fewer than all rows (only then does row gossip apply). */
    boolean partial() { return rowOff[n] < (long) n * in; }

    /** Nodes holding row k. */
    int holders(int k) {
        indexHolders();
        return holderOff[k + 1] - holderOff[k];
    }

    /** The i-th holder of row k (ascending node order). */
    int holder(int k, int i) { return holderNode[holderOff[k] + i]; }

    /** The row id of node v's r-th held row. */
    int row(int v, int r) { return rows[rowOff[v] + r]; }

    /**
     * Push-pull averaging of row k between node v (the sender, holding it as its r-th row) and the i-th holder of
     * k: both keep the mean (and of the gradient trackers, if any); when the reply is lost only the receiver does.
     */
    void exchangeRow(int v, int r, int k, int i, boolean replyLost) {
        average(off(v) + r * width, off(holderNode[holderOff[k] + i]) + holderAt[holderOff[k] + i] * width, replyLost);
    }

    private void indexHolders() {
        if (holderOff != null) return;
        int[] off = new int[in + 2];
        for (int x = 0; x < rowOff[n]; x++) off[rows[x] + 2]++;
        for (int k = 0; k < in; k++) off[k + 2] += off[k + 1];
        int[] node = new int[rowOff[n]], at = new int[rowOff[n]];
        for (int v = 0; v < n; v++)
            for (int r = 0; r < rowCount(v); r++) {
                int slot = off[rows[rowOff[v] + r] + 1]++;
                node[slot] = v;
                at[slot] = r;
            }
        holderOff = Arrays.copyOf(off, in + 1);
        holderNode = node;
        holderAt = at;
    }

    /** u = a·W_v + b_v over the rows v holds (a has length in). */
    void affine(int v, double[] a, double[] u) {
        int o = off(v), rc = rowCount(v), r0 = rowOff[v];
        System.arraycopy(theta, o + rc * width, u, 0, width);
        for (int r = 0; r < rc; r++) {
            double ak = a[rows[r0 + r]];
            if (ak == 0) continue;
            int q = o + r * width;
            for (int j = 0; j < width; j++) u[j] += ak * theta[q + j];
        }
    }

    /** One optimizer step of node v on the gradient a ⊗ δu (W) and δu (b); {@code grad} is scratch of blockLength(v). */
    void step(SslConfig c, int v, double[] a, double[] du, double[] grad, double progress) {
        int rc = rowCount(v), r0 = rowOff[v];
        for (int r = 0; r < rc; r++) {
            double ak = a[rows[r0 + r]];
            for (int j = 0; j < width; j++) grad[r * width + j] = ak * du[j];
        }
        System.arraycopy(du, 0, grad, rc * width, width);
        apply(c, v, grad, progress);
    }

    /**
     * One optimizer step of node v on the gradient a1 ⊗ δu1 + a2 ⊗ δu2 of W (two views' terms) and none of b:
     * the decorrelation loss standardizes every output dimension, so it does not depend on b, and the
     * rounding noise of an exact zero would drive Adam's normalized step.
     */
    void step(SslConfig c, int v, double[] a1, double[] du1, double[] a2, double[] du2, double[] grad, double progress) {
        int rc = rowCount(v), r0 = rowOff[v];
        for (int r = 0; r < rc; r++) {
            double x = a1[rows[r0 + r]], y = a2[rows[r0 + r]];
            for (int j = 0; j < width; j++) grad[r * width + j] = x * du1[j] + y * du2[j];
        }
        Arrays.fill(grad, rc * width, rc * width + width, 0);
        apply(c, v, grad, progress);
    }

    /** One optimizer step of node v with the rows it holds of a full-size gradient (in × width, then bias). */
    void stepWithFull(SslConfig c, int v, double[] full, double[] grad, double progress) {
        int rc = rowCount(v), r0 = rowOff[v];
        for (int r = 0; r < rc; r++) System.arraycopy(full, rows[r0 + r] * width, grad, r * width, width);
        System.arraycopy(full, in * width, grad, rc * width, width);
        apply(c, v, grad, progress);
    }

    /**
     * The optimizer step of node v on its gradient, or, with tracking, on its tracker y_v ← y_v + g − g_prev
     * (DIGing-style gradient tracking: with pairwise averaging the sum of the trackers stays the sum of the
     * nodes' latest gradients, so every y_v tends to their mean, the full-batch gradient).
     */
    private void apply(SslConfig c, int v, double[] grad, double progress) {
        int t = ++steps[v];
        age[v]++;
        int o = off(v), len = blockLength(v);
        if (track == null) {
            Encoder.step(c, theta, m1, m2, o, grad, 0, len, t, progress);
            return;
        }
        for (int k = 0; k < len; k++) {
            track[o + k] += grad[k] - lastGrad[o + k];
            lastGrad[o + k] = grad[k];
        }
        Encoder.step(c, theta, m1, m2, o, track, o, len, t, progress);
    }

    /**
     * Tracking: a push-pull exchange between v (the sender) and p. Both average their parameters and their
     * trackers on the rows both hold and the bias; when the reply is lost only p does. Ages ← max.
     */
    void exchange(int v, int p, boolean replyLost) {
        int ov = off(v), op = off(p), a = rowOff[v], ae = rowOff[v + 1], b = rowOff[p], be = rowOff[p + 1];
        while (a < ae && b < be) {
            if (rows[a] < rows[b]) a++;
            else if (rows[a] > rows[b]) b++;
            else {
                average(ov + (a - rowOff[v]) * width, op + (b - rowOff[p]) * width, replyLost);
                a++;
                b++;
            }
        }
        average(ov + rowCount(v) * width, op + rowCount(p) * width, replyLost);
        long m = Math.max(age[v], age[p]);
        age[p] = m;
        if (!replyLost) age[v] = m;
    }

    /** Averages one row (width values) of θ, and of the trackers if any, at q and r; with {@code onlySecond} only r keeps it. */
    private void average(int q, int r, boolean onlySecond) {
        for (int j = 0; j < width; j++) {
            double th = 0.5 * (theta[q + j] + theta[r + j]);
            theta[r + j] = th;
            if (!onlySecond) theta[q + j] = th;
            if (track != null) {
                double y = 0.5 * (track[q + j] + track[r + j]);
                track[r + j] = y;
                if (!onlySecond) track[q + j] = y;
            }
        }
    }

    /**
     * Node v merges node {@code from}'s copy: on the rows both hold (unless {@code biasOnly}) and the bias,
     * θ ← wMine·θ + (1 − wMine)·θ'; age ← max.
     */
    void merge(int v, int from, double wMine, boolean biasOnly) {
        double wt = 1 - wMine;
        int ov = off(v), of = off(from), a = rowOff[v], ae = biasOnly ? a : rowOff[v + 1], b = rowOff[from], be = rowOff[from + 1];
        while (a < ae && b < be) {
            if (rows[a] < rows[b]) a++;
            else if (rows[a] > rows[b]) b++;
            else {
                int p = ov + (a - rowOff[v]) * width, q = of + (b - rowOff[from]) * width;
                for (int j = 0; j < width; j++) theta[p + j] = wMine * theta[p + j] + wt * theta[q + j];
                a++;
                b++;
            }
        }
        int p = ov + rowCount(v) * width, q = of + rowCount(from) * width;
        for (int j = 0; j < width; j++) theta[p + j] = wMine * theta[p + j] + wt * theta[q + j];
        age[v] = Math.max(age[v], age[from]);
    }

    /** Node v's copy as a full matrix: the rows it does not hold at their initial values. */
    double[] full(int v) {
        double[] p = init.clone();
        int o = off(v), rc = rowCount(v);
        for (int r = 0; r < rc; r++) System.arraycopy(theta, o + r * width, p, rows[rowOff[v] + r] * width, width);
        System.arraycopy(theta, o + rc * width, p, in * width, width);
        return p;
    }

    boolean holds(int v, int row) { return Arrays.binarySearch(rows, rowOff[v], rowOff[v + 1], row) >= 0; }

    /** The mean of all copies, row by row over the nodes that hold the row (the initial value where none does). */
    double[] mean() {
        double[] sum = new double[init.length];
        int[] count = new int[in + 1];
        for (int v = 0; v < n; v++) {
            int o = off(v), rc = rowCount(v);
            for (int r = 0; r < rc; r++) {
                int row = rows[rowOff[v] + r];
                count[row]++;
                for (int j = 0; j < width; j++) sum[row * width + j] += theta[o + r * width + j];
            }
            count[in]++;
            for (int j = 0; j < width; j++) sum[in * width + j] += theta[o + rc * width + j];
        }
        for (int row = 0; row <= in; row++)
            for (int j = 0; j < width; j++) sum[row * width + j] = count[row] == 0 ? init[row * width + j] : sum[row * width + j] / count[row];
        return sum;
    }
}
