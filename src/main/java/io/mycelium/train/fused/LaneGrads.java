package io.mycelium.train.fused;

import io.mycelium.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.laneSum;
import static io.mycelium.train.fused.PassState.A;
import static io.mycelium.train.fused.PassState.TIED_CHUNKS;
import static io.mycelium.train.fused.PassState.TIED_TILE;

/**
 * {@link WeightGrads} on feature-major rows for any widths: each gradient entry is a sum over
 * samples kept lane-wise in a vector (2 × 4 blocks of entries, then single ones) and reduced once:
 * per node for per-node weights, per parallel chunk of nodes for tied ones.
 */
final class LaneGrads implements WeightGrads {
    private final PassState s;
    private double[][] lanes, partial;  // per tied chunk: lane-wise sums of dΘ0 then dΘ1, and their reductions

    LaneGrads(PassState s) { this.s = s; }

    @Override
    public void add(int l, double[] q, double[] g0, double[] g1) {
        int k = s.width(l), m = s.width(l + 1), km = k * m, P = s.stride, n = s.n;
        double[] in = s.x[l], sin = s.sx[l];
        boolean tied = s.tied;
        // tied weights: few chunks, each zeroing and reducing a lane buffer of the whole gradient
        int chunks = Math.min(tied ? TIED_CHUNKS : Parallel.MAX_CHUNKS, Parallel.chunks(n, 2L * km * P));
        if (tied && (lanes == null || lanes[0].length < 2 * km * LANES + A)) {
            lanes = new double[TIED_CHUNKS][2 * km * LANES + A];
            partial = new double[TIED_CHUNKS][2 * km];
        }
        Parallel.forRange(n, chunks, (c, from, to) -> {
            // node by node, so a node's rows are read from cache by every block. Tied weights sum over
            // nodes lane-wise in the chunk's buffer (reduced once at the end), per-node ones reduce at once
            double[] l0 = tied ? lanes[c] : null;  // dΘ1's lane sums follow dΘ0's
            if (tied) java.util.Arrays.fill(l0, A, A + 2 * km * LANES, 0);
            // tied weights sum a tile of nodes in registers before touching the lane buffer
            int tile = tied ? TIED_TILE : 1;
            for (int i = from; i < to; i += tile) {
                int wo = tied ? 0 : i * km, last = Math.min(to, i + tile);
                int kk = 0;
                for (; kk + 1 < k; kk += 2) {
                    int j = 0;
                    for (; j + 3 < m; j += 4) block2x4(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
                    for (; j < m; j++) {
                        block1x1(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
                        block1x1(in, sin, q, i, last, k, m, P, kk + 1, j, g0, g1, wo, l0, km);
                    }
                }
                if (kk < k) for (int j = 0; j < m; j++) block1x1(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
            }
            if (tied)
                for (int t = 0; t < 2 * km; t++) partial[c][t] = laneSum(l0, t * LANES + A);
        });
        if (!tied) return;
        for (int c = 0; c < chunks; c++)
            for (int t = 0; t < km; t++) {
                g0[t] += partial[c][t];
                g1[t] += partial[c][km + t];
            }
    }

    /**
     * Entries (kk..kk+1) × (j..j+3) of dΘ0 and dΘ1 summed over nodes [first, last) (one node for
     * per-node weights): sixteen sums, eight loads a step, added into {@code a0, a1} or, when given,
     * lane-wise into {@code lanes}.
     */
    private static void block2x4(double[] in, double[] sin, double[] q, int first, int last, int k, int m, int P, int kk, int j,
                                 double[] a0, double[] a1, int wo, double[] lanes, int km) {
        DoubleVector x00 = DoubleVector.zero(V), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
        DoubleVector s00 = x00, s01 = x00, s02 = x00, s03 = x00, s10 = x00, s11 = x00, s12 = x00, s13 = x00;
        for (int i = first; i < last; i++)
        for (int b = 0, r = (i * k + kk) * P + A, qo = (i * m + j) * P + A; b < P; b += LANES) {
            DoubleVector q0 = DoubleVector.fromArray(V, q, qo + b), q1 = DoubleVector.fromArray(V, q, qo + P + b),
                    q2 = DoubleVector.fromArray(V, q, qo + 2 * P + b), q3 = DoubleVector.fromArray(V, q, qo + 3 * P + b);
            DoubleVector xa = DoubleVector.fromArray(V, in, r + b), xb = DoubleVector.fromArray(V, in, r + P + b);
            x00 = xa.fma(q0, x00);
            x01 = xa.fma(q1, x01);
            x02 = xa.fma(q2, x02);
            x03 = xa.fma(q3, x03);
            x10 = xb.fma(q0, x10);
            x11 = xb.fma(q1, x11);
            x12 = xb.fma(q2, x12);
            x13 = xb.fma(q3, x13);
            DoubleVector sa = DoubleVector.fromArray(V, sin, r + b), sb = DoubleVector.fromArray(V, sin, r + P + b);
            s00 = sa.fma(q0, s00);
            s01 = sa.fma(q1, s01);
            s02 = sa.fma(q2, s02);
            s03 = sa.fma(q3, s03);
            s10 = sb.fma(q0, s10);
            s11 = sb.fma(q1, s11);
            s12 = sb.fma(q2, s12);
            s13 = sb.fma(q3, s13);
        }
        int w = wo + kk * m + j;
        put(x00, a0, w, lanes, 0);
        put(x01, a0, w + 1, lanes, 0);
        put(x02, a0, w + 2, lanes, 0);
        put(x03, a0, w + 3, lanes, 0);
        put(x10, a0, w + m, lanes, 0);
        put(x11, a0, w + m + 1, lanes, 0);
        put(x12, a0, w + m + 2, lanes, 0);
        put(x13, a0, w + m + 3, lanes, 0);
        put(s00, a1, w, lanes, km);
        put(s01, a1, w + 1, lanes, km);
        put(s02, a1, w + 2, lanes, km);
        put(s03, a1, w + 3, lanes, km);
        put(s10, a1, w + m, lanes, km);
        put(s11, a1, w + m + 1, lanes, km);
        put(s12, a1, w + m + 2, lanes, km);
        put(s13, a1, w + m + 3, lanes, km);
    }

    /** {@code a[w] += Σ lanes of v} in lane order, or lane-wise into {@code lanes} (the LANES slots of entry off + w) when given. */
    private static void put(DoubleVector v, double[] a, int w, double[] lanes, int off) {
        if (lanes == null) a[w] += laneSum(v);
        else {
            int o = (off + w) * LANES + A;
            v.add(DoubleVector.fromArray(V, lanes, o)).intoArray(lanes, o);
        }
    }

    /** Entry (kk, j) of dΘ0 and dΘ1 over nodes [first, last), for widths that are not a multiple of the block. */
    private static void block1x1(double[] in, double[] sin, double[] q, int first, int last, int k, int m, int P, int kk, int j,
                                 double[] a0, double[] a1, int wo, double[] lanes, int km) {
        DoubleVector x0 = DoubleVector.zero(V), s0 = x0;
        for (int i = first; i < last; i++)
        for (int b = 0, r = (i * k + kk) * P + A, qo = (i * m + j) * P + A; b < P; b += LANES) {
            DoubleVector qv = DoubleVector.fromArray(V, q, qo + b);
            x0 = DoubleVector.fromArray(V, in, r + b).fma(qv, x0);
            s0 = DoubleVector.fromArray(V, sin, r + b).fma(qv, s0);
        }
        int w = wo + kk * m + j;
        put(x0, a0, w, lanes, 0);
        put(s0, a1, w, lanes, km);
    }

}
