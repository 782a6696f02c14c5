package io.mycelium.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector arithmetic the training kernels share: a sigmoid made of multiply-adds only, lane sums in a
 * fixed order, an 8 × 8 transpose and an eight-way lane reduction in registers. All methods are
 * static and small so that HotSpot inlines them into the kernels (a vector that crosses a call that
 * is not inlined is boxed).
 */
public final class VectorMath {
    private VectorMath() {}

    /** The preferred species (8 doubles with AVX-512). A constant, as C2 only compiles vector code for constant species. */
    public static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;
    /** Doubles per vector. */
    public static final int LANES = V.length();

    /** {@code w} in every lane. */
    public static DoubleVector bc(double w) { return DoubleVector.broadcast(V, w); }

    private static final double[] EXP_TAYLOR = new double[16];

    static {
        double f = 1;
        for (int t = 0; t < EXP_TAYLOR.length; t++) {
            if (t > 0) f *= t;
            EXP_TAYLOR[t] = 1 / f;
        }
    }

    private static final double C15 = EXP_TAYLOR[15], C14 = EXP_TAYLOR[14], C13 = EXP_TAYLOR[13], C12 = EXP_TAYLOR[12],
            C11 = EXP_TAYLOR[11], C10 = EXP_TAYLOR[10], C9 = EXP_TAYLOR[9], C8 = EXP_TAYLOR[8], C7 = EXP_TAYLOR[7],
            C6 = EXP_TAYLOR[6], C5 = EXP_TAYLOR[5], C4 = EXP_TAYLOR[4], C3 = EXP_TAYLOR[3], C2 = EXP_TAYLOR[2];

    /**
     * σ(h) = 1/(1 + e^-h) lane by lane, without a call to exp (HotSpot's costs about 5 ns an
     * element, which made the sigmoid a quarter of a node-regression epoch). Here e^-h = (e^r)^64
     * with r = -h/64, e^r from its Taylor polynomial to degree 15 (|r| ≤ 0.625, truncation below
     * 1e-17) and six squarings: only multiply-adds. h is clamped to [-40, 40], where σ is within
     * 5e-18 of 0 or 1. Relative error against 1/(1 + Math.exp(-h)) is below 2e-14 (squaring doubles
     * the polynomial's rounding six times).
     */
    public static DoubleVector sigmoid(DoubleVector h) {
        DoubleVector r = h.max(-40.0).min(40.0).mul(-1.0 / 64);
        DoubleVector p = r.fma(bc(C15), DoubleVector.broadcast(V, C14));
        p = p.fma(r, DoubleVector.broadcast(V, C13));
        p = p.fma(r, DoubleVector.broadcast(V, C12));
        p = p.fma(r, DoubleVector.broadcast(V, C11));
        p = p.fma(r, DoubleVector.broadcast(V, C10));
        p = p.fma(r, DoubleVector.broadcast(V, C9));
        p = p.fma(r, DoubleVector.broadcast(V, C8));
        p = p.fma(r, DoubleVector.broadcast(V, C7));
        p = p.fma(r, DoubleVector.broadcast(V, C6));
        p = p.fma(r, DoubleVector.broadcast(V, C5));
        p = p.fma(r, DoubleVector.broadcast(V, C4));
        p = p.fma(r, DoubleVector.broadcast(V, C3));
        p = p.fma(r, DoubleVector.broadcast(V, C2));
        p = p.fma(r, DoubleVector.broadcast(V, 1.0));
        p = p.fma(r, DoubleVector.broadcast(V, 1.0));
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        return DoubleVector.broadcast(V, 1.0).div(p.add(1.0));
    }

    /** The sigmoid of the forward pass on {@code v[0, len)} in place (whole vectors, then a masked tail). */
    public static void sigmoid(double[] v, int len) {
        int q = 0;
        for (; q + LANES <= len; q += LANES) sigmoid(DoubleVector.fromArray(V, v, q)).intoArray(v, q);
        if (q < len) {
            var mask = V.indexInRange(q, len);
            sigmoid(DoubleVector.fromArray(V, v, q, mask)).intoArray(v, q, mask);
        }
    }

    /**
     * The LANES doubles from {@code a[off]} summed in lane order. Not {@code reduceLanes(ADD)}: its
     * order is left open, and C2's differs from the interpreter's and C1's, so a run's last bits
     * depended on when the kernel got compiled (same seed, test MSE 0.010607451777762478 or ...473).
     */
    public static double laneSum(double[] a, int off) {
        double s = a[off];
        for (int q = 1; q < LANES; q++) s += a[off + q];
        return s;
    }

    /** {@link #laneSum} of a vector's lanes. */
    public static double laneSum(DoubleVector v) {
        double s = v.lane(0);
        for (int q = 1; q < LANES; q++) s += v.lane(q);
        return s;
    }

    private static final VectorShuffle<Double> UP1 = rotation(-1), DOWN1 = rotation(1), UP2 = rotation(-2), DOWN2 = rotation(2),
            UP4 = rotation(-4), DOWN4 = rotation(4);

    private static final VectorMask<Double> BIT1 = lanesWithBit(1), BIT2 = lanesWithBit(2), BIT4 = lanesWithBit(4);

    /** Lane L takes lane L + by (mod LANES). */
    private static VectorShuffle<Double> rotation(int by) {
        int[] s = new int[LANES];
        for (int L = 0; L < LANES; L++) s[L] = Math.floorMod(L + by, LANES);
        return VectorShuffle.fromArray(V, s, 0);
    }

    private static VectorMask<Double> lanesWithBit(int bit) {
        boolean[] m = new boolean[LANES];
        for (int L = 0; L < LANES; L++) m[L] = (L & bit) != 0;
        return VectorMask.fromArray(V, m, 0);
    }

    /**
     * {@code t[to + c m + r] = q[from + r P + c]} for r, c < 8 (LANES = 8): eight rows loaded, three
     * rounds of pairwise lane exchanges (a rotation and a blend each way: lanes 1, 2, then 4 apart),
     * eight columns stored. Sixty-four doubles in 48 shuffles instead of eight gathers of eight loads.
     */
    public static void transpose8(double[] q, int from, int P, double[] t, int to, int m) {
        transposeRows8(q, from, from + P, from + 2 * P, from + 3 * P, from + 4 * P, from + 5 * P, from + 6 * P, from + 7 * P, t, to, m);
    }

    /**
     * {@code t[to + c m + r] = q[o_r + c]} for r, c < 8 (LANES = 8): {@link #transpose8} of eight rows
     * that start anywhere (e.g. eight samples' rows of a store, into eight feature rows).
     */
    public static void transposeRows8(double[] q, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7,
                                      double[] t, int to, int m) {
        DoubleVector r0 = DoubleVector.fromArray(V, q, o0), r1 = DoubleVector.fromArray(V, q, o1),
                r2 = DoubleVector.fromArray(V, q, o2), r3 = DoubleVector.fromArray(V, q, o3),
                r4 = DoubleVector.fromArray(V, q, o4), r5 = DoubleVector.fromArray(V, q, o5),
                r6 = DoubleVector.fromArray(V, q, o6), r7 = DoubleVector.fromArray(V, q, o7);
        DoubleVector s0 = r0.blend(r1.rearrange(UP1), BIT1), s1 = r0.rearrange(DOWN1).blend(r1, BIT1);
        DoubleVector s2 = r2.blend(r3.rearrange(UP1), BIT1), s3 = r2.rearrange(DOWN1).blend(r3, BIT1);
        DoubleVector s4 = r4.blend(r5.rearrange(UP1), BIT1), s5 = r4.rearrange(DOWN1).blend(r5, BIT1);
        DoubleVector s6 = r6.blend(r7.rearrange(UP1), BIT1), s7 = r6.rearrange(DOWN1).blend(r7, BIT1);
        DoubleVector u0 = s0.blend(s2.rearrange(UP2), BIT2), u2 = s0.rearrange(DOWN2).blend(s2, BIT2);
        DoubleVector u1 = s1.blend(s3.rearrange(UP2), BIT2), u3 = s1.rearrange(DOWN2).blend(s3, BIT2);
        DoubleVector u4 = s4.blend(s6.rearrange(UP2), BIT2), u6 = s4.rearrange(DOWN2).blend(s6, BIT2);
        DoubleVector u5 = s5.blend(s7.rearrange(UP2), BIT2), u7 = s5.rearrange(DOWN2).blend(s7, BIT2);
        u0.blend(u4.rearrange(UP4), BIT4).intoArray(t, to);
        u1.blend(u5.rearrange(UP4), BIT4).intoArray(t, to + m);
        u2.blend(u6.rearrange(UP4), BIT4).intoArray(t, to + 2 * m);
        u3.blend(u7.rearrange(UP4), BIT4).intoArray(t, to + 3 * m);
        u0.rearrange(DOWN4).blend(u4, BIT4).intoArray(t, to + 4 * m);
        u1.rearrange(DOWN4).blend(u5, BIT4).intoArray(t, to + 5 * m);
        u2.rearrange(DOWN4).blend(u6, BIT4).intoArray(t, to + 6 * m);
        u3.rearrange(DOWN4).blend(u7, BIT4).intoArray(t, to + 7 * m);
    }


    /**
     * Lane r of the result is the lane sum of {@code a_r} (LANES = 8), as a pairwise tree in
     * registers: each level adds lanes 1, 2, then 4 apart, and one blend keeps a vector's sums in
     * its half of the lanes. Eight reductions at once cost about what one extraction lane by lane does.
     */
    public static DoubleVector laneSums8(DoubleVector a0, DoubleVector a1, DoubleVector a2, DoubleVector a3,
                                         DoubleVector a4, DoubleVector a5, DoubleVector a6, DoubleVector a7) {
        DoubleVector p01 = a0.add(a0.rearrange(DOWN1)).blend(a1.add(a1.rearrange(UP1)), BIT1),
                p23 = a2.add(a2.rearrange(DOWN1)).blend(a3.add(a3.rearrange(UP1)), BIT1),
                p45 = a4.add(a4.rearrange(DOWN1)).blend(a5.add(a5.rearrange(UP1)), BIT1),
                p67 = a6.add(a6.rearrange(DOWN1)).blend(a7.add(a7.rearrange(UP1)), BIT1);
        DoubleVector p03 = p01.add(p01.rearrange(DOWN2)).blend(p23.add(p23.rearrange(UP2)), BIT2),
                p47 = p45.add(p45.rearrange(DOWN2)).blend(p67.add(p67.rearrange(UP2)), BIT2);
        return p03.add(p03.rearrange(DOWN4)).blend(p47.add(p47.rearrange(UP4)), BIT4);
    }

    /** Stores eight vectors {@code stride} apart from {@code at}: a register block's rows. */
    public static void store8(double[] a, int at, int stride, DoubleVector a0, DoubleVector a1, DoubleVector a2, DoubleVector a3,
                              DoubleVector a4, DoubleVector a5, DoubleVector a6, DoubleVector a7) {
        a0.intoArray(a, at);
        a1.intoArray(a, at + stride);
        a2.intoArray(a, at + 2 * stride);
        a3.intoArray(a, at + 3 * stride);
        a4.intoArray(a, at + 4 * stride);
        a5.intoArray(a, at + 5 * stride);
        a6.intoArray(a, at + 6 * stride);
        a7.intoArray(a, at + 7 * stride);
    }
}
