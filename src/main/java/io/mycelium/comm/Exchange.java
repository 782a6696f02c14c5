package io.mycelium.comm;

import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.Parallel;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels for applying a local operator on a partition, with the neighbour rows that a round
 * brought in. Used by the tape's {@code exchange} op and by the optimizers' consensus steps.
 */
public final class Exchange {
    private Exchange() {}

    /** One broadcast round in which every node sends its row of {@code x}; returns the halo rows. */
    public static double[] pull(Comm comm, double[] x, int width) { return pull(comm, x, 0, width); }

    /** {@link #pull(Comm, double[], int)} of rows that start at {@code x[offset]}; the halo rows start at 0. */
    public static double[] pull(Comm comm, double[] x, int offset, int width) {
        int size = comm.partition().haloSize() * width;
        double[] halo = size == 0 ? NO_HALO : new double[size];   // a host that holds every node has no halo
        comm.round(new Transfer.Pull(x, offset, halo, width, Accounting.BROADCAST));
        return halo;
    }

    private static final double[] NO_HALO = new double[0];

    /** Doubles per vector; a constant, as C2 only compiles vector code for constant species. */
    private static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;
    /** Columns one register block covers: four vectors. */
    private static final int BLOCK = 4 * V.length();

    /**
     * {@code out_i (+)= self_i x_i + Σ_e w_e src_e} over local rows, where {@code src_e} is a local
     * row of {@code x} or a row of {@code halo}. Sums run in CSR order on every engine.
     *
     * <p>A row is done a block of columns at a time, its partial sums held in registers while the
     * neighbour rows stream past: one load per multiply-add instead of three (HotSpot does not
     * vectorize the plain loop, whose source and destination rows sit at different offsets). Every
     * element still sees the same operations in the same order (a product rounded, then added), so
     * the result is the same bits as the scalar loop.
     */
    public static void apply(Partition p, Operator op, double[] x, double[] halo, int width, double[] out, boolean accumulate) {
        apply(p, op, x, 0, halo, width, out, accumulate);
    }

    /** {@link #apply(Partition, Operator, double[], double[], int, double[], boolean)} with the local rows of {@code x} and {@code out} starting at {@code offset}. */
    public static void apply(Partition p, Operator op, double[] x, int offset, double[] halo, int width, double[] out, boolean accumulate) {
        double[] self = p.selfWeights(op);
        double[] w = p.edgeWeights(op);
        int n = p.size();
        int[] rowPtr = p.rowPtr(), cols = p.cols();
        long workPerRow = (long) width * (1 + p.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, workPerRow), (c, from, to) -> {
            for (int i = from; i < to; i++) row(i, n, self[i], w, rowPtr[i], rowPtr[i + 1], cols, x, offset, halo, width, out, offset + i * width, accumulate);
        });
    }

    /**
     * Row i alone of {@link #apply(Partition, Operator, double[], int, double[], int, double[], boolean)}
     * (not accumulating), written to {@code out[at, at + width)}: for a kernel that uses a node's
     * shifted row at once and never stores it with the others. {@code self} and {@code w} are the
     * partition's {@link Partition#selfWeights} and {@link Partition#edgeWeights} of the operator,
     * taken once by the caller (the latter is a synchronized cache lookup).
     */
    public static void row(Partition p, double[] self, double[] w, int i, double[] x, int offset, double[] halo, int width,
                           double[] out, int at) {
        int[] rowPtr = p.rowPtr();
        row(i, p.size(), self[i], w, rowPtr[i], rowPtr[i + 1], p.cols(), x, offset, halo, width, out, at, false);
    }

    private static void row(int i, int n, double s, double[] w, int e0, int e1, int[] cols, double[] x, int base, double[] halo,
                            int width, double[] out, int at, boolean accumulate) {
        int o = base + i * width, d = at - o;     // out[q + d] is the output for x[q]
        // when rows are a whole number of vectors long, the boundary is at the same column in every
        // row: the columns before it first, then every vector load is on a cache line (for other
        // widths the neighbours' rows straddle lines anyway, and a head would only cost)
        int k = width % V.length() == 0 ? Math.min(width, Aligned.next(o) - o) : 0;
        if (k > 0) {
            // the head as one masked vector: its lanes L − k .. L − 1 are columns 0 .. k − 1 (the lanes
            // before are masked off, and may lie before the array: masked-off lanes are not checked)
            if (k < V.length()) maskedColumns(i, n, s, w, e0, e1, cols, x, base, halo, width, out, at, accumulate, k - V.length(), k);
            else columns(i, n, s, w, e0, e1, cols, x, base, halo, width, out, at, accumulate, 0, k);  // vectors under a line long (AVX2)
        }
        for (; k + BLOCK <= width; k += BLOCK) {
            int L = V.length(), a = o + k, c = a + d;
            DoubleVector a0 = DoubleVector.fromArray(V, x, a).mul(s), a1 = DoubleVector.fromArray(V, x, a + L).mul(s),
                    a2 = DoubleVector.fromArray(V, x, a + 2 * L).mul(s), a3 = DoubleVector.fromArray(V, x, a + 3 * L).mul(s);
            if (accumulate) {
                a0 = DoubleVector.fromArray(V, out, c).add(a0);
                a1 = DoubleVector.fromArray(V, out, c + L).add(a1);
                a2 = DoubleVector.fromArray(V, out, c + 2 * L).add(a2);
                a3 = DoubleVector.fromArray(V, out, c + 3 * L).add(a3);
            }
            for (int e = e0; e < e1; e++) {
                int src = cols[e];
                double we = w[e];
                double[] from = src < n ? x : halo;
                int so = src < n ? base + src * width + k : (src - n) * width + k;
                a0 = a0.add(DoubleVector.fromArray(V, from, so).mul(we));
                a1 = a1.add(DoubleVector.fromArray(V, from, so + L).mul(we));
                a2 = a2.add(DoubleVector.fromArray(V, from, so + 2 * L).mul(we));
                a3 = a3.add(DoubleVector.fromArray(V, from, so + 3 * L).mul(we));
            }
            a0.intoArray(out, c);
            a1.intoArray(out, c + L);
            a2.intoArray(out, c + 2 * L);
            a3.intoArray(out, c + 3 * L);
        }
        for (int L = V.length(); k + L <= width; k += L) {      // then single vectors
            int a = o + k;
            DoubleVector a0 = DoubleVector.fromArray(V, x, a).mul(s);
            if (accumulate) a0 = DoubleVector.fromArray(V, out, a + d).add(a0);
            for (int e = e0; e < e1; e++) {
                int src = cols[e];
                int so = src < n ? base + src * width + k : (src - n) * width + k;
                a0 = a0.add(DoubleVector.fromArray(V, src < n ? x : halo, so).mul(w[e]));
            }
            a0.intoArray(out, a + d);
        }
        // the last columns, fewer than a vector after the loop above: one masked vector
        if (k < width) maskedColumns(i, n, s, w, e0, e1, cols, x, base, halo, width, out, at, accumulate, k, width);
    }

    /**
     * Columns [max(t, 0), end) of one row as one masked vector whose lane q is column {@code t + q}
     * (end − t ≤ LANES). The same operations per element, in the same order, as {@link #columns}, so
     * the same bits. The mask is made here: a mask passed into a call that is not inlined is boxed.
     */
    private static void maskedColumns(int i, int n, double s, double[] w, int e0, int e1, int[] cols, double[] x, int base, double[] halo,
                                      int width, double[] out, int at, boolean accumulate, int t, int end) {
        VectorMask<Double> mask = V.indexInRange(t, end);     // lanes q with 0 <= t + q < end
        DoubleVector a = DoubleVector.fromArray(V, x, base + i * width + t, mask).mul(s);
        if (accumulate) a = DoubleVector.fromArray(V, out, at + t, mask).add(a);
        for (int e = e0; e < e1; e++) {
            int src = cols[e];
            int so = src < n ? base + src * width : (src - n) * width;
            a = a.add(DoubleVector.fromArray(V, src < n ? x : halo, so + t, mask).mul(w[e]));
        }
        a.intoArray(out, at + t, mask);
    }

    /** Columns [k0, k1) of {@link #row}, element by element in the same order as its vectors. */
    private static void columns(int i, int n, double s, double[] w, int e0, int e1, int[] cols, double[] x, int base, double[] halo,
                                int width, double[] out, int at, boolean accumulate, int k0, int k1) {
        int o = base + i * width;
        if (accumulate) for (int t = k0; t < k1; t++) out[at + t] += s * x[o + t];
        else for (int t = k0; t < k1; t++) out[at + t] = s * x[o + t];
        for (int e = e0; e < e1; e++) {
            int src = cols[e];
            double we = w[e];
            double[] from = src < n ? x : halo;
            int so = src < n ? base + src * width : (src - n) * width;
            for (int t = k0; t < k1; t++) out[at + t] += we * from[so + t];
        }
    }

    /**
     * One round of consensus, {@code θ_i ← Σ_j W_ij θ_j}, on each of the tensors in place. All
     * tensors travel in the same round (one message per node carrying every tensor's row).
     */
    public static void consensus(Comm comm, Operator weights, Tensor... tensors) {
        Tensor[] copies = new Tensor[tensors.length];
        for (int t = 0; t < tensors.length; t++) copies[t] = tensors[t].copy();
        consensus(comm, weights, copies, tensors);
    }

    /** One round of consensus from {@code from} into {@code into} (same shapes, distinct arrays), in one round. */
    public static void consensus(Comm comm, Operator weights, Tensor[] from, Tensor[] into) {
        Partition p = comm.partition();
        Transfer[] ts = new Transfer[from.length];
        double[][] halos = new double[from.length][];
        for (int t = 0; t < from.length; t++) {
            if (from[t].rows() != p.size())
                throw new IllegalArgumentException("consensus needs one copy per local node, got " + from[t].rows() + " rows");
            int w = from[t].rowSize();
            halos[t] = new double[p.haloSize() * w];
            ts[t] = new Transfer.Pull(from[t].data(), halos[t], w, Accounting.BROADCAST);
        }
        comm.round(ts);
        // every tensor's rows in one parallel region (one per tensor cost a wake-up of the pool each);
        // a row's sum is the same whichever region computes it
        double[] self = p.selfWeights(weights), w = p.edgeWeights(weights);
        int n = p.size();
        int[] rowPtr = p.rowPtr(), cols = p.cols();
        long width = 0;
        for (Tensor t : from) width += t.rowSize();
        long workPerRow = width * (1 + p.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, workPerRow), (c, lo, hi) -> {
            for (int t = 0; t < from.length; t++) {
                double[] x = from[t].data(), halo = halos[t], out = into[t].data();
                int rw = from[t].rowSize();
                for (int i = lo; i < hi; i++) row(i, n, self[i], w, rowPtr[i], rowPtr[i + 1], cols, x, 0, halo, rw, out, i * rw, false);
            }
        });
    }
}
