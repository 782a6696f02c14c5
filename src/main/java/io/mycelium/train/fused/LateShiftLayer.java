package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.model.Activation;
import io.mycelium.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.tensor.VectorMath.laneSum;
import static io.mycelium.train.fused.PassState.A;
import static io.mycelium.train.fused.PassState.TIED_CHUNKS;

/**
 * A layer that shifts after its weights: with one Θ for all nodes, S X Θ1 = S (X Θ1), and for an
 * output one wide the messages X_j Θ1 are k times narrower than the rows X_j. Backward the same
 * holds for Q: dΘ1 = Σ (S X)^T Q = Σ X^T (S Q) and Z^{l-1} = Q Θ0^T + (S Q) Θ1^T (S symmetric), one
 * narrow exchange. Per-node copies cannot do this: node i's Θ1_i applies to what its neighbours send.
 */
final class LateShiftLayer implements LayerKernel {
    private final PassState s;
    private final int l;
    private final String name0, name1;
    private double[][] lanes, partial;  // per chunk: lane-wise sums of dΘ0 then dΘ1, and their reductions

    LateShiftLayer(PassState s, int l) {
        this.s = s;
        this.l = l;
        this.name0 = s.form.theta0()[l];
        this.name1 = s.form.theta1()[l];
    }

    /** Whether layer l of {@code s} can shift late: tied weights, every node on this host, k > 1 inputs to one output. */
    static boolean applies(PassState s, int l) {
        return s.tied && s.whole() && s.width(l + 1) == 1 && s.width(l) > 1;
    }

    /** X^{l+1} = σ(X^l Θ0 + S (X^l Θ1)): node by node the two products, then one narrow exchange. */
    @Override
    public void forward(Params params) {
        double[] W0 = params.get(name0).data(), W1 = params.get(name1).data();
        double[] in = s.x[l], out = s.x[l + 1], u = s.late;
        int k = s.width(l), P = s.stride, n = s.n;
        Parallel.forRange(n, Parallel.chunks(n, 2L * k * P), (c, from, to) -> {
            for (int i = from; i < to; i++) narrowPair(in, W0, W1, out, u, i * k * P + A, i * P + A, k, P);
        });
        s.shift(u, 1, out, true);
        Pointwise.activate(s.activation(l), out, A, n * P);
    }

    @Override
    public Below backward(Params params, Params grads, boolean gradsTaken) {
        double[] q = s.z[l + 1], sq = s.late;
        s.shift(q, 1, sq, false);
        if (!gradsTaken) lateGrads(q, sq, grads.get(name0).data(), grads.get(name1).data());
        if (l == 0) return Below.DONE;
        lateBack(q, sq, params.get(name0).data(), params.get(name1).data(), s.width(l), s.z[l], s.activation(l - 1), s.x[l]);
        return Below.SLOPED;
    }

    /** A late-shift layer's dΘ0 += Σ_i Σ_b X_i q_i and dΘ1 += Σ_i Σ_b X_i (S q)_i, lane-wise per chunk of nodes, reduced once. */
    private void lateGrads(double[] q, double[] sq, double[] g0, double[] g1) {
        int k = s.width(l), P = s.stride, n = s.n;
        double[] in = s.x[l];
        int chunks = Math.min(TIED_CHUNKS, Parallel.chunks(n, 2L * k * P));
        if (lanes == null || lanes[0].length < 2 * k * LANES + A) {
            int size = Math.max(2 * k * LANES, lanes == null ? 0 : lanes[0].length - A);
            lanes = new double[TIED_CHUNKS][size + A];
            partial = new double[TIED_CHUNKS][size / LANES];
        }
        Parallel.forRange(n, chunks, (c, from, to) -> {
            double[] acc = lanes[c];
            java.util.Arrays.fill(acc, A, A + 2 * k * LANES, 0);
            for (int i = from; i < to; i++) lateRow(in, q, sq, i, k, P, acc);
            for (int t = 0; t < 2 * k; t++) partial[c][t] = laneSum(acc, t * LANES + A);
        });
        for (int c = 0; c < chunks; c++)
            for (int t = 0; t < k; t++) {
                g0[t] += partial[c][t];
                g1[t] += partial[c][k + t];
            }
    }

    /**
     * Z^{l-1}_i = q_i Θ0^T + (S q)_i Θ1^T for a late-shift layer (eq. 14 with the shift already
     * applied to q), then the slope of the layer below (eq. 12): no neighbour rows are read.
     */
    private void lateBack(double[] q, double[] sq, double[] W0, double[] W1, int k, double[] out, Activation below, double[] y) {
        int n = s.n, P = s.stride;
        Parallel.forRange(n, Parallel.chunks(n, 2L * k * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                int qo = i * P + A;
                for (int kk = 0; kk < k; kk++) {
                    DoubleVector w0 = bc(W0[kk]), w1 = bc(W1[kk]);
                    int o = (i * k + kk) * P + A;
                    for (int b = 0; b < P; b += LANES)
                        DoubleVector.fromArray(V, sq, qo + b).fma(w1, DoubleVector.fromArray(V, q, qo + b).mul(w0)).intoArray(out, o + b);
                }
                Pointwise.slope(below, y, i * k * P + A, out, i * k * P + A, k * P);
            }
        });
    }

    /** One node's {@code out = Σ_kk W0[kk] in[kk]} and {@code u = Σ_kk W1[kk] in[kk]}, four sample vectors at a time. */
    private static void narrowPair(double[] in, double[] W0, double[] W1, double[] out, double[] u, int xo, int oo, int k, int P) {
        int b = 0;
        for (; b + 2 * LANES <= P; b += 2 * LANES) {
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            int kk = 0;
            for (; kk + 1 < k; kk += 2) {      // two features and two sample vectors: eight independent sums
                int r = xo + kk * P + b;
                DoubleVector w0 = bc(W0[kk]), w1 = bc(W1[kk]), v0 = bc(W0[kk + 1]), v1 = bc(W1[kk + 1]);
                DoubleVector p = DoubleVector.fromArray(V, in, r), q = DoubleVector.fromArray(V, in, r + LANES);
                DoubleVector p1 = DoubleVector.fromArray(V, in, r + P), q1 = DoubleVector.fromArray(V, in, r + P + LANES);
                a0 = p.fma(w0, a0);
                a1 = q.fma(w0, a1);
                c0 = p.fma(w1, c0);
                c1 = q.fma(w1, c1);
                a2 = p1.fma(v0, a2);
                a3 = q1.fma(v0, a3);
                c2 = p1.fma(v1, c2);
                c3 = q1.fma(v1, c3);
            }
            if (kk < k) {
                int r = xo + kk * P + b;
                DoubleVector p = DoubleVector.fromArray(V, in, r), q = DoubleVector.fromArray(V, in, r + LANES);
                a0 = p.fma(bc(W0[kk]), a0);
                a1 = q.fma(bc(W0[kk]), a1);
                c0 = p.fma(bc(W1[kk]), c0);
                c1 = q.fma(bc(W1[kk]), c1);
            }
            a0.add(a2).intoArray(out, oo + b);
            a1.add(a3).intoArray(out, oo + b + LANES);
            c0.add(c2).intoArray(u, oo + b);
            c1.add(c3).intoArray(u, oo + b + LANES);
        }
        for (; b < P; b += LANES) {
            DoubleVector a0 = DoubleVector.zero(V), c0 = a0;
            for (int kk = 0; kk < k; kk++) {
                DoubleVector p = DoubleVector.fromArray(V, in, xo + kk * P + b);
                a0 = p.fma(bc(W0[kk]), a0);
                c0 = p.fma(bc(W1[kk]), c0);
            }
            a0.intoArray(out, oo + b);
            c0.intoArray(u, oo + b);
        }
    }

    /** Node i's share of {@link #lateGrads}: four input features at a time, q and S q loaded once per sample vector. */
    private static void lateRow(double[] in, double[] q, double[] sq, int i, int k, int P, double[] acc) {
        int kk = 0, qo = i * P + A;
        for (; kk + 3 < k; kk += 4) {
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            int r = (i * k + kk) * P + A;
            for (int b = 0; b < P; b += LANES) {
                DoubleVector qv = DoubleVector.fromArray(V, q, qo + b), sv = DoubleVector.fromArray(V, sq, qo + b);
                DoubleVector x0 = DoubleVector.fromArray(V, in, r + b), x1 = DoubleVector.fromArray(V, in, r + P + b),
                        x2 = DoubleVector.fromArray(V, in, r + 2 * P + b), x3 = DoubleVector.fromArray(V, in, r + 3 * P + b);
                a0 = x0.fma(qv, a0);
                a1 = x1.fma(qv, a1);
                a2 = x2.fma(qv, a2);
                a3 = x3.fma(qv, a3);
                c0 = x0.fma(sv, c0);
                c1 = x1.fma(sv, c1);
                c2 = x2.fma(sv, c2);
                c3 = x3.fma(sv, c3);
            }
            addLanes(acc, kk, a0);
            addLanes(acc, kk + 1, a1);
            addLanes(acc, kk + 2, a2);
            addLanes(acc, kk + 3, a3);
            addLanes(acc, k + kk, c0);
            addLanes(acc, k + kk + 1, c1);
            addLanes(acc, k + kk + 2, c2);
            addLanes(acc, k + kk + 3, c3);
        }
        for (; kk < k; kk++) {
            DoubleVector a0 = DoubleVector.zero(V), c0 = a0;
            int r = (i * k + kk) * P + A;
            for (int b = 0; b < P; b += LANES) {
                DoubleVector x0 = DoubleVector.fromArray(V, in, r + b);
                a0 = x0.fma(DoubleVector.fromArray(V, q, qo + b), a0);
                c0 = x0.fma(DoubleVector.fromArray(V, sq, qo + b), c0);
            }
            addLanes(acc, kk, a0);
            addLanes(acc, k + kk, c0);
        }
    }

    private static void addLanes(double[] acc, int entry, DoubleVector v) {
        int o = entry * LANES + A;
        v.add(DoubleVector.fromArray(V, acc, o)).intoArray(acc, o);
    }

}
