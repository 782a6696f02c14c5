package io.mycelium.train.fused;

import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.tensor.VectorMath.transpose8;
import static io.mycelium.train.fused.PassState.A;
import static io.mycelium.train.fused.PassState.TIED_CHUNKS;
import static io.mycelium.train.fused.PassState.TIED_TILE;
import static io.mycelium.train.fused.PassState.WIDE;

/**
 * {@link WeightGrads} for outputs a multiple of {@link PassState#WIDE} wide. Each node's Q is first
 * transposed to sample-major rows, so the sum over samples runs down the loop instead of across
 * a vector's lanes: a block of sixteen vector sums over outputs is added to the gradient once,
 * where summing samples lane-wise costs a horizontal reduction per gradient entry per node (as
 * many reductions as multiply-adds by eight samples, at half a mini-batch a pass). Padded
 * samples are skipped.
 */
final class WideGrads implements WeightGrads {
    private final PassState s;
    private final double[][] qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];   // per chunk: Q of a tile of nodes, [node][sample][output]
    private double[][] widePartial;     // per tied chunk: its sums of dΘ0 then dΘ1
    private final double[][] reds = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][8 * LANES];   // per chunk: a partial vector's sums

    WideGrads(PassState s) { this.s = s; }

    @Override
    public void add(int l, double[] q, double[] g0, double[] g1) {
        int k = s.width(l), m = s.width(l + 1), km = k * m, P = s.stride, n = s.n, B = s.samples;
        double[] in = s.x[l], sin = s.sx[l];
        boolean tied = s.tied;
        double[][] qt = this.qt, reds = this.reds;
        int ts = stride(m);
        int chunks = Math.min(tied ? TIED_CHUNKS : Parallel.MAX_CHUNKS, Parallel.chunks(n, 2L * km * P));
        int tile = tied ? TIED_TILE : 1;
        if (tied && (widePartial == null || widePartial[0].length < 2 * km)) widePartial = new double[TIED_CHUNKS][2 * km];
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (qt[c] == null || qt[c].length < tile * B * ts + A) qt[c] = Aligned.doubles(tile * B * ts);
            double[] t = qt[c], p = tied ? widePartial[c] : null;
            if (tied) java.util.Arrays.fill(p, 0, 2 * km, 0);
            for (int i = from; i < to; i += tile) {
                int last = Math.min(to, i + tile);
                for (int v = i; v < last; v++) transpose(q, v * m * P + A, m, P, B, t, (v - i) * B * ts + A, ts);
                double[] d0 = tied ? p : g0, d1 = tied ? p : g1;
                int o0 = tied ? 0 : i * km, o1 = tied ? km : i * km;
                wideBlocks(in, sin, t, i, last, k, m, ts, P, B, d0, o0, d1, o1, reds[c]);
            }
        });
        if (!tied) return;
        for (int c = 0; c < chunks; c++)
            for (int e = 0; e < km; e++) {
                g0[e] += widePartial[c][e];
                g1[e] += widePartial[c][km + e];
            }
    }


    /**
     * {@code t[dst + b ts + j] = q[src + j P + b]} for j < m, b < B: one node's rows, sample-major,
     * {@code ts} apart ({@link #stride}); columns m .. ts − 1 are never written, so in a zeroed
     * buffer they stay zero.
     */
    static void transpose(double[] q, int src, int m, int P, int B, double[] t, int dst, int ts) {
        int b = 0, whole = LANES == 8 ? m / 8 * 8 : 0;
        // 8 × 8 blocks transposed in registers, for all whole blocks of samples and outputs; the
        // outputs past the last whole block one by one
        for (; b + 8 <= B && whole > 0; b += 8) {
            for (int j = 0; j < whole; j += 8) transpose8(q, src + j * P + b, P, t, dst + b * ts + j, ts);
            for (int c = b; c < b + 8; c++)
                for (int j = whole; j < m; j++) t[dst + c * ts + j] = q[src + j * P + c];
        }
        // the rest one by one: writes in order, reads across the m rows (each row's line serves eight samples from L1)
        for (; b < B; b++) {
            int to = dst + b * ts, from = src + b;
            for (int j = 0; j < m; j++) t[to + j] = q[from + j * P];
        }
    }

    /** The row stride of sample-major Q for m outputs: m rounded up to whole vectors. */
    static int stride(int m) { return (m + LANES - 1) / LANES * LANES; }

    /**
     * Every entry of dΘ0 and dΘ1 (k × m, rows of the gradients m apart) summed over nodes [first, last)
     * from Q^T in rows {@code ts} apart: {@link #wideBlock}s of four vectors of outputs, input rows
     * two at a time, then the odd one; the outputs past the last whole block (when m is not a
     * multiple of {@link PassState#WIDE}) two whole vectors at a time ({@link #pairBlock}), then one
     * vector, four input rows at a time; a last, partial vector's sums go through {@code red} (at
     * least 8 × LANES doubles; unused when m is a multiple of LANES). Every entry sums its samples
     * in the same order whichever block takes it, so the same bits.
     */
    static void wideBlocks(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int ts, int P, int B,
                           double[] d0, int o0, double[] d1, int o1, double[] red) {
        int whole = m / WIDE * WIDE, kk = 0;
        for (; kk + 1 < k; kk += 2)
            for (int j = 0; j < whole; j += WIDE) wideBlock(in, sin, t, first, last, k, m, ts, P, B, kk, 2, j, d0, o0, d1, o1);
        if (kk < k)
            for (int j = 0; j < whole; j += WIDE) wideBlock(in, sin, t, first, last, k, m, ts, P, B, kk, 1, j, d0, o0, d1, o1);
        int j = whole;
        for (; j + 2 * LANES <= m; j += 2 * LANES)
            for (kk = 0; kk < k; kk += 4) pairBlock(in, sin, t, first, last, k, m, ts, P, B, kk, Math.min(4, k - kk), j, d0, o0, d1, o1);
        for (; j < m; j += LANES)
            for (kk = 0; kk < k; kk += 4) vectorBlock(in, sin, t, first, last, k, m, ts, P, B, kk, Math.min(4, k - kk), j, d0, o0, d1, o1, red);
    }

    /**
     * {@link #vectorBlock} for two whole vectors of outputs (j .. j + 2 LANES − 1): sixteen vector
     * sums, two loads of Q^T and eight broadcast inputs a sample (one vector's block loads nine
     * values for eight multiply-adds). Rows past {@code rows} repeat the first and are dropped.
     */
    private static void pairBlock(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int ts, int P, int B,
                                  int kk, int rows, int j, double[] d0, int o0, double[] d1, int o1) {
        DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
        DoubleVector y0 = x0, y1 = x0, y2 = x0, y3 = x0, u0 = x0, u1 = x0, u2 = x0, u3 = x0;
        int r1 = rows > 1 ? P : 0, r2 = rows > 2 ? 2 * P : 0, r3 = rows > 3 ? 3 * P : 0;
        for (int v = first; v < last; v++) {
            int r = (v * k + kk) * P + A, to = (v - first) * B * ts + j + A;
            for (int b = 0; b < B; b++) {
                DoubleVector q = DoubleVector.fromArray(V, t, to + b * ts), p = DoubleVector.fromArray(V, t, to + b * ts + LANES);
                DoubleVector a = bc(in[r + b]);
                x0 = a.fma(q, x0);
                y0 = a.fma(p, y0);
                a = bc(in[r + r1 + b]);
                x1 = a.fma(q, x1);
                y1 = a.fma(p, y1);
                a = bc(in[r + r2 + b]);
                x2 = a.fma(q, x2);
                y2 = a.fma(p, y2);
                a = bc(in[r + r3 + b]);
                x3 = a.fma(q, x3);
                y3 = a.fma(p, y3);
                a = bc(sin[r + b]);
                s0 = a.fma(q, s0);
                u0 = a.fma(p, u0);
                a = bc(sin[r + r1 + b]);
                s1 = a.fma(q, s1);
                u1 = a.fma(p, u1);
                a = bc(sin[r + r2 + b]);
                s2 = a.fma(q, s2);
                u2 = a.fma(p, u2);
                a = bc(sin[r + r3 + b]);
                s3 = a.fma(q, s3);
                u3 = a.fma(p, u3);
            }
        }
        // written out: vectors that cross a call are boxed
        int a = o0 + kk * m + j, c = o1 + kk * m + j;
        DoubleVector.fromArray(V, d0, a).add(x0).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(y0).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d1, c).add(s0).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(u0).intoArray(d1, c + LANES);
        if (rows < 2) return;
        a += m;
        c += m;
        DoubleVector.fromArray(V, d0, a).add(x1).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(y1).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d1, c).add(s1).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(u1).intoArray(d1, c + LANES);
        if (rows < 3) return;
        a += m;
        c += m;
        DoubleVector.fromArray(V, d0, a).add(x2).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(y2).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d1, c).add(s2).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(u2).intoArray(d1, c + LANES);
        if (rows < 4) return;
        a += m;
        c += m;
        DoubleVector.fromArray(V, d0, a).add(x3).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(y3).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d1, c).add(s3).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(u3).intoArray(d1, c + LANES);
    }

    /**
     * Entries (kk .. kk + rows − 1) × (j .. min(j + LANES, m) − 1) of dΘ0 and dΘ1 (rows 1 to 4):
     * eight vector sums, one load of Q^T and eight broadcast inputs a sample. Rows past
     * {@code rows} repeat the first and are dropped.
     */
    private static void vectorBlock(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int ts, int P, int B,
                                    int kk, int rows, int j, double[] d0, int o0, double[] d1, int o1, double[] red) {
        DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
        int r1 = rows > 1 ? P : 0, r2 = rows > 2 ? 2 * P : 0, r3 = rows > 3 ? 3 * P : 0;
        for (int v = first; v < last; v++) {
            int r = (v * k + kk) * P + A, to = (v - first) * B * ts + j + A;
            for (int b = 0; b < B; b++) {
                DoubleVector q = DoubleVector.fromArray(V, t, to + b * ts);
                x0 = bc(in[r + b]).fma(q, x0);
                x1 = bc(in[r + r1 + b]).fma(q, x1);
                x2 = bc(in[r + r2 + b]).fma(q, x2);
                x3 = bc(in[r + r3 + b]).fma(q, x3);
                s0 = bc(sin[r + b]).fma(q, s0);
                s1 = bc(sin[r + r1 + b]).fma(q, s1);
                s2 = bc(sin[r + r2 + b]).fma(q, s2);
                s3 = bc(sin[r + r3 + b]).fma(q, s3);
            }
        }
        int a = o0 + kk * m + j, c = o1 + kk * m + j;
        if (j + LANES > m) {      // the last, partial vector: its sums through red, the columns below m added one by one
            x0.intoArray(red, 0);
            x1.intoArray(red, LANES);
            x2.intoArray(red, 2 * LANES);
            x3.intoArray(red, 3 * LANES);
            s0.intoArray(red, 4 * LANES);
            s1.intoArray(red, 5 * LANES);
            s2.intoArray(red, 6 * LANES);
            s3.intoArray(red, 7 * LANES);
            for (int row = 0; row < rows; row++)
                for (int col = 0; col < m - j; col++) {
                    d0[a + row * m + col] += red[row * LANES + col];
                    d1[c + row * m + col] += red[(4 + row) * LANES + col];
                }
            return;
        }
        DoubleVector.fromArray(V, d0, a).add(x0).intoArray(d0, a);
        DoubleVector.fromArray(V, d1, c).add(s0).intoArray(d1, c);
        if (rows < 2) return;
        DoubleVector.fromArray(V, d0, a + m).add(x1).intoArray(d0, a + m);
        DoubleVector.fromArray(V, d1, c + m).add(s1).intoArray(d1, c + m);
        if (rows < 3) return;
        DoubleVector.fromArray(V, d0, a + 2 * m).add(x2).intoArray(d0, a + 2 * m);
        DoubleVector.fromArray(V, d1, c + 2 * m).add(s2).intoArray(d1, c + 2 * m);
        if (rows < 4) return;
        DoubleVector.fromArray(V, d0, a + 3 * m).add(x3).intoArray(d0, a + 3 * m);
        DoubleVector.fromArray(V, d1, c + 3 * m).add(s3).intoArray(d1, c + 3 * m);
    }

    /**
     * Entries (kk .. kk + rows - 1) × (j .. j + WIDE - 1) of dΘ0 and dΘ1 (rows 1 or 2) summed over
     * nodes [first, last) and their samples: sixteen vector sums, four loads of Q^T and four
     * broadcast inputs a sample, then added into {@code d0[o0 + ...]} and {@code d1[o1 + ...]}.
     */
    private static void wideBlock(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int ts, int P, int B,
                                  int kk, int rows, int j, double[] d0, int o0, double[] d1, int o1) {
        DoubleVector x00 = DoubleVector.zero(V), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
        DoubleVector s00 = x00, s01 = x00, s02 = x00, s03 = x00, s10 = x00, s11 = x00, s12 = x00, s13 = x00;
        int second = rows > 1 ? P : 0;      // one row: the second row's sums repeat the first's and are dropped
        for (int v = first; v < last; v++) {
            int r = (v * k + kk) * P + A, to = (v - first) * B * ts + j + A;
            for (int b = 0; b < B; b++) {
                int qo = to + b * ts;
                DoubleVector q0 = DoubleVector.fromArray(V, t, qo), q1 = DoubleVector.fromArray(V, t, qo + LANES),
                        q2 = DoubleVector.fromArray(V, t, qo + 2 * LANES), q3 = DoubleVector.fromArray(V, t, qo + 3 * LANES);
                DoubleVector xa = bc(in[r + b]), xb = bc(in[r + second + b]);
                x00 = xa.fma(q0, x00);
                x01 = xa.fma(q1, x01);
                x02 = xa.fma(q2, x02);
                x03 = xa.fma(q3, x03);
                x10 = xb.fma(q0, x10);
                x11 = xb.fma(q1, x11);
                x12 = xb.fma(q2, x12);
                x13 = xb.fma(q3, x13);
                DoubleVector sa = bc(sin[r + b]), sb = bc(sin[r + second + b]);
                s00 = sa.fma(q0, s00);
                s01 = sa.fma(q1, s01);
                s02 = sa.fma(q2, s02);
                s03 = sa.fma(q3, s03);
                s10 = sb.fma(q0, s10);
                s11 = sb.fma(q1, s11);
                s12 = sb.fma(q2, s12);
                s13 = sb.fma(q3, s13);
            }
        }
        // written out: a helper taking the sums would not be inlined here, and vectors that cross a call are boxed
        int a = o0 + kk * m + j, c = o1 + kk * m + j;
        DoubleVector.fromArray(V, d0, a).add(x00).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(x01).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d0, a + 2 * LANES).add(x02).intoArray(d0, a + 2 * LANES);
        DoubleVector.fromArray(V, d0, a + 3 * LANES).add(x03).intoArray(d0, a + 3 * LANES);
        DoubleVector.fromArray(V, d1, c).add(s00).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(s01).intoArray(d1, c + LANES);
        DoubleVector.fromArray(V, d1, c + 2 * LANES).add(s02).intoArray(d1, c + 2 * LANES);
        DoubleVector.fromArray(V, d1, c + 3 * LANES).add(s03).intoArray(d1, c + 3 * LANES);
        if (rows == 1) return;
        a += m;
        c += m;
        DoubleVector.fromArray(V, d0, a).add(x10).intoArray(d0, a);
        DoubleVector.fromArray(V, d0, a + LANES).add(x11).intoArray(d0, a + LANES);
        DoubleVector.fromArray(V, d0, a + 2 * LANES).add(x12).intoArray(d0, a + 2 * LANES);
        DoubleVector.fromArray(V, d0, a + 3 * LANES).add(x13).intoArray(d0, a + 3 * LANES);
        DoubleVector.fromArray(V, d1, c).add(s10).intoArray(d1, c);
        DoubleVector.fromArray(V, d1, c + LANES).add(s11).intoArray(d1, c + LANES);
        DoubleVector.fromArray(V, d1, c + 2 * LANES).add(s12).intoArray(d1, c + 2 * LANES);
        DoubleVector.fromArray(V, d1, c + 3 * LANES).add(s13).intoArray(d1, c + 3 * LANES);
    }

}
