package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.model.Activation;
import io.mycelium.train.fused.LayerKernel.Below;
import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.tensor.VectorMath.store8;
import static io.mycelium.train.fused.PassState.A;
import static io.mycelium.train.fused.PassState.TIED_CHUNKS;

/**
 * eq. (14) for a layer one output wide, on a host that holds every node: Z^{l-1}_i = Θ0_i q_i +
 * Σ_j S_ij Θ1_j q_j, without writing the messages Θ1_j q_j out. Each message is node j's q row
 * scaled by k weights, so the kernel reads q (k times narrower than the messages) with one
 * coefficient per edge and input feature: (Θ0_i + S_ii Θ1_i) for the node itself, S_ij Θ1_j
 * for a neighbour. Written and re-read, the messages were a sixth of a node-regression epoch.
 * The slope of the layer below (eq. 12) is applied on the way out, saving a pass over Z^{l-1}.
 *
 * <p>Fused (layer 1 of a per-node model whose layer 0 sums its gradients as {@link WideGrads} does): Z^0 feeds nothing
 * but layer 0's weight gradients, so they are taken node by node from a scratch row while X^0_i is
 * in cache, and Z^0 is never stored.
 */
final class NarrowBack implements InputGrads {
    private final PassState s;
    private final int l;
    private final boolean fused;
    private final String name0, name1;
    private final EdgeCoefficients coefficients;
    private final double[][] qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];   // per chunk: Z^0_i transposed
    private final double[][] reds = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][8 * LANES];   // per chunk: WideGrads' partial vector sums
    private double[][] rowScratch;    // per chunk: one node's Z^0 rows, for the fused kernel

    NarrowBack(PassState s, int l, boolean fused) {
        this.s = s;
        this.l = l;
        this.fused = fused;
        this.name0 = s.form.theta0()[l];
        this.name1 = s.form.theta1()[l];
        this.coefficients = new EdgeCoefficients(s);
    }

    /** Whether layer l > 0 of {@code s} is one output wide on a host that holds every node. */
    static boolean applies(PassState s, int l) { return l > 0 && s.width(l + 1) == 1 && s.whole(); }

    /** Whether layer 1's kernel also takes layer 0's weight gradients: per-node weights, and layer 0's gradients are {@link WideGrads}' kind. */
    static boolean fusesLayerZero(PassState s, int l) { return l == 1 && applies(s, l) && !s.tied && WeightGrads.wide(s.width(1)); }

    @Override
    public Below write(Params params, Params grads, double[] q) {
        double[] W0 = params.get(name0).data(), W1 = params.get(name1).data();
        double[] out = fused ? null : s.z[l], y = s.x[l];
        double[] g0 = fused ? grads.get(s.form.theta0()[0]).data() : null, g1 = fused ? grads.get(s.form.theta1()[0]).data() : null;
        Activation below = s.activation(l - 1);
        int n = s.n, P = s.stride, B = s.samples, k = s.width(l), k0 = s.width(0), km0 = k0 * k;
        int[] rowPtr = s.part.rowPtr(), cols = s.part.cols();
        double[] C = coefficients.of(W0, s.tied, W1, k);
        double[][] qt = this.qt;
        int ts = WideGrads.stride(k);
        long perRow = (long) k * P * (1 + rowPtr[n] / Math.max(1, n));
        int chunks = Parallel.chunks(n, perRow);
        if (fused && (rowScratch == null || rowScratch.length < chunks || rowScratch[0].length < k * P + A)) rowScratch = new double[Parallel.MAX_CHUNKS][k * P + A];
        double[] in = s.x[0], sin = s.sx[0];
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (!fused) {
                for (int i = from; i < to; i++) {
                    narrowRow(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * k, q, k, P, out, i * k * P + A);
                    Pointwise.slope(below, y, i * k * P + A, out, i * k * P + A, k * P);     // while the node's rows are still in cache
                }
                return;
            }
            // node by node: Z^0_i into a scratch row, its slope, transposed, then layer 0's dΘ_i while X^0_i is in cache
            double[] zi = rowScratch[c];
            if (qt[c] == null || qt[c].length < B * ts + A) qt[c] = Aligned.doubles(B * ts);
            double[] t = qt[c], red = reds[c];
            for (int i = from; i < to; i++) {
                narrowRow(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * k, q, k, P, zi, A);
                Pointwise.slope(below, y, i * k * P + A, zi, A, k * P);
                WideGrads.transpose(zi, A, k, P, B, t, A, ts);
                WideGrads.wideBlocks(in, sin, t, i, i + 1, k0, k, ts, P, B, g0, i * km0, g1, i * km0, red);
            }
        });
        return fused ? Below.DONE : Below.SLOPED;
    }

    /** Row i of {@link #write}: eight input features at a time, the sources' q vectors read from cache. */
    private static void narrowRow(int i, int e0, int e1, int[] cols, double[] C, int c0, double[] q, int k, int P, double[] out, int at) {
        for (int b = 0; b < P; b += LANES) {
            DoubleVector qi = DoubleVector.fromArray(V, q, i * P + b + A);
            int kk = 0;
            for (; kk + 7 < k; kk += 8) {
                int c = c0 + kk;
                DoubleVector a0 = qi.mul(C[c]), a1 = qi.mul(C[c + 1]), a2 = qi.mul(C[c + 2]), a3 = qi.mul(C[c + 3]),
                        a4 = qi.mul(C[c + 4]), a5 = qi.mul(C[c + 5]), a6 = qi.mul(C[c + 6]), a7 = qi.mul(C[c + 7]);
                for (int e = e0; e < e1; e++) {
                    DoubleVector qj = DoubleVector.fromArray(V, q, cols[e] * P + b + A);
                    int ce = c + (e - e0 + 1) * k;
                    a0 = qj.fma(bc(C[ce]), a0);
                    a1 = qj.fma(bc(C[ce + 1]), a1);
                    a2 = qj.fma(bc(C[ce + 2]), a2);
                    a3 = qj.fma(bc(C[ce + 3]), a3);
                    a4 = qj.fma(bc(C[ce + 4]), a4);
                    a5 = qj.fma(bc(C[ce + 5]), a5);
                    a6 = qj.fma(bc(C[ce + 6]), a6);
                    a7 = qj.fma(bc(C[ce + 7]), a7);
                }
                int o = at + kk * P + b;
                store8(out, o, P, a0, a1, a2, a3, a4, a5, a6, a7);
            }
            for (; kk < k; kk++) {
                DoubleVector a = qi.mul(C[c0 + kk]);
                for (int e = e0; e < e1; e++)
                    a = DoubleVector.fromArray(V, q, cols[e] * P + b + A).fma(bc(C[c0 + (e - e0 + 1) * k + kk]), a);
                int o = at + kk * P + b;
                a.intoArray(out, o);
            }
        }
    }

}
