package io.mycelium.wireless;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Operator;

/**
 * WMMSE power allocation (wireless spec B.4) as a local program: link i keeps its own u_i, w_i,
 * v_i and learns the two interference sums of each iteration from one exchange each over the
 * interference graph — a broadcast of v_j² (receiver step) and a broadcast of u_j² w_j (transmitter
 * step). Started from full power; μ = 0 and the clip to [0, √P_max] replaces the multiplier.
 * The full baseline runs 100 iterations, the truncated one ("WMMSE-Tr") 4.
 *
 * <p>Runs on any partition of the sample's interference graph; every exchange is charged to the
 * partition's {@link Comm}.
 */
public final class Wmmse {
    private Wmmse() {}

    /** The authors' full WMMSE. */
    public static final int FULL = 100;
    /** WMMSE-Tr: as many iterations as UWMMSE has layers. */
    public static final int TRUNCATED = 4;

    /**
     * Runs {@code iterations} WMMSE iterations for the local nodes of {@code comm}'s partition and
     * returns their amplitudes v (one per local node). {@code direct[i]} is H_ii of local node i.
     * With {@code a}, {@code b} (per layer, per local node) the weight step becomes ŵ = a·w̃ + b, the
     * UWMMSE recursion; null means plain WMMSE (a = 1, b = 0).
     */
    public static double[] run(Comm comm, Interference s, double[] direct, int iterations, double[][] a, double[][] b) {
        double[] v = new double[comm.partition().size()];
        java.util.Arrays.fill(v, Channels.V_MAX);
        return run(comm, s, direct, v, iterations, a, b);
    }

    /** {@link #run(Comm, Interference, double[], int, double[][], double[][])} from the amplitudes {@code start} (not modified). */
    public static double[] run(Comm comm, Interference s, double[] direct, double[] start, int iterations, double[][] a, double[][] b) {
        Partition p = comm.partition();
        int n = p.size();
        double[] v = start.clone(), x = new double[n], sum = new double[n], u = new double[n], w = new double[n];
        for (int k = 0; k < iterations; k++) {
            for (int i = 0; i < n; i++) x[i] = v[i] * v[i];
            receive(p, s.received(), x, Exchange.pull(comm, x, 1), sum);
            for (int i = 0; i < n; i++) {
                u[i] = direct[i] * v[i] / (Channels.NOISE + sum[i]);
                w[i] = 1 / (1 - u[i] * direct[i] * v[i]);
                if (a != null) w[i] = a[k][i] * w[i] + b[k][i];
                x[i] = u[i] * u[i] * w[i];
            }
            receive(p, s.sent(), x, Exchange.pull(comm, x, 1), sum);
            for (int i = 0; i < n; i++) {
                double t = sum[i] == 0 ? 0 : direct[i] * u[i] * w[i] / sum[i];
                v[i] = Math.min(Channels.V_MAX, Math.max(0, t));
            }
        }
        return v;
    }

    /**
     * {@code out_i = S_ii x_i + Σ_j S_ij x_j} for the local nodes, neighbours' values from local rows
     * or from the halo the round brought: {@link Exchange#apply} for one scalar per node, whose
     * vector kernel spends its time in masked single-lane loads at this width.
     */
    static void receive(Partition p, Operator op, double[] x, double[] halo, double[] out) {
        double[] self = p.selfWeights(op), w = p.edgeWeights(op);
        int n = p.size();
        int[] rowPtr = p.rowPtr(), cols = p.cols();
        for (int i = 0; i < n; i++) {
            double acc = self[i] * x[i];
            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                int c = cols[e];
                acc += w[e] * (c < n ? x[c] : halo[c - n]);
            }
            out[i] = acc;
        }
    }

    /** Rounds of message passing per CSI sample: two per iteration. */
    public static int rounds(int iterations) { return 2 * iterations; }
}
