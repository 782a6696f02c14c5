package io.mycelium.comm;

import io.mycelium.tensor.Parallel;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

/**
 * Kernels for applying a local operator on a partition, with the neighbour rows that a round
 * brought in. Used by the tape's {@code exchange} op and by the optimizers' consensus steps.
 */
public final class Exchange {
    private Exchange() {}

    /** One broadcast round in which every node sends its row of {@code x}; returns the halo rows. */
    public static double[] pull(Comm comm, double[] x, int width) {
        double[] halo = new double[comm.partition().haloSize() * width];
        comm.round(new Transfer.Pull(x, halo, width, Accounting.BROADCAST));
        return halo;
    }

    /**
     * {@code out_i (+)= self_i x_i + Σ_e w_e src_e} over local rows, where {@code src_e} is a local
     * row of {@code x} or a row of {@code halo}. Sums run in CSR order on every engine.
     */
    public static void apply(Partition p, Operator op, double[] x, double[] halo, int width, double[] out, boolean accumulate) {
        double[] self = p.selfWeights(op);
        double[] w = p.edgeWeights(op);
        int n = p.size();
        int[] rowPtr = p.rowPtr(), cols = p.cols();
        long workPerRow = (long) width * (1 + p.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, workPerRow), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                int o = i * width;
                double s = self[i];
                if (accumulate) for (int k = 0; k < width; k++) out[o + k] += s * x[o + k];
                else for (int k = 0; k < width; k++) out[o + k] = s * x[o + k];
                for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                    int src = cols[e];
                    double we = w[e];
                    double[] from2 = x;
                    int so = src * width;
                    if (src >= n) { from2 = halo; so = (src - n) * width; }
                    for (int k = 0; k < width; k++) out[o + k] += we * from2[so + k];
                }
            }
        });
    }

    /**
     * One round of consensus, {@code θ_i ← Σ_j W_ij θ_j}, on each of the tensors in place. All
     * tensors travel in the same round (one message per node carrying every tensor's row).
     */
    public static void consensus(Comm comm, Operator weights, Tensor... tensors) {
        Partition p = comm.partition();
        Transfer[] ts = new Transfer[tensors.length];
        double[][] halos = new double[tensors.length][];
        for (int t = 0; t < tensors.length; t++) {
            if (tensors[t].rows() != p.size())
                throw new IllegalArgumentException("consensus needs one copy per local node, got " + tensors[t].rows() + " rows");
            int w = tensors[t].rowSize();
            halos[t] = new double[p.haloSize() * w];
            ts[t] = new Transfer.Pull(tensors[t].data(), halos[t], w, Accounting.BROADCAST);
        }
        comm.round(ts);
        for (int t = 0; t < tensors.length; t++) {
            double[] x = tensors[t].data();
            double[] copy = x.clone();
            apply(p, weights, copy, halos[t], tensors[t].rowSize(), x, false);
        }
    }
}
