package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Exchange;
import io.mycelium.model.Activation;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.laneSum;
import static io.mycelium.tensor.VectorMath.transpose8;
import static io.mycelium.train.fused.PassState.A;

/**
 * The squared-error step with the output layer run node by node: per-node weights and an output one
 * wide (the node-regression model) on a host that holds every node. Node i's shifted input row
 * (S X)_i is made in a scratch row and used at once for its output, its output gradient and its
 * weight gradients, while it is in L1. Stored for all nodes, that row and the two later passes over
 * the layer's input were the largest part of what a per-node epoch moved between L2 and L3. The
 * same bits as forward, squared error and backward one after the other. Any widths and depths.
 */
final class FusedOutputStep implements GcnnPass.OutputStep {
    private final GcnnPass pass;
    private final PassState s;
    private final String name0, name1;
    private double[][] shiftedRow;    // per chunk: one node's (S X)_i
    private double[][] reduced;       // per chunk: outputGrads' eight sums, transposed, from A

    FusedOutputStep(GcnnPass pass, PassState s) {
        this.pass = pass;
        this.s = s;
        int l = s.layers() - 1;
        this.name0 = s.form.theta0()[l];
        this.name1 = s.form.theta1()[l];
    }

    /** Per-node weights, an output one wide on more than one input, no halo. */
    static boolean applies(PassState s) {
        int L = s.layers();
        return s.width(L) == 1 && s.width(L - 1) > 1 && s.whole() && !s.tied;
    }

    @Override
    public double run(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        int L = s.layers(), l = L - 1, k = s.width(l), n = s.n;
        pass.gather(store, ids);
        pass.forwardLayers(params, l);
        int P = s.stride, B = s.samples;
        double[] in = s.x[l], out = s.x[L], q = s.z[L], W0 = params.get(name0).data(), W1 = params.get(name1).data();
        double[] g0 = grads.get(name0).data(), g1 = grads.get(name1).data(), noHalo = new double[0];
        Activation act = s.activation(l);
        double[] self = s.part.selfWeights(s.shift), w = s.part.edgeWeights(s.shift);
        if (shiftedRow == null || shiftedRow[0].length < k * P + A) shiftedRow = new double[Parallel.MAX_CHUNKS][k * P + A];
        if (reduced == null) reduced = new double[Parallel.MAX_CHUNKS][128 + A];
        double[][] rows = shiftedRow, sums = reduced;
        long perNode = (long) k * P * (2 + s.part.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, perNode), (c, from, to) -> {
            double[] sc = rows[c], red = sums[c];
            for (int i = from; i < to; i++) {
                int xo = i * k * P + A, oo = i * P + A, tb = i * B;
                Exchange.row(s.part, self, w, i, in, A, noHalo, k * P, sc, A);
                FeatureMajorLayer.narrowLinear(in, sc, A - xo, W0, W1, i * k, out, xo, oo, k, P);
                Pointwise.activate(act, out, oo, P);
                for (int b = 0; b < B; b++) q[oo + b] = scale * (out[oo + b] - targets[tb + b]);   // the padding of q stays zero
                Pointwise.slope(act, out, oo, q, oo, P);
                outputGrads(in, xo, sc, A, q, oo, k, P, g0, g1, i * k, red);
            }
        });
        double sse = GcnnPass.squaredError(pass.copyOutput(), targets);
        pass.backwardLayers(params, grads, true);
        return sse;
    }

    /**
     * Node i's dΘ0[kk] += Σ_b X_i[kk] q_i and dΘ1[kk] += Σ_b (S X)_i[kk] q_i for an output one wide,
     * the sums over samples lane-wise and reduced in lane order (as {@link #block1x1}, so the same bits).
     * Eight sums at a time are reduced together: stored, transposed in registers and added as vectors
     * (lane r of the result is sum r's lanes added in order), instead of each extracting its lanes one
     * by one, which cost as much as the multiply-adds.
     */
    private static void outputGrads(double[] in, int xo, double[] sin, int so, double[] q, int qo, int k, int P,
                                    double[] g0, double[] g1, int wo, double[] red) {
        int kk = 0;
        if (LANES == 8)
            for (; kk + 3 < k; kk += 4) {
                DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
                int r = xo + kk * P, t = so + kk * P;
                for (int b = 0; b < P; b += LANES) {
                    DoubleVector qv = DoubleVector.fromArray(V, q, qo + b);
                    x0 = DoubleVector.fromArray(V, in, r + b).fma(qv, x0);
                    x1 = DoubleVector.fromArray(V, in, r + P + b).fma(qv, x1);
                    x2 = DoubleVector.fromArray(V, in, r + 2 * P + b).fma(qv, x2);
                    x3 = DoubleVector.fromArray(V, in, r + 3 * P + b).fma(qv, x3);
                    s0 = DoubleVector.fromArray(V, sin, t + b).fma(qv, s0);
                    s1 = DoubleVector.fromArray(V, sin, t + P + b).fma(qv, s1);
                    s2 = DoubleVector.fromArray(V, sin, t + 2 * P + b).fma(qv, s2);
                    s3 = DoubleVector.fromArray(V, sin, t + 3 * P + b).fma(qv, s3);
                }
                x0.intoArray(red, A);
                x1.intoArray(red, A + 8);
                x2.intoArray(red, A + 16);
                x3.intoArray(red, A + 24);
                s0.intoArray(red, A + 32);
                s1.intoArray(red, A + 40);
                s2.intoArray(red, A + 48);
                s3.intoArray(red, A + 56);
                transpose8(red, A, 8, red, A + 64, 8);
                DoubleVector sum = DoubleVector.fromArray(V, red, A + 64);
                for (int l = 1; l < 8; l++) sum = sum.add(DoubleVector.fromArray(V, red, A + 64 + 8 * l));
                sum.intoArray(red, A);
                for (int c = 0; c < 4; c++) {
                    g0[wo + kk + c] += red[A + c];
                    g1[wo + kk + c] += red[A + 4 + c];
                }
            }
        for (; kk < k; kk++) {
            DoubleVector x0 = DoubleVector.zero(V), s0 = x0;
            int r = xo + kk * P, t = so + kk * P;
            for (int b = 0; b < P; b += LANES) {
                DoubleVector qv = DoubleVector.fromArray(V, q, qo + b);
                x0 = DoubleVector.fromArray(V, in, r + b).fma(qv, x0);
                s0 = DoubleVector.fromArray(V, sin, t + b).fma(qv, s0);
            }
            g0[wo + kk] += laneSum(x0);
            g1[wo + kk] += laneSum(s0);
        }
    }

}
