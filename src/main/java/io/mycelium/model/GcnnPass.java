package io.mycelium.model;

import io.mycelium.autodiff.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A fused forward and backward pass of a {@link Gcnn} over many samples at once, for the batched
 * training path: eq. (10) and the local backpropagation of eq. (11)–(14) written as array kernels,
 * without tape bookkeeping. It runs on any partition: the exchanges are the same rounds of message
 * passing the tape would do (one per layer forward, one per layer above the first backward), each
 * carrying all samples' rows.
 *
 * <p>Inside a node's row the layout is feature-major, {@code [feature][sample]}: the shift operator
 * acts on the node axis only, so any layout within a row travels the same, and this one turns the
 * small per-node products (widths of 10 or 32) into unit-stride loops over samples. Those loops are
 * written with the Vector API: a vector holds one feature of {@link #LANES} samples, and the kernels
 * are register-blocked so each loaded vector feeds several fused multiply-adds (four outputs per
 * pass forward, 2×4 blocks of weight gradients backward). HotSpot's own vectorizer reached about a
 * tenth of the machine's multiply-add rate on these shapes; the blocked kernels reach about half.
 * Weight gradients of layers a multiple of {@link #WIDE} wide sum samples down the loop over a
 * transposed Q instead of across lanes; a tied layer one output wide shifts after its weights
 * (S(XΘ1), narrow messages). The trainer runs two of these passes side by side on the two halves
 * of a mini-batch.
 * Rows are padded to a whole number of vectors with samples that are zero on the way in and whose
 * output gradients are zero, so they never reach a weight gradient and no loop needs a scalar tail.
 * Weights are tied ({@code [1, k, m]}) or one copy per node. The tape stays the reference: tests
 * hold this pass to it.
 */
public final class GcnnPass {
    /** Doubles per vector (8 with AVX-512). A constant, as C2 only compiles vector code for constant species. */
    private static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = V.length();
    /**
     * Where element 0 of every buffer of this pass sits ({@link Aligned}): rows are whole vectors
     * long, so with this start every row and every vector of the buffers is on a cache-line
     * boundary. Indices into the pass's own buffers carry {@code + A}; weights and gradients
     * (tensors) do not.
     */
    private static final int A = Aligned.DOUBLES;

    private final Gcnn model;
    private final Partition part;
    private final Comm comm;
    private final String[] names0, names1;
    private final int maxWidth;
    private int samples, stride;  // B, and B rounded up to whole vectors: the length of a feature row
    private double[][] x, sx;     // per layer: X^l and S X^l as [node][feature][stride]; x[L] is the output
    private double[][] z;         // backward: Z^l per layer, same layout as x
    private double[] msg;         // backward: the messages Θ1 Q of eq. (14), widest layer
    private double[] late;        // a late-shift layer's X^l Θ1 forward, S Q backward: one output wide
    private double[] output;      // x[L] without the padding, [node][feature][sample]
    private double[] outputGrad;  // squaredErrorStep's dy, laid out like output
    private double[] coef;        // narrowBack's per-edge coefficients
    private Tensor bySampleOf;    // the sample store last copied to...
    private double[] bySample;    // ...this sample-major layout
    private final int[] gatherBase = new int[8];

    public GcnnPass(Gcnn model, Comm comm) {
        if (!model.shift().symmetric()) throw new IllegalArgumentException("the fused GCNN pass needs a symmetric shift operator");
        this.model = model;
        this.comm = comm;
        this.part = comm.partition();
        int L = model.layers(), w = 0;
        names0 = new String[L];
        names1 = new String[L];
        for (int l = 0; l < L; l++) {
            names0[l] = Gcnn.theta0(l);
            names1[l] = Gcnn.theta1(l);
        }
        for (int l = 0; l <= L; l++) w = Math.max(w, model.width(l));
        maxWidth = w;
    }

    public Gcnn model() { return model; }

    /**
     * Where to split a mini-batch of {@code B} samples into two independent passes: after a whole
     * number of vectors, so the halves together pad no more than one pass would; 0 when B is under
     * four vectors (halves of one vector or less gain nothing over splitting by nodes).
     */
    public static int half(int B) {
        if (B < 4 * LANES) return 0;
        int h = (B / 2 + LANES - 1) / LANES * LANES;
        return h < B ? h : 0;
    }

    /**
     * Runs every layer on {@code input} ({@code [nodes, samples, g_0]}); returns the output as
     * {@code [node][feature][sample]}, which for g_L = 1 is {@code [node][sample]}.
     */
    public double[] forward(Params params, Tensor input) {
        int n = part.size(), g0 = model.width(0), B = input.dim(1);
        double[] in = input.data(), x0 = buffers(B);
        int P = stride;
        for (int i = 0; i < n; i++)
            for (int b = 0; b < B; b++)
                for (int f = 0; f < g0; f++) x0[(i * g0 + f) * P + b + A] = in[(i * B + b) * g0 + f];
        return forwardFromBuffer(params);
    }

    /**
     * Like {@link #forward}, reading samples {@code ids} straight from a node-major store
     * {@code [nodes, allSamples, g_0]} of this partition's rows (no intermediate tensor).
     */
    public double[] forward(Params params, Tensor store, int[] ids) {
        gather(store, ids);
        return forwardFromBuffer(params);
    }

    /** Copies samples {@code ids} of {@code store} into X^0. */
    private void gather(Tensor store, int[] ids) {
        int n = part.size(), g0 = model.width(0), S = store.dim(1), B = ids.length, row = n * g0;
        double[] in = store.data(), x0 = buffers(B);
        int P = stride;
        if (store != bySampleOf && (long) in.length <= sampleMajorLimit) {
            // once per store: a sample-major copy [sample][node][feature]. A shuffled mini-batch then
            // reads B contiguous runs of n·g_0 doubles instead of B·n scattered feature vectors, which
            // in the node-major store cost a cache miss each (a fifth of a node-regression epoch)
            bySample = new double[in.length];
            for (int i = 0; i < n; i++)
                for (int s = 0; s < S; s++) System.arraycopy(in, (i * S + s) * g0, bySample, s * row + i * g0, g0);
            bySampleOf = store;
        }
        if (store == bySampleOf) {
            double[] src = bySample;
            int[] base = gatherBase;
            for (int b0 = 0; b0 < B; b0 += 8) {      // eight samples at a time: one cache line of x0 per feature row
                int bn = Math.min(8, B - b0);
                for (int q = 0; q < bn; q++) base[q] = ids[b0 + q] * row;
                for (int r = 0; r < row; r++) {
                    int o = r * P + b0 + A;
                    for (int q = 0; q < bn; q++) x0[o + q] = src[base[q] + r];
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                int o = i * g0 * P + A, first = i * S * g0;
                for (int b = 0; b < B; b++) {
                    int from = first + ids[b] * g0;
                    for (int f = 0; f < g0; f++) x0[o + f * P + b] = in[from + f];
                }
            }
        }
    }

    /** Sample stores up to this many doubles (256 MiB) get a sample-major copy; larger ones are read in place. */
    private long sampleMajorLimit = 1L << 25;

    /** Always read the store in place (tests hold both gathers to the same numbers). */
    GcnnPass readInPlace() {
        sampleMajorLimit = -1;
        return this;
    }

    /**
     * Sizes the per-layer buffers for {@code B} samples (reused while B stays). Fresh buffers are
     * zero, and the padding of X^0 is never written, so padded samples enter every layer as zeros.
     */
    private double[] buffers(int B) {
        int L = model.layers(), n = part.size(), P = (B + LANES - 1) / LANES * LANES;
        if (x == null || samples != B) {
            x = new double[L + 1][];
            sx = new double[L][];
            z = new double[L + 1][];
            for (int l = 0; l <= L; l++) x[l] = Aligned.doubles(n * P * model.width(l));
            for (int l = 0; l < L; l++) sx[l] = Aligned.doubles(n * P * model.width(l));
            for (int l = 1; l <= L; l++) z[l] = Aligned.doubles(n * P * model.width(l));
            msg = Aligned.doubles(n * P * maxWidth);
            late = Aligned.doubles(n * P);
            output = new double[n * B * model.width(L)];
        }
        samples = B;
        stride = P;
        return x[0];
    }

    private double[] forwardFromBuffer(Params params) {
        int L = model.layers();
        forwardLayers(params, L);
        return copyOutput();
    }

    /** x[L] without its padding, into {@link #output}. */
    private double[] copyOutput() {
        int L = model.layers(), P = stride, B = samples;
        double[] last = x[L];
        for (int r = 0, rows = part.size() * model.width(L); r < rows; r++) System.arraycopy(last, r * P + A, output, r * B, B);
        return output;
    }

    /** Layers 0 .. layers − 1 forward, from x[0] into x[layers]. */
    private void forwardLayers(Params params, int layers) {
        int P = stride;
        for (int l = 0; l < layers; l++) {
            int k = model.width(l);
            Tensor t0 = params.get(names0[l]), t1 = params.get(names1[l]);
            if (lateShift(l, t0)) {
                lateLayer(t0.data(), t1.data(), l);
                continue;
            }
            // the padding travels too (a few percent of the batched path's messages, which are not
            // the paper's rounds and are not charged); it keeps every row a whole number of vectors
            double[] halo = Exchange.pull(comm, x[l], A, P * k);
            Exchange.apply(part, model.shift(), x[l], A, halo, P * k, sx[l], false);
            layer(t0, t1, l);
        }
    }

    /**
     * {@link #forward(Params, Tensor, int[])}, the squared error against {@code targets} (laid out
     * like the output) and {@link #backward} of {@code dy = scale (ŷ − y)} in one call; returns
     * Σ (ŷ − y)². The same numbers, bit for bit, as those three steps.
     *
     * <p>With per-node weights and an output one wide (the node-regression model) on a host that
     * holds every node, the output layer runs node by node instead: node i's shifted input row
     * (S X)_i is made in a scratch row and used at once for its output, its output gradient and
     * its weight gradients, while it is in L1. Stored for all nodes, that row and the two later
     * passes over the layer's input were the largest part of what a per-node epoch moved between
     * L2 and L3.
     */
    public double squaredErrorStep(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        int L = model.layers(), l = L - 1, k = model.width(l), n = part.size();
        Tensor t0 = params.get(names0[l]), t1 = params.get(names1[l]);
        if (!fusesOutputLayer(params)) {
            double[] y = forward(params, store, ids);
            if (outputGrad == null || outputGrad.length != y.length) outputGrad = new double[y.length];
            double[] dy = outputGrad;
            for (int q = 0; q < y.length; q++) dy[q] = scale * (y[q] - targets[q]);
            backward(params, dy, grads);      // leaves y (the output buffer) as it is
            return squaredError(y, targets);
        }
        if (sampleMajorHidden(params)) return sampleMajorStep(params, store, ids, targets, scale, grads);
        gather(store, ids);
        forwardLayers(params, l);
        int P = stride, B = samples;
        double[] in = x[l], out = x[L], q = z[L], W0 = t0.data(), W1 = t1.data();
        double[] g0 = grads.get(names0[l]).data(), g1 = grads.get(names1[l]).data(), noHalo = new double[0];
        Activation act = model.activation(l);
        double[] self = part.selfWeights(model.shift()), w = part.edgeWeights(model.shift());
        if (shiftedRow == null || shiftedRow[0].length < k * P + A) shiftedRow = new double[Parallel.MAX_CHUNKS][k * P + A];
        if (reduced == null) reduced = new double[Parallel.MAX_CHUNKS][128 + A];
        double[][] rows = shiftedRow, sums = reduced;
        long perNode = (long) k * P * (2 + part.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, perNode), (c, from, to) -> {
            double[] sc = rows[c], red = sums[c];
            for (int i = from; i < to; i++) {
                int xo = i * k * P + A, oo = i * P + A, tb = i * B;
                Exchange.row(part, self, w, i, in, A, noHalo, k * P, sc, A);
                narrowLinear(in, sc, A - xo, W0, W1, i * k, out, xo, oo, k, P);
                activate(act, out, oo, P);
                for (int b = 0; b < B; b++) q[oo + b] = scale * (out[oo + b] - targets[tb + b]);   // the padding of q stays zero
                slope(act, out, oo, q, oo, P);
                outputGrads(in, xo, sc, A, q, oo, k, P, g0, g1, i * k, red);
            }
        });
        double sse = squaredError(copyOutput(), targets);
        backwardLayers(params, grads, true);
        return sse;
    }

    /**
     * Whether {@link #squaredErrorStep} keeps the hidden layer sample-major: two layers, per-node
     * weights, an output one wide on a hidden layer a whole number of {@link #WIDE} blocks wide (the
     * node-regression benchmark's 10 → 32 → 1).
     */
    boolean sampleMajorHidden(Params params) {
        return model.layers() == 2 && fusesOutputLayer(params) && model.width(1) % WIDE == 0;
    }

    /**
     * {@link #squaredErrorStep} with the hidden layer H = X¹ stored sample-major, {@code [node][sample][feature]}
     * (samples unpadded), where the feature-major path stores it {@code [feature][sample]}. Every sum
     * over samples then runs down a loop with the features across a vector: the output layer's
     * weight gradients need no horizontal reductions, and the hidden layer's Q arrives in the
     * {@code [sample][output]} rows {@link #wideBlock} reads, with no transpose. The one sum over
     * features, ŷ = H θ0 + (S H) θ1, reduces eight samples' lane sums at once in a tree of register shuffles.
     *
     * <p>H, S H and Q of the hidden layer are the same bits as the feature-major path's (each element
     * sees the same operations in the same order). ŷ sums its features in another order, so ŷ, the
     * loss and every gradient differ from that path in the last bits; tests hold both to the tape.
     */
    private double sampleMajorStep(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        int n = part.size(), k0 = model.width(0), m = model.width(1), km0 = k0 * m;
        gather(store, ids);
        int P = stride, B = samples;
        double[] halo = Exchange.pull(comm, x[0], A, P * k0);
        Exchange.apply(part, model.shift(), x[0], A, halo, P * k0, sx[0], false);
        // LANES rows of slack: outputRows' last block of samples may read up to LANES − 1 rows past node n − 1
        if (hidden == null || hidden.length < (n * B + LANES) * m + A) hidden = Aligned.doubles((n * B + LANES) * m);
        double[] in = x[0], sin = sx[0], h = hidden, out = x[2], q = z[2];
        double[] U0 = params.get(names0[0]).data(), U1 = params.get(names1[0]).data();
        double[] W0 = params.get(names0[1]).data(), W1 = params.get(names1[1]).data();
        double[] d0 = grads.get(names0[0]).data(), d1 = grads.get(names1[0]).data();
        double[] g0 = grads.get(names0[1]).data(), g1 = grads.get(names1[1]).data();
        Activation hiddenAct = model.activation(0), outAct = model.activation(1);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km0 * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                hiddenRows(in, sin, U0, U1, i * km0, h, i * k0 * P + A, i * B * m + A, k0, m, P, B);
                activate(hiddenAct, h, i * B * m + A, B * m);
            }
        });
        double[] self = part.selfWeights(model.shift()), w = part.edgeWeights(model.shift());
        if (shiftedRow == null || shiftedRow[0].length < m * P + A) shiftedRow = new double[Parallel.MAX_CHUNKS][m * P + A];
        double[][] rows = shiftedRow;
        long perNode = (long) m * B * (2 + part.edgeCount() / Math.max(1, n));
        Parallel.forRange(n, Parallel.chunks(n, perNode), (c, from, to) -> {
            double[] sh = rows[c];
            for (int i = from; i < to; i++) {
                int ho = i * B * m + A, oo = i * P + A, tb = i * B;
                Exchange.row(part, self, w, i, h, A, halo, B * m, sh, A);      // no halo: one host holds every node
                outputRows(h, ho, sh, A, W0, W1, i * m, m, B, out, oo);
                activate(outAct, out, oo, P);
                for (int b = 0; b < B; b++) q[oo + b] = scale * (out[oo + b] - targets[tb + b]);   // the padding of q stays zero
                slope(outAct, out, oo, q, oo, P);
                outputGradRows(h, ho, sh, A, q, oo, m, B, g0, g1, i * m);
            }
        });
        double sse = squaredError(copyOutput(), targets);
        // Q of the hidden layer node by node, sample-major, then layer 0's weight gradients from it
        int[] rowPtr = part.rowPtr(), cols = part.cols();
        double[] C = coefficients(W0, false, W1, m);
        int chunks = Parallel.chunks(n, (long) m * B * (1 + rowPtr[n] / Math.max(1, n)));
        if (qt == null) qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];
        double[][] scratch = qt;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (scratch[c] == null || scratch[c].length < B * m + A) scratch[c] = Aligned.doubles(B * m);
            double[] t = scratch[c];
            for (int i = from; i < to; i++) {
                backRows(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * m, q, P, m, B, t, A);
                slope(hiddenAct, h, i * B * m + A, t, A, B * m);
                wideBlocks(in, sin, t, i, i + 1, k0, m, P, B, d0, i * km0, d1, i * km0);
            }
        });
        return sse;
    }

    private double[] hidden;          // the sample-major hidden layer, [node][sample][feature] from A, and LANES rows of slack

    /**
     * One node's hidden rows, sample-major: {@code h[oo + b m + j] = Σ_kk in[kk][b] U0[kk][j] + sin[kk][b] U1[kk][j]}
     * for b < B, four samples by four vectors of outputs at a time (each weight vector loaded once
     * feeds four samples). Each element sums in {@link #linear}'s order, so the same bits.
     */
    private static void hiddenRows(double[] in, double[] sin, double[] U0, double[] U1, int wo, double[] h, int xo, int oo,
                                   int k, int m, int P, int B) {
        int L = LANES;
        for (int j = 0; j < m; j += WIDE) {
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
                // lane r of the result: a_r's lanes summed as a pairwise tree, in registers. Each level
                // adds lanes 1, 2, then 4 apart, and one blend keeps a vector's sums in its half of the lanes
                DoubleVector p01 = a0.add(a0.rearrange(DOWN1)).blend(a1.add(a1.rearrange(UP1)), BIT1),
                        p23 = a2.add(a2.rearrange(DOWN1)).blend(a3.add(a3.rearrange(UP1)), BIT1),
                        p45 = a4.add(a4.rearrange(DOWN1)).blend(a5.add(a5.rearrange(UP1)), BIT1),
                        p67 = a6.add(a6.rearrange(DOWN1)).blend(a7.add(a7.rearrange(UP1)), BIT1);
                DoubleVector p03 = p01.add(p01.rearrange(DOWN2)).blend(p23.add(p23.rearrange(UP2)), BIT2),
                        p47 = p45.add(p45.rearrange(DOWN2)).blend(p67.add(p67.rearrange(UP2)), BIT2);
                p03.add(p03.rearrange(DOWN4)).blend(p47.add(p47.rearrange(UP4)), BIT4).intoArray(out, oo + b);
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
     * One node's output-layer weight gradients from sample-major rows: {@code g0[wo + j] += Σ_b q[b] h[b][j]},
     * {@code g1[wo + j] += Σ_b q[b] sh[b][j]}, the sums over samples down the loop, four vectors of
     * features at a time.
     */
    private static void outputGradRows(double[] h, int ho, double[] sh, int so, double[] q, int qo, int m, int B,
                                       double[] g0, double[] g1, int wo) {
        int L = LANES;
        for (int j = 0; j < m; j += WIDE) {
            DoubleVector x0 = DoubleVector.zero(V), x1 = x0, x2 = x0, x3 = x0, s0 = x0, s1 = x0, s2 = x0, s3 = x0;
            for (int b = 0; b < B; b++) {
                DoubleVector qv = bc(q[qo + b]);
                int r = ho + b * m + j, t = so + b * m + j;
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
    }

    /**
     * Row i of {@link #narrowBack} written sample-major, {@code t[at + b m + kk]} for b < B: four
     * samples by four vectors of features at a time, the sources' q broadcast. Each element sees
     * {@link #narrowRow}'s operations in its order, so the same bits.
     */
    private static void backRows(int i, int e0, int e1, int[] cols, double[] C, int c0, double[] q, int P, int m, int B,
                                 double[] t, int at) {
        int L = LANES;
        for (int kk = 0; kk < m; kk += WIDE) {
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
    }

    /** Σ (y − t)², in index order. */
    private static double squaredError(double[] y, double[] t) {
        double sse = 0;
        for (int q = 0; q < y.length; q++) {
            double d = y[q] - t[q];
            sse += d * d;
        }
        return sse;
    }

    /** Whether {@link #squaredErrorStep} runs the output layer node by node (per-node weights, one output, no halo). */
    boolean fusesOutputLayer(Params params) {
        int L = model.layers();
        return model.width(L) == 1 && model.width(L - 1) > 1 && part.haloSize() == 0 && params.get(names0[L - 1]).rows() > 1;
    }

    private double[][] shiftedRow;    // per chunk: one node's (S X)_i for squaredErrorStep's output layer
    private double[][] reduced;       // per chunk: outputGrads' eight sums, transposed, from A

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

    /**
     * Whether layer l shifts after its weights: with one Θ for all nodes, S X Θ1 = S (X Θ1), and for
     * an output one wide the messages X_j Θ1 are k times narrower than the rows X_j (32 times in the
     * node-regression model). Per-node copies cannot do this: node i's Θ1_i applies to what its
     * neighbours send.
     */
    private boolean lateShift(int l, Tensor theta0) {
        // one row on a host that holds every node is a tied Θ; on a host of one node among several it is that node's copy
        return theta0.rows() == 1 && part.haloSize() == 0 && model.width(l + 1) == 1 && model.width(l) > 1;
    }

    /** X^{l+1} = σ(X^l Θ0 + S (X^l Θ1)) for a late-shift layer: node by node the two products, then one narrow exchange. */
    private void lateLayer(double[] W0, double[] W1, int l) {
        double[] in = x[l], out = x[l + 1], u = late;
        int k = model.width(l), P = stride, n = part.size();
        Parallel.forRange(n, Parallel.chunks(n, 2L * k * P), (c, from, to) -> {
            for (int i = from; i < to; i++) narrowPair(in, W0, W1, out, u, i * k * P + A, i * P + A, k, P);
        });
        double[] halo = Exchange.pull(comm, u, A, P);
        Exchange.apply(part, model.shift(), u, A, halo, P, out, true);
        activate(model.activation(l), out, A, n * P);
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

    /** X^{l+1}_i = σ(X^l_i Θ0 + (S X^l)_i Θ1) node by node. */
    private void layer(Tensor t0, Tensor t1, int l) {
        double[] W0 = t0.data(), W1 = t1.data(), in = x[l], sin = sx[l], out = x[l + 1];
        int k = model.width(l), m = model.width(l + 1), km = k * m, P = stride, n = part.size();
        boolean tied = t0.rows() == 1;
        Activation act = model.activation(l);
        Parallel.forRange(n, Parallel.chunks(n, 2L * km * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                linear(in, sin, W0, W1, tied ? 0 : i * km, out, i * k * P + A, i * m * P + A, k, m, P);
                activate(act, out, i * m * P + A, m * P);
            }
        });
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
    private static void narrowLinear(double[] in, double[] sin, int sd, double[] W0, double[] W1, int wo, double[] out, int xo, int oo,
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

    private static DoubleVector bc(double w) { return DoubleVector.broadcast(V, w); }

    /** The activation on {@code v[off, off + len)} in place; len is a whole number of vectors. */
    private static void activate(Activation act, double[] v, int off, int len) {
        switch (act) {
            case SIGMOID -> { for (int q = off; q < off + len; q += LANES) sigmoid(DoubleVector.fromArray(V, v, q)).intoArray(v, q); }
            case RELU -> {                       // v <= 0 ? 0 : v, as the tape has it (-0 becomes 0, NaN stays NaN)
                for (int q = off; q < off + len; q += LANES) {
                    DoubleVector h = DoubleVector.fromArray(V, v, q);
                    h.blend(0.0, h.compare(VectorOperators.LE, 0.0)).intoArray(v, q);
                }
            }
            case TANH -> { for (int q = off; q < off + len; q++) v[q] = Math.tanh(v[q]); }
            case IDENTITY -> { }
        }
    }

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
    private static DoubleVector sigmoid(DoubleVector h) {
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
    static void sigmoid(double[] v, int len) {
        int q = 0;
        for (; q + LANES <= len; q += LANES) sigmoid(DoubleVector.fromArray(V, v, q)).intoArray(v, q);
        if (q < len) {
            var mask = V.indexInRange(q, len);
            sigmoid(DoubleVector.fromArray(V, v, q, mask)).intoArray(v, q, mask);
        }
    }

    /** {@code z ⊙= σ'(h)} from y = σ(h), as the tape computes it; len is a whole number of vectors. */
    private static void slope(Activation act, double[] y, double[] z, int len) { slope(act, y, A, z, A, len); }

    /** {@code z[zo, zo + len) ⊙= σ'} of {@code y[yo, yo + len)}, as the tape computes it; len is a whole number of vectors. */
    private static void slope(Activation act, double[] y, int yo, double[] z, int zo, int len) {
        int d = yo - zo;
        switch (act) {
            case SIGMOID -> {
                for (int q = zo; q < zo + len; q += LANES) {
                    DoubleVector yv = DoubleVector.fromArray(V, y, q + d);
                    DoubleVector.fromArray(V, z, q).mul(yv.mul(bc(1.0).sub(yv))).intoArray(z, q);
                }
            }
            case RELU -> {                       // 0 where y <= 0, else z (a NaN y lets z through), as the tape has it
                for (int q = zo; q < zo + len; q += LANES) {
                    DoubleVector yv = DoubleVector.fromArray(V, y, q + d);
                    DoubleVector.fromArray(V, z, q).blend(0.0, yv.compare(VectorOperators.LE, 0.0)).intoArray(z, q);
                }
            }
            case TANH -> { for (int q = zo; q < zo + len; q++) z[q] *= 1 - y[q + d] * y[q + d]; }
            case IDENTITY -> { }
        }
    }

    /**
     * Backpropagates {@code dLoss/dOutput} (Z^L of eq. 11, laid out like the output) through the
     * recorded forward pass and adds the parameter gradients of eq. (13) into {@code grads}.
     */
    public void backward(Params params, double[] outputGrad, Params grads) {
        int L = model.layers(), n = part.size(), B = samples, P = stride;
        double[] top = z[L];                  // its padding stays zero: it is only ever written here
        for (int r = 0, rows = n * model.width(L); r < rows; r++) System.arraycopy(outputGrad, r * B, top, r * P + A, B);
        backwardLayers(params, grads, false);
    }

    /** The layers of {@link #backward} from z[L]; {@code topDone}: the output layer's slope and weight gradients are already taken. */
    private void backwardLayers(Params params, Params grads, boolean topDone) {
        int L = model.layers(), n = part.size(), P = stride;
        boolean sloped = topDone;             // narrowBack already multiplied Z^l by the activation's slope
        for (int l = L - 1; l >= 0; l--) {
            int k = model.width(l), m = model.width(l + 1);
            double[] q = z[l + 1];
            if (!sloped) slope(model.activation(l), x[l + 1], q, q.length - A);  // Q of eq. (12), in place; zero padding stays zero
            sloped = false;
            Tensor t0 = params.get(names0[l]), t1 = params.get(names1[l]);
            boolean tied = t0.rows() == 1;
            if (lateShift(l, t0)) {
                // dΘ1 = Σ (S X)^T Q = Σ X^T (S Q) and Z^{l-1} = Q Θ0^T + (S Q) Θ1^T (S symmetric): one narrow exchange
                double[] sq = late;
                double[] halo = Exchange.pull(comm, q, A, P);
                Exchange.apply(part, model.shift(), q, A, halo, P, sq, false);
                lateGrads(l, q, sq, grads.get(names0[l]).data(), grads.get(names1[l]).data());
                if (l == 0) break;
                lateBack(q, sq, t0.data(), t1.data(), k, z[l], model.activation(l - 1), x[l]);
                sloped = true;
                continue;
            }
            if (!topDone || l < L - 1) weightGrads(l, q, grads.get(names0[l]).data(), grads.get(names1[l]).data(), tied);
            if (l == 0) break;
            if (m == 1 && part.haloSize() == 0) {
                if (l == 1 && !tied && k % WIDE == 0) {
                    // Z^0 feeds nothing but layer 0's weight gradients: take them node by node from a scratch row
                    narrowBack(q, t0.data(), false, t1.data(), k, null, model.activation(0), x[1],
                            grads.get(names0[0]).data(), grads.get(names1[0]).data());
                    break;
                }
                narrowBack(q, t0.data(), tied, t1.data(), k, z[l], model.activation(l - 1), x[l], null, null);
                sloped = true;
                continue;
            }
            // eq. (14): Z^{l-1} = Θ0 Q + S^T (Θ1 Q); the second term is one round of messages Θ1^j Q_j
            double[] direct = z[l], msgs = msg;
            double[] W0 = t0.data(), W1 = t1.data();
            int km = k * m;
            Parallel.forRange(n, Parallel.chunks(n, 2L * km * P), (c, from, to) -> {
                for (int i = from; i < to; i++) transposed(q, W0, W1, tied ? 0 : i * km, direct, msgs, i * m * P + A, i * k * P + A, k, m, P);
            });
            double[] halo = Exchange.pull(comm, msgs, A, k * P);
            Exchange.apply(part, model.shift(), msgs, A, halo, k * P, direct, true);
        }
    }

    /** A late-shift layer's dΘ0 += Σ_i Σ_b X_i q_i and dΘ1 += Σ_i Σ_b X_i (S q)_i, lane-wise per chunk of nodes, reduced once. */
    private void lateGrads(int l, double[] q, double[] sq, double[] g0, double[] g1) {
        int k = model.width(l), P = stride, n = part.size();
        double[] in = x[l];
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

    /**
     * Z^{l-1}_i = q_i Θ0^T + (S q)_i Θ1^T for a late-shift layer (eq. 14 with the shift already
     * applied to q), then the slope of the layer below (eq. 12): no neighbour rows are read.
     */
    private void lateBack(double[] q, double[] sq, double[] W0, double[] W1, int k, double[] out, Activation below, double[] y) {
        int n = part.size(), P = stride;
        Parallel.forRange(n, Parallel.chunks(n, 2L * k * P), (c, from, to) -> {
            for (int i = from; i < to; i++) {
                int qo = i * P + A;
                for (int kk = 0; kk < k; kk++) {
                    DoubleVector w0 = bc(W0[kk]), w1 = bc(W1[kk]);
                    int o = (i * k + kk) * P + A;
                    for (int b = 0; b < P; b += LANES)
                        DoubleVector.fromArray(V, sq, qo + b).fma(w1, DoubleVector.fromArray(V, q, qo + b).mul(w0)).intoArray(out, o + b);
                }
                slope(below, y, i * k * P + A, out, i * k * P + A, k * P);
            }
        });
    }

    /**
     * eq. (14) for a layer one output wide, on a host that holds every node: Z^{l-1}_i = Θ0_i q_i +
     * Σ_j S_ij Θ1_j q_j, without writing the messages Θ1_j q_j out. Each message is node j's q row
     * scaled by k weights, so the kernel reads q (k times narrower than the messages) with one
     * coefficient per edge and input feature: (Θ0_i + S_ii Θ1_i) for the node itself, S_ij Θ1_j
     * for a neighbour. Written and re-read, the messages were a sixth of a node-regression epoch.
     * The slope of the layer below (eq. 12) is applied on the way out, saving a pass over Z^{l-1}.
     */
    private void narrowBack(double[] q, double[] W0, boolean tied, double[] W1, int k, double[] out, Activation below, double[] y,
                            double[] g0, double[] g1) {
        int n = part.size(), P = stride, B = samples, k0 = model.width(0), km0 = k0 * k;
        boolean fused = out == null;    // then add Z^0's layer-0 weight gradients (per-node, k a multiple of WIDE) into g0, g1
        int[] rowPtr = part.rowPtr(), cols = part.cols();
        double[] C = coefficients(W0, tied, W1, k);
        long perRow = (long) k * P * (1 + rowPtr[n] / Math.max(1, n));
        int chunks = Parallel.chunks(n, perRow);
        if (fused && (rowScratch == null || rowScratch.length < chunks || rowScratch[0].length < k * P + A)) rowScratch = new double[Parallel.MAX_CHUNKS][k * P + A];
        if (fused && qt == null) qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];
        double[] in = x[0], sin = sx[0];
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (!fused) {
                for (int i = from; i < to; i++) {
                    narrowRow(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * k, q, k, P, out, i * k * P + A);
                    slope(below, y, i * k * P + A, out, i * k * P + A, k * P);     // while the node's rows are still in cache
                }
                return;
            }
            // node by node: Z^0_i into a scratch row, its slope, transposed, then layer 0's dΘ_i while X^0_i is in cache
            double[] zi = rowScratch[c];
            if (qt[c] == null || qt[c].length < B * k + A) qt[c] = Aligned.doubles(B * k);
            double[] t = qt[c];
            for (int i = from; i < to; i++) {
                narrowRow(i, rowPtr[i], rowPtr[i + 1], cols, C, (i + rowPtr[i]) * k, q, k, P, zi, A);
                slope(below, y, i * k * P + A, zi, A, k * P);
                transpose(zi, A, k, P, B, t, A);
                wideBlocks(in, sin, t, i, i + 1, k0, k, P, B, g0, i * km0, g1, i * km0);
            }
        });
    }

    private double[][] rowScratch;    // per chunk: one node's Z^0 rows, for the fused narrow backward

    /**
     * {@link #narrowBack}'s coefficients for an output one wide: node i's own entry (Θ0_i + S_ii Θ1_i)
     * at {@code (i + rowPtr[i]) k}, then S_ij Θ1_j for its edges in CSR order.
     */
    private double[] coefficients(double[] W0, boolean tied, double[] W1, int k) {
        int n = part.size();
        int[] rowPtr = part.rowPtr(), cols = part.cols();
        double[] self = part.selfWeights(model.shift()), w = part.edgeWeights(model.shift());
        int entries = n + rowPtr[n];        // node i's own entry sits at i + rowPtr[i], its edge e at i + e + 1
        if (coef == null || coef.length < entries * k) coef = new double[entries * k];
        double[] C = coef;
        int whole = k / LANES * LANES;     // the same operations as vectors (HotSpot left these loops scalar), then the rest
        for (int i = 0; i < n; i++) {
            int wi = tied ? 0 : i * k, own = (i + rowPtr[i]) * k;
            DoubleVector si = bc(self[i]);
            for (int kk = 0; kk < whole; kk += LANES)
                DoubleVector.fromArray(V, W0, wi + kk).add(DoubleVector.fromArray(V, W1, wi + kk).mul(si)).intoArray(C, own + kk);
            for (int kk = whole; kk < k; kk++) C[own + kk] = W0[wi + kk] + self[i] * W1[wi + kk];
            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                int wj = tied ? 0 : cols[e] * k, o = (i + e + 1) * k;
                DoubleVector we = bc(w[e]);
                for (int kk = 0; kk < whole; kk += LANES) DoubleVector.fromArray(V, W1, wj + kk).mul(we).intoArray(C, o + kk);
                for (int kk = whole; kk < k; kk++) C[o + kk] = w[e] * W1[wj + kk];
            }
        }
        return C;
    }

    /** {@code t[dst + b m + j] = q[src + j P + b]} for j < m, b < B: one node's rows, sample-major. */
    private static void transpose(double[] q, int src, int m, int P, int B, double[] t, int dst) {
        int b = 0;
        if (LANES == 8 && m % 8 == 0)   // 8 × 8 blocks transposed in registers, for all whole blocks of samples
            for (; b + 8 <= B; b += 8)
                for (int j = 0; j < m; j += 8) transpose8(q, src + j * P + b, P, t, dst + b * m + j, m);
        // the rest one by one: writes in order, reads across the m rows (each row's line serves eight samples from L1)
        for (; b < B; b++) {
            int to = dst + b * m, from = src + b;
            for (int j = 0; j < m; j++) t[to + j] = q[from + j * P];
        }
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
    private static void transpose8(double[] q, int from, int P, double[] t, int to, int m) {
        DoubleVector r0 = DoubleVector.fromArray(V, q, from), r1 = DoubleVector.fromArray(V, q, from + P),
                r2 = DoubleVector.fromArray(V, q, from + 2 * P), r3 = DoubleVector.fromArray(V, q, from + 3 * P),
                r4 = DoubleVector.fromArray(V, q, from + 4 * P), r5 = DoubleVector.fromArray(V, q, from + 5 * P),
                r6 = DoubleVector.fromArray(V, q, from + 6 * P), r7 = DoubleVector.fromArray(V, q, from + 7 * P);
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

    /** Row i of {@link #narrowBack}: eight input features at a time, the sources' q vectors read from cache. */
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
                a0.intoArray(out, o);
                a1.intoArray(out, o + P);
                a2.intoArray(out, o + 2 * P);
                a3.intoArray(out, o + 3 * P);
                a4.intoArray(out, o + 4 * P);
                a5.intoArray(out, o + 5 * P);
                a6.intoArray(out, o + 6 * P);
                a7.intoArray(out, o + 7 * P);
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

    /**
     * dΘ0 += Σ_b X^l Q^T and dΘ1 += Σ_b (S X^l) Q^T per node, or summed over nodes when tied. Each
     * gradient entry is a sum over samples kept lane-wise in a vector and reduced once: per node for
     * per-node weights, per parallel chunk of nodes for tied ones.
     */
    private void weightGrads(int l, double[] q, double[] g0, double[] g1, boolean tied) {
        int k = model.width(l), m = model.width(l + 1), km = k * m, P = stride, n = part.size();
        double[] in = x[l], sin = sx[l];
        if (m % WIDE == 0) {
            wideWeightGrads(l, q, g0, g1, tied);
            return;
        }
        // tied weights: few chunks, each zeroing and reducing a lane buffer of the whole gradient
        int chunks = Math.min(tied ? TIED_CHUNKS : Parallel.MAX_CHUNKS, Parallel.chunks(n, 2L * km * P));
        if (tied && (lanes == null || lanes[0].length < 2 * km * LANES + A)) {
            lanes = new double[TIED_CHUNKS][2 * km * LANES + A];
            partial = new double[TIED_CHUNKS][2 * km];
        }
        Parallel.forRange(n, chunks, (c, from, to) -> {
            // node by node, so a node's rows are read from cache by every block. Tied weights sum over
            // nodes lane-wise in the chunk's buffer (reduced once at the end), per-node ones reduce at once
            double[] l0 = tied ? lanes[c] : null;  // dΘ1's lane sums follow dΘ0's
            if (tied) java.util.Arrays.fill(l0, A, A + 2 * km * LANES, 0);
            // tied weights sum a tile of nodes in registers before touching the lane buffer
            int tile = tied ? TIED_TILE : 1;
            for (int i = from; i < to; i += tile) {
                int wo = tied ? 0 : i * km, last = Math.min(to, i + tile);
                int kk = 0;
                for (; kk + 1 < k; kk += 2) {
                    int j = 0;
                    for (; j + 3 < m; j += 4) block2x4(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
                    for (; j < m; j++) {
                        block1x1(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
                        block1x1(in, sin, q, i, last, k, m, P, kk + 1, j, g0, g1, wo, l0, km);
                    }
                }
                if (kk < k) for (int j = 0; j < m; j++) block1x1(in, sin, q, i, last, k, m, P, kk, j, g0, g1, wo, l0, km);
            }
            if (tied)
                for (int t = 0; t < 2 * km; t++) partial[c][t] = laneSum(l0, t * LANES + A);
        });
        if (!tied) return;
        for (int c = 0; c < chunks; c++)
            for (int t = 0; t < km; t++) {
                g0[t] += partial[c][t];
                g1[t] += partial[c][km + t];
            }
    }

    /** Outputs one block of {@link #wideBlock} covers: four vectors. */
    private static final int WIDE = 4 * LANES;
    private double[][] qt;              // per chunk: Q of a tile of nodes, transposed to [node][sample][output]
    private double[][] widePartial;     // per tied chunk: its sums of dΘ0 then dΘ1

    /**
     * {@link #weightGrads} for outputs a multiple of {@link #WIDE} wide. Each node's Q is first
     * transposed to sample-major rows, so the sum over samples runs down the loop instead of across
     * a vector's lanes: a block of sixteen vector sums over outputs is added to the gradient once,
     * where summing samples lane-wise costs a horizontal reduction per gradient entry per node (as
     * many reductions as multiply-adds by eight samples, at half a mini-batch a pass). Padded
     * samples are skipped.
     */
    private void wideWeightGrads(int l, double[] q, double[] g0, double[] g1, boolean tied) {
        int k = model.width(l), m = model.width(l + 1), km = k * m, P = stride, n = part.size(), B = samples;
        double[] in = x[l], sin = sx[l];
        int chunks = Math.min(tied ? TIED_CHUNKS : Parallel.MAX_CHUNKS, Parallel.chunks(n, 2L * km * P));
        int tile = tied ? TIED_TILE : 1;
        if (qt == null) qt = new double[Math.max(TIED_CHUNKS, Parallel.MAX_CHUNKS)][];
        if (tied && (widePartial == null || widePartial[0].length < 2 * km)) widePartial = new double[TIED_CHUNKS][2 * km];
        Parallel.forRange(n, chunks, (c, from, to) -> {
            if (qt[c] == null || qt[c].length < tile * B * m + A) qt[c] = Aligned.doubles(tile * B * m);
            double[] t = qt[c], p = tied ? widePartial[c] : null;
            if (tied) java.util.Arrays.fill(p, 0, 2 * km, 0);
            for (int i = from; i < to; i += tile) {
                int last = Math.min(to, i + tile);
                for (int v = i; v < last; v++) transpose(q, v * m * P + A, m, P, B, t, (v - i) * B * m + A);
                double[] d0 = tied ? p : g0, d1 = tied ? p : g1;
                int o0 = tied ? 0 : i * km, o1 = tied ? km : i * km;
                wideBlocks(in, sin, t, i, last, k, m, P, B, d0, o0, d1, o1);
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
     * Every entry of dΘ0 and dΘ1 (k × m, m a multiple of {@link #WIDE}) summed over nodes [first, last)
     * by {@link #wideBlock}: input rows two at a time, then the odd one.
     */
    private static void wideBlocks(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int P, int B,
                                   double[] d0, int o0, double[] d1, int o1) {
        int kk = 0;
        for (; kk + 1 < k; kk += 2)
            for (int j = 0; j < m; j += WIDE) wideBlock(in, sin, t, first, last, k, m, P, B, kk, 2, j, d0, o0, d1, o1);
        if (kk < k)
            for (int j = 0; j < m; j += WIDE) wideBlock(in, sin, t, first, last, k, m, P, B, kk, 1, j, d0, o0, d1, o1);
    }

    /**
     * Entries (kk .. kk + rows - 1) × (j .. j + WIDE - 1) of dΘ0 and dΘ1 (rows 1 or 2) summed over
     * nodes [first, last) and their samples: sixteen vector sums, four loads of Q^T and four
     * broadcast inputs a sample, then added into {@code d0[o0 + ...]} and {@code d1[o1 + ...]}.
     */
    private static void wideBlock(double[] in, double[] sin, double[] t, int first, int last, int k, int m, int P, int B,
                                  int kk, int rows, int j, double[] d0, int o0, double[] d1, int o1) {
        DoubleVector x00 = DoubleVector.zero(V), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
        DoubleVector s00 = x00, s01 = x00, s02 = x00, s03 = x00, s10 = x00, s11 = x00, s12 = x00, s13 = x00;
        int second = rows > 1 ? P : 0;      // one row: the second row's sums repeat the first's and are dropped
        for (int v = first; v < last; v++) {
            int r = (v * k + kk) * P + A, to = (v - first) * B * m + j + A;
            for (int b = 0; b < B; b++) {
                int qo = to + b * m;
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

    /** Chunks of the tied weight gradient (a constant: chunking never depends on the machine). */
    private static final int TIED_CHUNKS = 4;
    /** Nodes whose tied gradient entries one register block sums before adding them to the lane buffer (their rows stay in L2). */
    private static final int TIED_TILE = 8;
    private double[][] lanes, partial;  // per tied chunk: lane-wise sums of dΘ0 then dΘ1, and their reductions

    /**
     * Entries (kk..kk+1) × (j..j+3) of dΘ0 and dΘ1 summed over nodes [first, last) (one node for
     * per-node weights): sixteen sums, eight loads a step, added into {@code a0, a1} or, when given,
     * lane-wise into {@code lanes}.
     */
    private static void block2x4(double[] in, double[] sin, double[] q, int first, int last, int k, int m, int P, int kk, int j,
                                 double[] a0, double[] a1, int wo, double[] lanes, int km) {
        DoubleVector x00 = DoubleVector.zero(V), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
        DoubleVector s00 = x00, s01 = x00, s02 = x00, s03 = x00, s10 = x00, s11 = x00, s12 = x00, s13 = x00;
        for (int i = first; i < last; i++)
        for (int b = 0, r = (i * k + kk) * P + A, qo = (i * m + j) * P + A; b < P; b += LANES) {
            DoubleVector q0 = DoubleVector.fromArray(V, q, qo + b), q1 = DoubleVector.fromArray(V, q, qo + P + b),
                    q2 = DoubleVector.fromArray(V, q, qo + 2 * P + b), q3 = DoubleVector.fromArray(V, q, qo + 3 * P + b);
            DoubleVector xa = DoubleVector.fromArray(V, in, r + b), xb = DoubleVector.fromArray(V, in, r + P + b);
            x00 = xa.fma(q0, x00);
            x01 = xa.fma(q1, x01);
            x02 = xa.fma(q2, x02);
            x03 = xa.fma(q3, x03);
            x10 = xb.fma(q0, x10);
            x11 = xb.fma(q1, x11);
            x12 = xb.fma(q2, x12);
            x13 = xb.fma(q3, x13);
            DoubleVector sa = DoubleVector.fromArray(V, sin, r + b), sb = DoubleVector.fromArray(V, sin, r + P + b);
            s00 = sa.fma(q0, s00);
            s01 = sa.fma(q1, s01);
            s02 = sa.fma(q2, s02);
            s03 = sa.fma(q3, s03);
            s10 = sb.fma(q0, s10);
            s11 = sb.fma(q1, s11);
            s12 = sb.fma(q2, s12);
            s13 = sb.fma(q3, s13);
        }
        int w = wo + kk * m + j;
        put(x00, a0, w, lanes, 0);
        put(x01, a0, w + 1, lanes, 0);
        put(x02, a0, w + 2, lanes, 0);
        put(x03, a0, w + 3, lanes, 0);
        put(x10, a0, w + m, lanes, 0);
        put(x11, a0, w + m + 1, lanes, 0);
        put(x12, a0, w + m + 2, lanes, 0);
        put(x13, a0, w + m + 3, lanes, 0);
        put(s00, a1, w, lanes, km);
        put(s01, a1, w + 1, lanes, km);
        put(s02, a1, w + 2, lanes, km);
        put(s03, a1, w + 3, lanes, km);
        put(s10, a1, w + m, lanes, km);
        put(s11, a1, w + m + 1, lanes, km);
        put(s12, a1, w + m + 2, lanes, km);
        put(s13, a1, w + m + 3, lanes, km);
    }

    /**
     * The LANES doubles from {@code a[off]} summed in lane order. Not {@code reduceLanes(ADD)}: its
     * order is left open, and C2's differs from the interpreter's and C1's, so a run's last bits
     * depended on when the kernel got compiled (same seed, test MSE 0.010607451777762478 or ...473).
     */
    private static double laneSum(double[] a, int off) {
        double s = a[off];
        for (int q = 1; q < LANES; q++) s += a[off + q];
        return s;
    }

    /** {@link #laneSum} of a vector's lanes. */
    private static double laneSum(DoubleVector v) {
        double s = v.lane(0);
        for (int q = 1; q < LANES; q++) s += v.lane(q);
        return s;
    }

    /** {@code a[w] += Σ lanes of v} in lane order, or lane-wise into {@code lanes} (the LANES slots of entry off + w) when given. */
    private static void put(DoubleVector v, double[] a, int w, double[] lanes, int off) {
        if (lanes == null) a[w] += laneSum(v);
        else {
            int o = (off + w) * LANES + A;
            v.add(DoubleVector.fromArray(V, lanes, o)).intoArray(lanes, o);
        }
    }

    /** Entry (kk, j) of dΘ0 and dΘ1 over nodes [first, last), for widths that are not a multiple of the block. */
    private static void block1x1(double[] in, double[] sin, double[] q, int first, int last, int k, int m, int P, int kk, int j,
                                 double[] a0, double[] a1, int wo, double[] lanes, int km) {
        DoubleVector x0 = DoubleVector.zero(V), s0 = x0;
        for (int i = first; i < last; i++)
        for (int b = 0, r = (i * k + kk) * P + A, qo = (i * m + j) * P + A; b < P; b += LANES) {
            DoubleVector qv = DoubleVector.fromArray(V, q, qo + b);
            x0 = DoubleVector.fromArray(V, in, r + b).fma(qv, x0);
            s0 = DoubleVector.fromArray(V, sin, r + b).fma(qv, s0);
        }
        int w = wo + kk * m + j;
        put(x0, a0, w, lanes, 0);
        put(s0, a1, w, lanes, km);
    }
}
