package io.mycelium.ssl;

import java.util.Arrays;

/**
 * Every node's estimate of one layer's batch moments for the decorrelation loss ({@link Decorrelation}), kept
 * as [count, Σ moments] per node. A node folds in the change of its own contribution when it computes new
 * views; pairwise averaging between nodes then spreads the contributions. Without lost replies the sum of
 * the estimates over the nodes stays the sum of the nodes' latest contributions, so every estimate tends to
 * the batch means.
 */
final class MomentEstimates {
    private final int n, d, length;
    private final double[] est, foldedA, foldedB, scratch;
    private final boolean[] folded;

    MomentEstimates(int n, int d) {
        this.n = n;
        this.d = d;
        this.length = 1 + Decorrelation.size(d);
        est = new double[Math.multiplyExact(n, length)];
        foldedA = new double[n * d];
        foldedB = new double[n * d];
        folded = new boolean[n];
        scratch = new double[length - 1];
    }

    /** Numbers per node (and per message): the count, then {@link Decorrelation#size} sums. */
    int length() { return length; }

    /** Node v replaces its previous contribution by the moments of its views zA[o..o+d), zB[o..o+d). */
    void fold(int v, double[] zA, double[] zB, int o) {
        int e = v * length;
        if (folded[v]) Decorrelation.accumulate(foldedA, v * d, foldedB, v * d, d, -1, est, e + 1);
        else est[e] += 1;
        folded[v] = true;
        Decorrelation.accumulate(zA, o, zB, o, d, 1, est, e + 1);
        System.arraycopy(zA, o, foldedA, v * d, d);
        System.arraycopy(zB, o, foldedB, v * d, d);
    }

    /** An exchange between v (sender) and p: both keep the average; with a lost reply only p does. */
    void average(int v, int p, boolean replyLost) {
        int ov = v * length, op = p * length;
        for (int k = 0; k < length; k++) {
            double m = 0.5 * (est[ov + k] + est[op + k]);
            est[op + k] = m;
            if (!replyLost) est[ov + k] = m;
        }
    }

    /** The batch as node v estimates it, into {@code b}. */
    Decorrelation.Batch batch(int v, Decorrelation.Batch b) {
        int o = v * length;
        double inv = est[o] > 0 ? 1 / est[o] : 0;
        for (int k = 1; k < length; k++) scratch[k - 1] = est[o + k] * inv;
        return b.from(scratch, 0);
    }

    /** Node v's estimate: count first, then the means. */
    double[] estimate(int v) {
        double[] r = Arrays.copyOfRange(est, v * length, (v + 1) * length);
        for (int k = 1; k < length; k++) r[k] /= r[0];
        return r;
    }

    /** The exact means of the contributions the nodes have folded in (count first). */
    double[] truth() {
        double[] r = new double[length];
        for (int v = 0; v < n; v++)
            if (folded[v]) { r[0]++; Decorrelation.accumulate(foldedA, v * d, foldedB, v * d, d, 1, r, 1); }
        for (int k = 1; k < length; k++) r[k] /= r[0];
        return r;
    }
}
