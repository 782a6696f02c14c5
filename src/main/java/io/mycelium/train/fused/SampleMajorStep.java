package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Exchange;
import io.mycelium.model.Activation;
import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;
import io.mycelium.tensor.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.tensor.VectorMath.laneSum;
import static io.mycelium.train.fused.PassState.A;
import static io.mycelium.train.fused.PassState.TIED_CHUNKS;
import static io.mycelium.train.fused.PassState.WIDE;

/**
 * The squared-error step of a two-layer per-node model with one output, with the hidden layer H = X¹ stored sample-major, {@code [node][sample][feature]}
 * (samples unpadded), where the feature-major path stores it {@code [feature][sample]}. Every sum
 * over samples then runs down a loop with the features across a vector: the output layer's
 * weight gradients need no horizontal reductions, and the hidden layer's Q arrives in the
 * {@code [sample][output]} rows {@link WideGrads#wideBlocks} reads, with no transpose. The one sum over
 * features, ŷ = H θ0 + (S H) θ1, reduces eight samples' lane sums at once in a tree of register shuffles.
 *
 * <p>Any hidden width m: each sample's row is m rounded up to whole vectors (ms), the kernels run
 * blocks of four vectors of features, then one vector at a time over eight samples, reading the
 * weights from copies whose rows are padded to ms with zeros. The padded columns of H's
 * pre-activation, of the output layer's products and of Q are then exactly zero and reach no
 * output or gradient (a masked add writes the output layer's gradients, {@link WideGrads#wideBlocks}
 * the hidden layer's).
 *
 * <p>H, S H and Q of the hidden layer are the same bits as the feature-major path's (each element
 * sees the same operations in the same order). ŷ sums its features in another order, so ŷ, the
 * loss and every gradient differ from that path in the last bits; tests hold both to the tape.
 */
final class SampleMajorStep implements GcnnPass.OutputStep {
    private final GcnnPass pass;
    private final PassState s;
    private final EdgeCoefficients coefficients;
    private final double[][] qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];   // per chunk: a node's Q, sample-major
    private double[][] shiftedRow;    // per chunk: one node's (S H)_i
    private double[] hidden;          // the sample-major hidden layer, [node][sample][feature] from A, and LANES rows of slack
    private final double[][] paddedWeights = new double[4][];   // Θ0, Θ1 of both layers, rows widened to whole vectors with zeros
    private final double[][] partial = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][8 * LANES];   // per chunk: WideGrads' partial-vector sums

    SampleMajorStep(GcnnPass pass, PassState s) {
        this.pass = pass;
        this.s = s;
        this.coefficients = new EdgeCoefficients(s);
    }

    /**
     * Two layers, per-node weights, an output one wide on more than one input, every node local (as
     * {@link FusedOutputStep}), and a hidden layer whose padding to whole vectors leaves at most a
     * quarter of the lanes idle (on 8 lanes: 6–8, 12–16 and every width from 18 up). Narrower
     * rows stay feature-major, whose rows are samples and pad nothing: 10→10→1 (10 of 16 lanes)
     * ran 8% slower sample-major, 10→20→1 (20 of 24) as fast or faster (interleaved A/B, CPU ms an
     * epoch, load 10–13, docs/performance.md).
     */
    static boolean applies(PassState s) {
        return s.layers() == 2 && FusedOutputStep.applies(s) && fillsLanes(s.width(1));
    }

    /** Whether m features padded to whole vectors use at least three quarters of the lanes. */
    static boolean fillsLanes(int m) { return 4 * m >= 3 * WideGrads.stride(m); }

    @Override
    public double run(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        int n = s.n, k0 = s.width(0), m = s.width(1), km0 = k0 * m, ms = WideGrads.stride(m);
        pass.gather(store, ids);
        int P = s.stride, B = s.samples;
        double[][] x = s.x, sx = s.sx, z = s.z;
        double[] halo = Exchange.pull(s.comm, x[0], A, P * k0);
        Exchange.apply(s.part, s.shift, x[0], A, halo, P * k0, sx[0], false);
        // LANES rows of slack: outputRows' last block of samples may read up to LANES − 1 rows past node n − 1
        if (hidden == null || hidden.length < (n * B + LANES) * ms + A) hidden = Aligned.doubles((n * B + LANES) * ms);
        double[] in = x[0], sin = sx[0], h = hidden, out = x[2], q = z[2];
        String[] names0 = s.form.theta0(), names1 = s.form.theta1();
        // the weights with rows widened to whole vectors, zero in the added columns (the arrays themselves when m is whole vectors)
        double[] U0 = padded(params.get(names0[0]).data(), n * k0, m, ms, 0), U1 = padded(params.get(names1[0]).data(), n * k0, m, ms, 1);
        double[] W0 = padded(params.get(names0[1]).data(), n, m, ms, 2), W1 = padded(params.get(names1[1]).data(), n, m, ms, 3);
        double[] d0 = grads.get(names0[0]).data(), d1 = grads.get(names1[0]).data();
        double[] g0 = grads.get(names0[1]).data(), g1 = grads.get(names1[1]).data();
        Activation hiddenAct = s.activation(0), outAct = s.activation(1);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km0 * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                hiddenRows(in, sin, U0, U1, i * k0 * ms, h, i * k0 * P + A, i * B * ms + A, k0, ms, P, B);
                Pointwise.activate(hiddenAct, h, i * B * ms + A, B * ms);
            }
        });
        double[] self = s.part.selfWeights(s.shift), w = s.part.edgeWeights(s.shift);
        if (shiftedRow == null || shiftedRow[0].length < ms * P + A) shiftedRow = new double[Parallel.MAX_CHUNKS][ms * P + A];
        double[][] rows = shiftedRow;
        long perNode = (long) ms * B * (2 + s.part.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, perNode), (c, from, to) -> {
            double[] sh = rows[c];
            for (int i = from; i < to; i++) {
                int ho = i * B * ms + A, oo = i * P + A, tb = i * B;
                Exchange.row(s.part, self, w, i, h, A, halo, B * ms, sh, A);      // no halo: one host holds every node
                outputRows(h, ho, sh, A, W0, W1, i * ms, ms, B, out, oo);      // the padded columns' weights are zero
                Pointwise.activate(outAct, out, oo, P);
                for (int b = 0; b < B; b++) q[oo + b] = scale * (out[oo + b] - targets[tb + b]);   // the padding of q stays zero
                Pointwise.slope(outAct, out, oo, q, oo, P);
                outputGradRows(h, ho, sh, A, q, oo, m, ms, B, g0, g1, i * m);
            }
        });
        double sse = GcnnPass.squaredError(pass.copyOutput(), targets);
        // Q of the hidden layer node by node, sample-major, then layer 0's weight gradients from it
        int[] rowPtr = s.part.rowPtr(), cols = s.part.cols();
        double[] C = coefficients.of(W0, false, W1, ms);     // zero in the padded columns, so Q is zero there too
        int chunks = Parallel.chunks(n, (long) ms * B * (1 + rowPtr[n] / Math.max(1, n)));
        double[][] scratch = qt;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (scratch[c] == null || scratch[c].length < B * ms + A) scratch[c] = Aligned.doubles(B * ms);
            double[] t = scratch[c];
            for (int i = from; i < to; i++) {
                backRows(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * ms, q, P, ms, B, t, A);
                Pointwise.slope(hiddenAct, h, i * B * ms + A, t, A, B * ms);
                WideGrads.wideBlocks(in, sin, t, i, i + 1, k0, m, ms, P, B, d0, i * km0, d1, i * km0, partial[c]);
            }
        });
        return sse;
    }

    /**
     * {@code W}'s {@code rows} rows of m with rows ms long, zero past m, in buffer {@code slot}; {@code W}
     * itself when m is whole vectors. Copied each step (a few percent of the weights' use in the
     * step), so every kernel runs whole vectors: masked loads inside the loops cost more (10→24→1
     * D-AMSGrad, all lanes valid, 14.7/15.6 → 19.6/18.0 CPU ms an epoch, interleaved, load 10–12).
     */
    private double[] padded(double[] W, int rows, int m, int ms, int slot) {
        if (ms == m) return W;
        double[] into = paddedWeights[slot];
        if (into == null || into.length != rows * ms) into = paddedWeights[slot] = new double[rows * ms];   // the padding is never written: zero
        for (int r = 0; r < rows; r++) System.arraycopy(W, r * m, into, r * ms, m);
        return into;
    }

    /**
     * One node's hidden rows, sample-major: {@code h[oo + b m + j] = Σ_kk in[kk][b] U0[kk][j] + sin[kk][b] U1[kk][j]}
     * for b < B and m a whole number of vectors: four samples by four vectors of outputs at a time
     * (each weight vector loaded once feeds four samples), then the last one to three vectors one at
     * a time, eight samples at a time. Each element sums in {@link FeatureMajorLayer}'s order, so
     * the same bits.
     */
    private static void hiddenRows(double[] in, double[] sin, double[] U0, double[] U1, int wo, double[] h, int xo, int oo,
                                   int k, int m, int P, int B) {
        int L = LANES, j = 0;
        for (; j + WIDE <= m; j += WIDE) {
            int b = 0;
            for (; b + 3 < B; b += 4) {
                DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0,
                        c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int w = wo + kk * m + j, r = xo + kk * P + b;
                    DoubleVector u0 = DoubleVector.fromArray(V, U0, w), u1 = DoubleVector.fromArray(V, U0, w + L),
                            u2 = DoubleVector.fromArray(V, U0, w + 2 * L), u3 = DoubleVector.fromArray(V, U0, w + 3 * L);
                    DoubleVector v0 = DoubleVector.fromArray(V, U1, w), v1 = DoubleVector.fromArray(V, U1, w + L),
                            v2 = DoubleVector.fromArray(V, U1, w + 2 * L), v3 = DoubleVector.fromArray(V, U1, w + 3 * L);
                    DoubleVector x = bc(in[r]), s = bc(sin[r]);
                    a0 = s.fma(v0, x.fma(u0, a0));
                    a1 = s.fma(v1, x.fma(u1, a1));
                    a2 = s.fma(v2, x.fma(u2, a2));
                    a3 = s.fma(v3, x.fma(u3, a3));
                    x = bc(in[r + 1]);
                    s = bc(sin[r + 1]);
                    b0 = s.fma(v0, x.fma(u0, b0));
                    b1 = s.fma(v1, x.fma(u1, b1));
                    b2 = s.fma(v2, x.fma(u2, b2));
                    b3 = s.fma(v3, x.fma(u3, b3));
                    x = bc(in[r + 2]);
                    s = bc(sin[r + 2]);
                    c0 = s.fma(v0, x.fma(u0, c0));
                    c1 = s.fma(v1, x.fma(u1, c1));
                    c2 = s.fma(v2, x.fma(u2, c2));
                    c3 = s.fma(v3, x.fma(u3, c3));
                    x = bc(in[r + 3]);
                    s = bc(sin[r + 3]);
                    e0 = s.fma(v0, x.fma(u0, e0));
                    e1 = s.fma(v1, x.fma(u1, e1));
                    e2 = s.fma(v2, x.fma(u2, e2));
                    e3 = s.fma(v3, x.fma(u3, e3));
                }
                int o = oo + b * m + j;
                a0.intoArray(h, o);
                a1.intoArray(h, o + L);
                a2.intoArray(h, o + 2 * L);
                a3.intoArray(h, o + 3 * L);
                o += m;
                b0.intoArray(h, o);
                b1.intoArray(h, o + L);
                b2.intoArray(h, o + 2 * L);
                b3.intoArray(h, o + 3 * L);
                o += m;
                c0.intoArray(h, o);
                c1.intoArray(h, o + L);
                c2.intoArray(h, o + 2 * L);
                c3.intoArray(h, o + 3 * L);
                o += m;
                e0.intoArray(h, o);
                e1.intoArray(h, o + L);
                e2.intoArray(h, o + 2 * L);
                e3.intoArray(h, o + 3 * L);
            }
            for (; b < B; b++) {
                DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int w = wo + kk * m + j, r = xo + kk * P + b;
                    DoubleVector x = bc(in[r]), s = bc(sin[r]);
                    a0 = s.fma(DoubleVector.fromArray(V, U1, w), x.fma(DoubleVector.fromArray(V, U0, w), a0));
                    a1 = s.fma(DoubleVector.fromArray(V, U1, w + L), x.fma(DoubleVector.fromArray(V, U0, w + L), a1));
                    a2 = s.fma(DoubleVector.fromArray(V, U1, w + 2 * L), x.fma(DoubleVector.fromArray(V, U0, w + 2 * L), a2));
                    a3 = s.fma(DoubleVector.fromArray(V, U1, w + 3 * L), x.fma(DoubleVector.fromArray(V, U0, w + 3 * L), a3));
                }
                int o = oo + b * m + j;
                a0.intoArray(h, o);
                a1.intoArray(h, o + L);
                a2.intoArray(h, o + 2 * L);
                a3.intoArray(h, o + 3 * L);
            }
        }
        for (; j < m; j += L) hiddenVector(in, sin, U0, U1, wo + j, h, xo, oo + j, k, m, P, B);
    }

    /** {@link #hiddenRows} for one vector of outputs (at {@code wo}, {@code oo}): eight samples at a time, then four, then one. */
    private static void hiddenVector(double[] in, double[] sin, double[] U0, double[] U1, int wo, double[] h, int xo, int oo,
                                     int k, int m, int P, int B) {
        int b = 0;
        for (; b + 7 < B; b += 8) {
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int kk = 0; kk < k; kk++) {
                int w = wo + kk * m, r = xo + kk * P + b;
                DoubleVector u = DoubleVector.fromArray(V, U0, w), v = DoubleVector.fromArray(V, U1, w);
                a0 = bc(sin[r]).fma(v, bc(in[r]).fma(u, a0));
                a1 = bc(sin[r + 1]).fma(v, bc(in[r + 1]).fma(u, a1));
                a2 = bc(sin[r + 2]).fma(v, bc(in[r + 2]).fma(u, a2));
                a3 = bc(sin[r + 3]).fma(v, bc(in[r + 3]).fma(u, a3));
                a4 = bc(sin[r + 4]).fma(v, bc(in[r + 4]).fma(u, a4));
                a5 = bc(sin[r + 5]).fma(v, bc(in[r + 5]).fma(u, a5));
                a6 = bc(sin[r + 6]).fma(v, bc(in[r + 6]).fma(u, a6));
                a7 = bc(sin[r + 7]).fma(v, bc(in[r + 7]).fma(u, a7));
            }
            int o = oo + b * m;
            VectorMath.store8(h, o, m, a0, a1, a2, a3, a4, a5, a6, a7);
        }
        if (b + 3 < B) {      // four of the last samples as four chains (one sample at a time waits on each multiply-add)
            DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
            for (int kk = 0; kk < k; kk++) {
                int w = wo + kk * m, r = xo + kk * P + b;
                DoubleVector u = DoubleVector.fromArray(V, U0, w), v = DoubleVector.fromArray(V, U1, w);
                a0 = bc(sin[r]).fma(v, bc(in[r]).fma(u, a0));
                a1 = bc(sin[r + 1]).fma(v, bc(in[r + 1]).fma(u, a1));
                a2 = bc(sin[r + 2]).fma(v, bc(in[r + 2]).fma(u, a2));
                a3 = bc(sin[r + 3]).fma(v, bc(in[r + 3]).fma(u, a3));
            }
            int o = oo + b * m;
            a0.intoArray(h, o);
            a1.intoArray(h, o + m);
            a2.intoArray(h, o + 2 * m);
            a3.intoArray(h, o + 3 * m);
            b += 4;
        }
        for (; b < B; b++) {
            DoubleVector a = DoubleVector.zero(V);
            for (int kk = 0; kk < k; kk++) {
                int w = wo + kk * m, r = xo + kk * P + b;
                a = bc(sin[r]).fma(DoubleVector.fromArray(V, U1, w), bc(in[r]).fma(DoubleVector.fromArray(V, U0, w), a));
            }
            a.intoArray(h, oo + b * m);
        }
    }

    /**
     * One node's {@code out[oo + b] = Σ_j h[b][j] W0[j] + sh[b][j] W1[j]} for b < B, from sample-major
     * rows: each sample's features multiply-add lane-wise into one vector (h's, then S h's), and
     * eight samples' vectors are reduced together, in registers (a transpose through memory cost as
     * much as the multiply-adds). The padding of {@code out} is zeroed.
     */
    private static void outputRows(double[] h, int ho, double[] sh, int so, double[] W0, double[] W1, int wo, int m, int B,
                                   double[] out, int oo) {
        int L = LANES, b = 0;
        if (L == 8)
            for (; b < B; b += 8) {      // the last block may run past B into rows that exist (see hidden); its extra sums are zeroed below
                DoubleVector a0 = DoubleVector.zero(V), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                int r = ho + b * m, t = so + b * m;
                for (int j = 0; j < m; j += L) {
                    DoubleVector wv = DoubleVector.fromArray(V, W0, wo + j);
                    a0 = DoubleVector.fromArray(V, h, r + j).fma(wv, a0);
                    a1 = DoubleVector.fromArray(V, h, r + m + j).fma(wv, a1);
                    a2 = DoubleVector.fromArray(V, h, r + 2 * m + j).fma(wv, a2);
                    a3 = DoubleVector.fromArray(V, h, r + 3 * m + j).fma(wv, a3);
                    a4 = DoubleVector.fromArray(V, h, r + 4 * m + j).fma(wv, a4);
                    a5 = DoubleVector.fromArray(V, h, r + 5 * m + j).fma(wv, a5);
                    a6 = DoubleVector.fromArray(V, h, r + 6 * m + j).fma(wv, a6);
                    a7 = DoubleVector.fromArray(V, h, r + 7 * m + j).fma(wv, a7);
                }
                for (int j = 0; j < m; j += L) {
                    DoubleVector wv = DoubleVector.fromArray(V, W1, wo + j);
                    a0 = DoubleVector.fromArray(V, sh, t + j).fma(wv, a0);
                    a1 = DoubleVector.fromArray(V, sh, t + m + j).fma(wv, a1);
                    a2 = DoubleVector.fromArray(V, sh, t + 2 * m + j).fma(wv, a2);
                    a3 = DoubleVector.fromArray(V, sh, t + 3 * m + j).fma(wv, a3);
                    a4 = DoubleVector.fromArray(V, sh, t + 4 * m + j).fma(wv, a4);
                    a5 = DoubleVector.fromArray(V, sh, t + 5 * m + j).fma(wv, a5);
                    a6 = DoubleVector.fromArray(V, sh, t + 6 * m + j).fma(wv, a6);
                    a7 = DoubleVector.fromArray(V, sh, t + 7 * m + j).fma(wv, a7);
                }
                VectorMath.laneSums8(a0, a1, a2, a3, a4, a5, a6, a7).intoArray(out, oo + b);   // lane r: a_r's lane sum
            }
        for (; b < B; b++) {
            DoubleVector a = DoubleVector.zero(V);
            for (int j = 0; j < m; j += L) a = DoubleVector.fromArray(V, h, ho + b * m + j).fma(DoubleVector.fromArray(V, W0, wo + j), a);
            for (int j = 0; j < m; j += L) a = DoubleVector.fromArray(V, sh, so + b * m + j).fma(DoubleVector.fromArray(V, W1, wo + j), a);
            out[oo + b] = laneSum(a);
        }
        for (int P = (B + L - 1) / L * L, q = B; q < P; q++) out[oo + q] = 0;
    }

    /**
     * One node's output-layer weight gradients from sample-major rows ms apart: {@code g0[wo + j] += Σ_b q[b] h[b][j]},
     * {@code g1[wo + j] += Σ_b q[b] sh[b][j]} for j < m, the sums over samples down the loop, four
     * vectors of features at a time, then one vector at a time with four partial sums (samples b
     * mod 4), the last partial vector added under a mask.
     */
    private static void outputGradRows(double[] h, int ho, double[] sh, int so, double[] q, int qo, int m, int ms, int B,
                                       double[] g0, double[] g1, int wo) {
        int L = LANES, j = 0;
        for (; j + WIDE <= m; j += WIDE) {
            DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
            for (int b = 0; b < B; b++) {
                DoubleVector qv = bc(q[qo + b]);
                int r = ho + b * ms + j, t = so + b * ms + j;
                x0 = DoubleVector.fromArray(V, h, r).fma(qv, x0);
                x1 = DoubleVector.fromArray(V, h, r + L).fma(qv, x1);
                x2 = DoubleVector.fromArray(V, h, r + 2 * L).fma(qv, x2);
                x3 = DoubleVector.fromArray(V, h, r + 3 * L).fma(qv, x3);
                s0 = DoubleVector.fromArray(V, sh, t).fma(qv, s0);
                s1 = DoubleVector.fromArray(V, sh, t + L).fma(qv, s1);
                s2 = DoubleVector.fromArray(V, sh, t + 2 * L).fma(qv, s2);
                s3 = DoubleVector.fromArray(V, sh, t + 3 * L).fma(qv, s3);
            }
            int a = wo + j;
            DoubleVector.fromArray(V, g0, a).add(x0).intoArray(g0, a);
            DoubleVector.fromArray(V, g0, a + L).add(x1).intoArray(g0, a + L);
            DoubleVector.fromArray(V, g0, a + 2 * L).add(x2).intoArray(g0, a + 2 * L);
            DoubleVector.fromArray(V, g0, a + 3 * L).add(x3).intoArray(g0, a + 3 * L);
            DoubleVector.fromArray(V, g1, a).add(s0).intoArray(g1, a);
            DoubleVector.fromArray(V, g1, a + L).add(s1).intoArray(g1, a + L);
            DoubleVector.fromArray(V, g1, a + 2 * L).add(s2).intoArray(g1, a + 2 * L);
            DoubleVector.fromArray(V, g1, a + 3 * L).add(s3).intoArray(g1, a + 3 * L);
        }
        for (; j < m; j += L) {
            DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
            int b = 0;
            for (; b + 3 < B; b += 4) {
                int r = ho + b * ms + j, t = so + b * ms + j;
                DoubleVector p0 = bc(q[qo + b]), p1 = bc(q[qo + b + 1]), p2 = bc(q[qo + b + 2]), p3 = bc(q[qo + b + 3]);
                x0 = DoubleVector.fromArray(V, h, r).fma(p0, x0);
                x1 = DoubleVector.fromArray(V, h, r + ms).fma(p1, x1);
                x2 = DoubleVector.fromArray(V, h, r + 2 * ms).fma(p2, x2);
                x3 = DoubleVector.fromArray(V, h, r + 3 * ms).fma(p3, x3);
                s0 = DoubleVector.fromArray(V, sh, t).fma(p0, s0);
                s1 = DoubleVector.fromArray(V, sh, t + ms).fma(p1, s1);
                s2 = DoubleVector.fromArray(V, sh, t + 2 * ms).fma(p2, s2);
                s3 = DoubleVector.fromArray(V, sh, t + 3 * ms).fma(p3, s3);
            }
            for (; b < B; b++) {
                DoubleVector qv = bc(q[qo + b]);
                x0 = DoubleVector.fromArray(V, h, ho + b * ms + j).fma(qv, x0);
                s0 = DoubleVector.fromArray(V, sh, so + b * ms + j).fma(qv, s0);
            }
            int a = wo + j;
            DoubleVector x = x0.add(x1).add(x2.add(x3)), y = s0.add(s1).add(s2.add(s3));
            if (j + L <= m) {
                DoubleVector.fromArray(V, g0, a).add(x).intoArray(g0, a);
                DoubleVector.fromArray(V, g1, a).add(y).intoArray(g1, a);
            } else {
                VectorMask<Double> valid = V.indexInRange(0, m - j);    // past m: the next node's entries
                DoubleVector.fromArray(V, g0, a, valid).add(x).intoArray(g0, a, valid);
                DoubleVector.fromArray(V, g1, a, valid).add(y).intoArray(g1, a, valid);
            }
        }
    }

    /**
     * Row i of {@link NarrowBack} written sample-major, {@code t[at + b m + kk]} for b < B: four
     * samples by four vectors of features at a time, the sources' q broadcast. Each element sees
     * NarrowBack's row kernel's operations in its order, so the same bits.
     */
    private static void backRows(int i, int e0, int e1, int[] cols, double[] C, int c0, double[] q, int P, int m, int B,
                                 double[] t, int at) {
        int L = LANES, kk = 0;
        for (; kk + WIDE <= m; kk += WIDE) {
            int c = c0 + kk, b = 0;
            DoubleVector w0 = DoubleVector.fromArray(V, C, c), w1 = DoubleVector.fromArray(V, C, c + L),
                    w2 = DoubleVector.fromArray(V, C, c + 2 * L), w3 = DoubleVector.fromArray(V, C, c + 3 * L);
            for (; b + 3 < B; b += 4) {
                int qi = i * P + b + A;
                DoubleVector p = bc(q[qi]), r = bc(q[qi + 1]), u = bc(q[qi + 2]), v = bc(q[qi + 3]);
                DoubleVector a0 = p.mul(w0), a1 = p.mul(w1), a2 = p.mul(w2), a3 = p.mul(w3);
                DoubleVector f0 = r.mul(w0), f1 = r.mul(w1), f2 = r.mul(w2), f3 = r.mul(w3);
                DoubleVector g0 = u.mul(w0), g1 = u.mul(w1), g2 = u.mul(w2), g3 = u.mul(w3);
                DoubleVector h0 = v.mul(w0), h1 = v.mul(w1), h2 = v.mul(w2), h3 = v.mul(w3);
                for (int e = e0; e < e1; e++) {
                    int ce = c + (e - e0 + 1) * m, qj = cols[e] * P + b + A;
                    DoubleVector y0 = DoubleVector.fromArray(V, C, ce), y1 = DoubleVector.fromArray(V, C, ce + L),
                            y2 = DoubleVector.fromArray(V, C, ce + 2 * L), y3 = DoubleVector.fromArray(V, C, ce + 3 * L);
                    DoubleVector s = bc(q[qj]);
                    a0 = s.fma(y0, a0);
                    a1 = s.fma(y1, a1);
                    a2 = s.fma(y2, a2);
                    a3 = s.fma(y3, a3);
                    s = bc(q[qj + 1]);
                    f0 = s.fma(y0, f0);
                    f1 = s.fma(y1, f1);
                    f2 = s.fma(y2, f2);
                    f3 = s.fma(y3, f3);
                    s = bc(q[qj + 2]);
                    g0 = s.fma(y0, g0);
                    g1 = s.fma(y1, g1);
                    g2 = s.fma(y2, g2);
                    g3 = s.fma(y3, g3);
                    s = bc(q[qj + 3]);
                    h0 = s.fma(y0, h0);
                    h1 = s.fma(y1, h1);
                    h2 = s.fma(y2, h2);
                    h3 = s.fma(y3, h3);
                }
                int o = at + b * m + kk;
                a0.intoArray(t, o);
                a1.intoArray(t, o + L);
                a2.intoArray(t, o + 2 * L);
                a3.intoArray(t, o + 3 * L);
                o += m;
                f0.intoArray(t, o);
                f1.intoArray(t, o + L);
                f2.intoArray(t, o + 2 * L);
                f3.intoArray(t, o + 3 * L);
                o += m;
                g0.intoArray(t, o);
                g1.intoArray(t, o + L);
                g2.intoArray(t, o + 2 * L);
                g3.intoArray(t, o + 3 * L);
                o += m;
                h0.intoArray(t, o);
                h1.intoArray(t, o + L);
                h2.intoArray(t, o + 2 * L);
                h3.intoArray(t, o + 3 * L);
            }
            for (; b < B; b++) {
                DoubleVector p = bc(q[i * P + b + A]);
                DoubleVector a0 = p.mul(w0), a1 = p.mul(w1), a2 = p.mul(w2), a3 = p.mul(w3);
                for (int e = e0; e < e1; e++) {
                    int ce = c + (e - e0 + 1) * m;
                    DoubleVector s = bc(q[cols[e] * P + b + A]);
                    a0 = s.fma(DoubleVector.fromArray(V, C, ce), a0);
                    a1 = s.fma(DoubleVector.fromArray(V, C, ce + L), a1);
                    a2 = s.fma(DoubleVector.fromArray(V, C, ce + 2 * L), a2);
                    a3 = s.fma(DoubleVector.fromArray(V, C, ce + 3 * L), a3);
                }
                int o = at + b * m + kk;
                a0.intoArray(t, o);
                a1.intoArray(t, o + L);
                a2.intoArray(t, o + 2 * L);
                a3.intoArray(t, o + 3 * L);
            }
        }
        for (; kk < m; kk += L) backVector(i, e0, e1, cols, C, c0 + kk, q, P, m, B, t, at + kk);
    }

    /** {@link #backRows} for one vector of features (coefficients at {@code c}, rows of t at {@code at}): eight samples at a time, then four, then one. */
    private static void backVector(int i, int e0, int e1, int[] cols, double[] C, int c, double[] q, int P, int m, int B,
                                   double[] t, int at) {
        DoubleVector w = DoubleVector.fromArray(V, C, c);
        int b = 0;
        for (; b + 7 < B; b += 8) {
            int qi = i * P + b + A;
            DoubleVector a0 = bc(q[qi]).mul(w), a1 = bc(q[qi + 1]).mul(w), a2 = bc(q[qi + 2]).mul(w), a3 = bc(q[qi + 3]).mul(w),
                    a4 = bc(q[qi + 4]).mul(w), a5 = bc(q[qi + 5]).mul(w), a6 = bc(q[qi + 6]).mul(w), a7 = bc(q[qi + 7]).mul(w);
            for (int e = e0; e < e1; e++) {
                DoubleVector y = DoubleVector.fromArray(V, C, c + (e - e0 + 1) * m);
                int qj = cols[e] * P + b + A;
                a0 = bc(q[qj]).fma(y, a0);
                a1 = bc(q[qj + 1]).fma(y, a1);
                a2 = bc(q[qj + 2]).fma(y, a2);
                a3 = bc(q[qj + 3]).fma(y, a3);
                a4 = bc(q[qj + 4]).fma(y, a4);
                a5 = bc(q[qj + 5]).fma(y, a5);
                a6 = bc(q[qj + 6]).fma(y, a6);
                a7 = bc(q[qj + 7]).fma(y, a7);
            }
            int o = at + b * m;
            VectorMath.store8(t, o, m, a0, a1, a2, a3, a4, a5, a6, a7);
        }
        if (b + 3 < B) {      // four of the last samples as four chains, as in hiddenVector
            int qi = i * P + b + A;
            DoubleVector a0 = bc(q[qi]).mul(w), a1 = bc(q[qi + 1]).mul(w), a2 = bc(q[qi + 2]).mul(w), a3 = bc(q[qi + 3]).mul(w);
            for (int e = e0; e < e1; e++) {
                DoubleVector y = DoubleVector.fromArray(V, C, c + (e - e0 + 1) * m);
                int qj = cols[e] * P + b + A;
                a0 = bc(q[qj]).fma(y, a0);
                a1 = bc(q[qj + 1]).fma(y, a1);
                a2 = bc(q[qj + 2]).fma(y, a2);
                a3 = bc(q[qj + 3]).fma(y, a3);
            }
            int o = at + b * m;
            a0.intoArray(t, o);
            a1.intoArray(t, o + m);
            a2.intoArray(t, o + 2 * m);
            a3.intoArray(t, o + 3 * m);
            b += 4;
        }
        for (; b < B; b++) {
            DoubleVector a = bc(q[i * P + b + A]).mul(w);
            for (int e = e0; e < e1; e++) a = bc(q[cols[e] * P + b + A]).fma(DoubleVector.fromArray(V, C, c + (e - e0 + 1) * m), a);
            a.intoArray(t, at + b * m);
        }
    }

}
