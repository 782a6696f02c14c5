package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.model.Activation;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;
import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.train.fused.PassState.A;

/**
 * The general layer: forward, one round of messages S X^l, then node by node
 * {@code X^{l+1}_i = σ(X^l_i Θ0 + (S X^l)_i Θ1)} on feature-major rows, where a vector holds one
 * feature of {@link io.mycelium.tensor.VectorMath#LANES} samples and the products are
 * register-blocked (four outputs by two sample vectors, so each loaded vector feeds eight
 * independent multiply-adds). Backward, the weight gradients by the chosen {@link WeightGrads},
 * then Z^l by the chosen {@link InputGrads}. Any widths, tied or per-node weights, any partition.
 */
final class FeatureMajorLayer implements LayerKernel {
    private final PassState s;
    private final int l;
    private final String name0, name1;
    private final WeightGrads weightGrads;
    private final InputGrads inputGrads;

    FeatureMajorLayer(PassState s, int l, WeightGrads weightGrads, InputGrads inputGrads) {
        this.s = s;
        this.l = l;
        this.name0 = s.form.theta0()[l];
        this.name1 = s.form.theta1()[l];
        this.weightGrads = weightGrads;
        this.inputGrads = inputGrads;
    }

    @Override
    public void forward(Params params) {
        s.shift(s.x[l], s.width(l), s.sx[l], false);
        Tensor t0 = params.get(name0), t1 = params.get(name1);
        double[] W0 = t0.data(), W1 = t1.data(), in = s.x[l], sin = s.sx[l], out = s.x[l + 1];
        int k = s.width(l), m = s.width(l + 1), km = k * m, P = s.stride, n = s.n;
        boolean tied = s.tied;
        Activation act = s.activation(l);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                linear(in, sin, W0, W1, tied ? 0 : i * km, out, i * k * P + A, i * m * P + A, k, m, P);
                Pointwise.activate(act, out, i * m * P + A, m * P);
            }
        });
    }

    @Override
    public Below backward(Params params, Params grads, boolean gradsTaken) {
        double[] q = s.z[l + 1];
        if (!gradsTaken) weightGrads.add(l, q, grads.get(name0).data(), grads.get(name1).data());
        if (l == 0) return Below.DONE;
        return inputGrads.write(params, grads, q);
    }

    /**
     * eq. (14) through messages: Z^{l-1} = Θ0 Q + S^T (Θ1 Q); the second term is one round of
     * messages Θ1^j Q_j. Any widths and partitions.
     */
    static InputGrads messages(PassState s, int l) {
        String name0 = s.form.theta0()[l], name1 = s.form.theta1()[l];
        return (params, grads, q) -> {
            int k = s.width(l), m = s.width(l + 1), km = k * m, P = s.stride, n = s.n;
            double[] direct = s.z[l], msgs = s.msg, W0 = params.get(name0).data(), W1 = params.get(name1).data();
            boolean tied = s.tied;
            Parallel.forRange(n, Parallel.chunks(n, 2L * km * P), (c, from, to) -> {
                for (int i = from; i < to; i++) transposed(q, W0, W1, tied ? 0 : i * km, direct, msgs, i * m * P + A, i * k * P + A, k, m, P);
            });
            s.shift(msgs, k, direct, true);
            return Below.SLOPE;
        };
    }

    /**
     * One node's {@code out[j] = Σ_kk W0[kk][j] in[kk] + W1[kk][j] sin[kk]} over its rows, four
     * outputs at a time so each loaded input vector feeds eight independent multiply-adds. (Kept out
     * of the lambda and free of calls that are not inlined: a vector that crosses a call is boxed.)
     */
    private static void linear(double[] in, double[] sin, double[] W0, double[] W1, int wo, double[] out, int xo, int oo,
                               int k, int m, int P) {
        if (m == 1) {
            narrowLinear(in, sin, 0, W0, W1, wo, out, xo, oo, k, P);
            return;
        }
        int b = 0;
        for (; b + 2 * LANES <= P; b += 2 * LANES) {
            // two sample vectors by four outputs: eight chains, so the FMA units are not left waiting
            // on the latency of four (each step is two dependent multiply-adds); same order per output
            int j = 0;
            for (; j + 3 < m; j += 4) {
                DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int r = xo + kk * P + b, w = wo + kk * m + j;
                    DoubleVector xv = DoubleVector.fromArray(V, in, r), sv = DoubleVector.fromArray(V, sin, r);
                    DoubleVector xu = DoubleVector.fromArray(V, in, r + LANES), su = DoubleVector.fromArray(V, sin, r + LANES);
                    DoubleVector u0 = bc(W0[w]), u1 = bc(W0[w + 1]), u2 = bc(W0[w + 2]), u3 = bc(W0[w + 3]);
                    DoubleVector v0 = bc(W1[w]), v1 = bc(W1[w + 1]), v2 = bc(W1[w + 2]), v3 = bc(W1[w + 3]);
                    a0 = sv.fma(v0, xv.fma(u0, a0));
                    c0 = su.fma(v0, xu.fma(u0, c0));
                    a1 = sv.fma(v1, xv.fma(u1, a1));
                    c1 = su.fma(v1, xu.fma(u1, c1));
                    a2 = sv.fma(v2, xv.fma(u2, a2));
                    c2 = su.fma(v2, xu.fma(u2, c2));
                    a3 = sv.fma(v3, xv.fma(u3, a3));
                    c3 = su.fma(v3, xu.fma(u3, c3));
                }
                int o = oo + j * P + b;
                a0.intoArray(out, o);
                c0.intoArray(out, o + LANES);
                a1.intoArray(out, o + P);
                c1.intoArray(out, o + P + LANES);
                a2.intoArray(out, o + 2 * P);
                c2.intoArray(out, o + 2 * P + LANES);
                a3.intoArray(out, o + 3 * P);
                c3.intoArray(out, o + 3 * P + LANES);
            }
            if (j < m) linearRest(in, sin, W0, W1, wo, out, xo, oo, k, m, P, b, j);
            if (j < m) linearRest(in, sin, W0, W1, wo, out, xo, oo, k, m, P, b + LANES, j);
        }
        for (; b < P; b += LANES) {
            int j = 0;
            for (; j + 3 < m; j += 4) {
                DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int r = xo + kk * P + b, w = wo + kk * m + j;
                    DoubleVector xv = DoubleVector.fromArray(V, in, r), sv = DoubleVector.fromArray(V, sin, r);
                    a0 = sv.fma(bc(W1[w]), xv.fma(bc(W0[w]), a0));
                    a1 = sv.fma(bc(W1[w + 1]), xv.fma(bc(W0[w + 1]), a1));
                    a2 = sv.fma(bc(W1[w + 2]), xv.fma(bc(W0[w + 2]), a2));
                    a3 = sv.fma(bc(W1[w + 3]), xv.fma(bc(W0[w + 3]), a3));
                }
                int o = oo + j * P + b;
                a0.intoArray(out, o);
                a1.intoArray(out, o + P);
                a2.intoArray(out, o + 2 * P);
                a3.intoArray(out, o + 3 * P);
            }
            if (j < m) linearRest(in, sin, W0, W1, wo, out, xo, oo, k, m, P, b, j);
        }
    }

    /** Outputs j .. m − 1 of {@link #linear} for one sample vector: four partial sums keep the FMAs independent. */
    private static void linearRest(double[] in, double[] sin, double[] W0, double[] W1, int wo, double[] out, int xo, int oo,
                                   int k, int m, int P, int b, int j) {
        for (; j < m; j++) {
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
            int kk = 0;
            for (; kk + 1 < k; kk += 2) {
                int r = xo + kk * P + b, w = wo + kk * m + j;
                a0 = DoubleVector.fromArray(V, in, r).fma(bc(W0[w]), a0);
                a1 = DoubleVector.fromArray(V, sin, r).fma(bc(W1[w]), a1);
                a2 = DoubleVector.fromArray(V, in, r + P).fma(bc(W0[w + m]), a2);
                a3 = DoubleVector.fromArray(V, sin, r + P).fma(bc(W1[w + m]), a3);
            }
            if (kk < k) {
                int r = xo + kk * P + b, w = wo + kk * m + j;
                a0 = DoubleVector.fromArray(V, in, r).fma(bc(W0[w]), a0);
                a1 = DoubleVector.fromArray(V, sin, r).fma(bc(W1[w]), a1);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, oo + j * P + b);
        }
    }

    /**
     * {@link #linear} for one output (the output layer): four sample vectors at a time, so each
     * broadcast weight feeds four multiply-adds and the input rows stream through once.
     */
    static void narrowLinear(double[] in, double[] sin, int sd, double[] W0, double[] W1, int wo, double[] out, int xo, int oo,
                                     int k, int P) {
        int b = 0;
        for (; b + 4 * LANES <= P; b += 4 * LANES) {
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
            for (int kk = 0; kk < k; kk++) {
                int r = xo + kk * P + b;
                DoubleVector w0 = bc(W0[wo + kk]), w1 = bc(W1[wo + kk]);
                a0 = DoubleVector.fromArray(V, in, r).fma(w0, a0);
                a1 = DoubleVector.fromArray(V, in, r + LANES).fma(w0, a1);
                a2 = DoubleVector.fromArray(V, in, r + 2 * LANES).fma(w0, a2);
                a3 = DoubleVector.fromArray(V, in, r + 3 * LANES).fma(w0, a3);
                c0 = DoubleVector.fromArray(V, sin, r + sd).fma(w1, c0);
                c1 = DoubleVector.fromArray(V, sin, r + sd + LANES).fma(w1, c1);
                c2 = DoubleVector.fromArray(V, sin, r + sd + 2 * LANES).fma(w1, c2);
                c3 = DoubleVector.fromArray(V, sin, r + sd + 3 * LANES).fma(w1, c3);
            }
            a0.add(c0).intoArray(out, oo + b);
            a1.add(c1).intoArray(out, oo + b + LANES);
            a2.add(c2).intoArray(out, oo + b + 2 * LANES);
            a3.add(c3).intoArray(out, oo + b + 3 * LANES);
        }
        for (; b < P; b += LANES) {
            DoubleVector a0 = DoubleVector.zero(V), c0 = a0;
            for (int kk = 0; kk < k; kk++) {
                int r = xo + kk * P + b;
                a0 = DoubleVector.fromArray(V, in, r).fma(bc(W0[wo + kk]), a0);
                c0 = DoubleVector.fromArray(V, sin, r + sd).fma(bc(W1[wo + kk]), c0);
            }
            a0.add(c0).intoArray(out, oo + b);
        }
    }

    /** One node's {@code direct[kk] = Σ_j W0[kk][j] q[j]} and {@code msgs[kk] = Σ_j W1[kk][j] q[j]}, two inputs at a time. */
    private static void transposed(double[] q, double[] W0, double[] W1, int wo, double[] direct, double[] msgs, int qo, int oo,
                                   int k, int m, int P) {
        for (int b = 0; b < P; b += LANES) {
            int kk = 0;
            for (; kk + 1 < k; kk += 2) {      // two input features: four independent sums
                DoubleVector d0 = DoubleVector.zero(V), g0 = d0, d1 = d0, g1 = d0;
                for (int j = 0; j < m; j++) {
                    DoubleVector qv = DoubleVector.fromArray(V, q, qo + j * P + b);
                    int w = wo + kk * m + j;
                    d0 = qv.fma(bc(W0[w]), d0);
                    g0 = qv.fma(bc(W1[w]), g0);
                    d1 = qv.fma(bc(W0[w + m]), d1);
                    g1 = qv.fma(bc(W1[w + m]), g1);
                }
                int o = oo + kk * P + b;
                d0.intoArray(direct, o);
                g0.intoArray(msgs, o);
                d1.intoArray(direct, o + P);
                g1.intoArray(msgs, o + P);
            }
            if (kk < k) {
                DoubleVector d0 = DoubleVector.zero(V), g0 = d0;
                for (int j = 0; j < m; j++) {
                    DoubleVector qv = DoubleVector.fromArray(V, q, qo + j * P + b);
                    int w = wo + kk * m + j;
                    d0 = qv.fma(bc(W0[w]), d0);
                    g0 = qv.fma(bc(W1[w]), g0);
                }
                int o = oo + kk * P + b;
                d0.intoArray(direct, o);
                g0.intoArray(msgs, o);
            }
        }
    }

}
