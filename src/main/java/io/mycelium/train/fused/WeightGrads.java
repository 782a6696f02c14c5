package io.mycelium.train.fused;

/**
 * How one layer's weight gradients are summed over samples (eq. 13): dΘ0 += Σ_b X^l Q^T and
 * dΘ1 += Σ_b (S X^l) Q^T, per node for per-node weights or over all nodes for tied ones.
 */
interface WeightGrads {
    void add(int l, double[] q, double[] g0, double[] g1);

    /** The kernel for layer l: sums down a loop of sample-major rows ({@link #wide}), lane-wise otherwise. */
    static WeightGrads of(PassState s, int l) { return wide(s.width(l + 1)) ? new WideGrads(s) : new LaneGrads(s); }

    /**
     * Whether a layer m outputs wide sums its weight gradients as {@link WideGrads}: at least one
     * vector of outputs (10 → 10 → 1 per node: 12.1 against 15.0 ms of CPU an epoch lane-wise).
     * Narrower, a vector of outputs would be mostly padding, and {@link LaneGrads}' lane-wise sums do less.
     */
    static boolean wide(int m) { return m >= io.mycelium.tensor.VectorMath.LANES; }
}
