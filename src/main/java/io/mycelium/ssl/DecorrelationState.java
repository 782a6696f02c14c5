package io.mycelium.ssl;

import java.util.Arrays;

/**
 * The decorrelation loss's state in the decentralized simulation: this round's two views of every
 * stepping node, the batch moments they give (exact sums over the stepping nodes, or each node's gossip
 * estimate) and the {@link Decorrelation.Batch} a node's gradient is computed from. The simulator computes
 * the views and moves the messages; this class does the arithmetic on them.
 */
final class DecorrelationState {
    private final int[] w;
    private final boolean exact;
    /** This round's views (n × width) per layer. */
    final double[][] viewA, viewB;
    /** The second view's aggregated input, and a node's gradient with respect to its two outputs. */
    final double[] aB, dzA, dzB;
    /** The nodes' moment estimates (gossip), or the exact sums [count, Σ moments] (EXACT), per layer. */
    private final MomentEstimates[] est;
    private final double[][] exactSum;
    private final Decorrelation.Batch[] batch;
    private final double[] zScratch, moments;

    DecorrelationState(int n, int[] w, boolean exact, double lambda, int inputLength, int maxWidth) {
        this.w = w;
        this.exact = exact;
        int layers = w.length - 1;
        viewA = new double[layers + 1][];
        viewB = new double[layers + 1][];
        est = new MomentEstimates[layers + 1];
        exactSum = new double[layers + 1][];
        batch = new Decorrelation.Batch[layers + 1];
        int maxStats = 0;
        for (int l = 1; l <= layers; l++) {
            int st = 1 + Decorrelation.size(w[l]);
            maxStats = Math.max(maxStats, st);
            viewA[l] = new double[n * w[l]];
            viewB[l] = new double[n * w[l]];
            batch[l] = new Decorrelation.Batch(w[l], lambda);
            if (exact) exactSum[l] = new double[st];
            else est[l] = new MomentEstimates(n, w[l]);
        }
        aB = new double[inputLength];
        dzA = new double[maxWidth];
        dzB = new double[maxWidth];
        zScratch = new double[2 * maxWidth];
        moments = new double[maxStats];
    }

    /** EXACT: starts layer l's sums for a new round. */
    void clearSum(int l) { Arrays.fill(exactSum[l], 0); }

    /** EXACT: adds node v's views of layer l to the round's sums. */
    void addToSum(int v, int l) {
        double[] sum = exactSum[l];
        sum[0] += 1;
        Decorrelation.accumulate(viewA[l], v * w[l], viewB[l], v * w[l], w[l], 1, sum, 1);
    }

    /** EXACT: sets layer l's batch from the round's sums, if any node contributed. */
    void batchFromSum(int l) {
        double[] sum = exactSum[l];
        if (sum[0] > 0) batch[l].from(normalized(sum, 0, sum.length), 0);
    }

    /** The means of moment sums held at s[o..o+len) (count first) in {@link #moments}. */
    private double[] normalized(double[] s, int o, int len) {
        double inv = s[o] > 0 ? 1 / s[o] : 0;
        for (int k = 1; k < len; k++) moments[k - 1] = s[o + k] * inv;
        return moments;
    }

    /** Gossip: node v replaces its previous contribution to its own moment estimate by its current views. */
    void fold(int v, int l) { est[l].fold(v, viewA[l], viewB[l], v * w[l]); }

    /** Gossip: the numbers of layer l's estimate in one message. */
    int messageLength(int l) { return est[l].length(); }

    /** Gossip: nodes v and p average their layer-l estimates (p's reply lost: only p takes the average). */
    void average(int l, int v, int p, boolean replyLost) { est[l].average(v, p, replyLost); }

    /** Node v's gradient with respect to its two layer-l outputs into {@link #dzA}, {@link #dzB}. */
    void gradient(int v, int l) {
        Decorrelation.Batch b = batch[l];
        if (!exact) est[l].batch(v, b);
        b.nodeGradient(viewA[l], v * w[l], viewB[l], v * w[l], dzA, dzB, zScratch);
    }

    /** Gossip: node v's current estimate of layer l's mean moments (count first, then the means). */
    double[] estimate(int v, int l) { return est[l].estimate(v); }

    /** Gossip: the exact mean moments of the contributions the nodes have folded in (count first). */
    double[] truth(int l) { return est[l].truth(); }
}
