package io.mycelium.train.fused;

/**
 * How one layer's weight gradients are summed over samples (eq. 13): dΘ0 += Σ_b X^l Q^T and
 * dΘ1 += Σ_b (S X^l) Q^T, per node for per-node weights or over all nodes for tied ones.
 */
interface WeightGrads {
    void add(int l, double[] q, double[] g0, double[] g1);

    /** The kernel for layer l: sums down a loop of sample-major rows when Q is whole blocks wide, lane-wise otherwise. */
    static WeightGrads of(PassState s, int l) {
        return s.width(l + 1) % PassState.WIDE == 0 ? new WideGrads(s) : new LaneGrads(s);
    }
}
