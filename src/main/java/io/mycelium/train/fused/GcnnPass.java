package io.mycelium.train.fused;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Comm;
import io.mycelium.model.GcnnForm;
import io.mycelium.tensor.Tensor;
import io.mycelium.tensor.VectorMath;

import java.util.ArrayList;
import java.util.List;

import static io.mycelium.train.fused.PassState.A;

/**
 * A fused forward and backward pass of a GCNN ({@link GcnnForm}) over many samples at once, for the
 * batched training path: eq. (9) and the local backpropagation of eq. (11)–(14) written as array
 * kernels, without tape bookkeeping. It runs on any partition: the exchanges are the same rounds of
 * message passing the tape would do (one per layer forward, one per layer above the first
 * backward), each carrying all samples' rows.
 *
 * <p>This class only orchestrates. Each layer's kernels ({@link LayerKernel}: {@link FeatureMajorLayer}
 * with its {@link WeightGrads} and {@link InputGrads}, or {@link LateShiftLayer}) and the kernel of
 * the output step ({@link FusedOutputStep}, {@link SampleMajorStep}, or forward then backward) are
 * chosen once, here, from the widths, whether weights are tied and whether the host holds every
 * node; forward and backward are loops over them. docs/kernels.md says which is picked when and why.
 * The tape stays the reference: tests hold every kernel to it.
 */
public final class GcnnPass {
    private final PassState s;
    private final LayerKernel[] layers;
    private final OutputStep step;
    private final String description;
    private double[] output;      // x[L] without the padding, [node][feature][sample]
    private double[] outputGrad;  // the plain step's dy, laid out like output
    private SampleCopy samples = new SampleCopy();   // the sample-major copy of the store last gathered from
    private final int[] gatherBase = new int[8];
    /** Sample stores up to this many doubles (256 MiB) get a sample-major copy; larger ones are read in place. */
    private long sampleMajorLimit = 1L << 25;

    /** The forward pass of eq. (10) and the squared-error step of a mini-batch, in one call. */
    interface OutputStep {
        double run(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads);
    }

    /**
     * The pass of {@code form} on {@code comm}'s partition, for parameters shaped like {@code params}
     * (tied: one copy on this host; per node: one per node).
     */
    public GcnnPass(GcnnForm form, Comm comm, Params params) {
        if (!supports(form)) throw new IllegalArgumentException("the fused GCNN pass needs a symmetric shift operator");
        s = new PassState(form, comm, params.copies() == 1);
        int L = form.layers();
        layers = new LayerKernel[L];
        List<String> names = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            if (LateShiftLayer.applies(s, l)) {
                layers[l] = new LateShiftLayer(s, l);
                names.add("late-shift");
                continue;
            }
            WeightGrads g = WeightGrads.of(s, l);
            String back = l == 0 ? "" : NarrowBack.fusesLayerZero(s, l) ? "+narrow-back(with layer 0's gradients)"
                    : NarrowBack.applies(s, l) ? "+narrow-back" : "+messages";
            InputGrads in = l == 0 ? null : NarrowBack.applies(s, l) ? new NarrowBack(s, l, NarrowBack.fusesLayerZero(s, l))
                    : FeatureMajorLayer.messages(s, l);
            layers[l] = new FeatureMajorLayer(s, l, g, in);
            names.add("feature-major(" + (g instanceof WideGrads ? "wide" : "lane") + "-grads" + back + ")");
        }
        if (SampleMajorStep.applies(s)) {
            step = new SampleMajorStep(this, s);
            names.add("step: sample-major");
        } else if (FusedOutputStep.applies(s)) {
            step = new FusedOutputStep(this, s);
            names.add("step: fused-output");
        } else {
            step = this::plainStep;
            names.add("step: forward+backward");
        }
        description = String.join(", ", names);
    }

    /** Whether the fused pass can run {@code form}: the backward's exchanges use S^T = S. */
    public static boolean supports(GcnnForm form) { return form.shift().symmetric(); }

    /** The kernels chosen, layer by layer, then the output step's (for tests, logs and docs/kernels.md). */
    public String kernels() { return description; }

    public GcnnForm form() { return s.form; }

    /**
     * Where to split a mini-batch of {@code B} samples into two independent passes: after a whole
     * number of vectors, so the halves together pad no more than one pass would; 0 when B is under
     * four vectors (halves of one vector or less gain nothing over splitting by nodes).
     */
    public static int half(int B) {
        int lanes = VectorMath.LANES;
        if (B < 4 * lanes) return 0;
        int h = (B / 2 + lanes - 1) / lanes * lanes;
        return h < B ? h : 0;
    }

    private void check(Params params) {
        if ((params.copies() == 1) != s.tied)
            throw new IllegalArgumentException("this pass was built for " + (s.tied ? "one copy" : "per-node copies") + " of the parameters");
    }

    /**
     * Runs every layer on {@code input} ({@code [nodes, samples, g_0]}); returns the output as
     * {@code [node][feature][sample]}, which for g_L = 1 is {@code [node][sample]}.
     */
    public double[] forward(Params params, Tensor input) {
        check(params);
        int n = s.n, g0 = s.width(0), B = input.dim(1);
        double[] in = input.data(), x0 = s.resize(B);
        int P = s.stride;
        for (int i = 0; i < n; i++)
            for (int b = 0; b < B; b++)
                for (int f = 0; f < g0; f++) x0[(i * g0 + f) * P + b + A] = in[(i * B + b) * g0 + f];
        forwardLayers(params, s.layers());
        return copyOutput();
    }

    /**
     * Like {@link #forward}, reading samples {@code ids} straight from a node-major store
     * {@code [nodes, allSamples, g_0]} of this partition's rows (no intermediate tensor).
     */
    public double[] forward(Params params, Tensor store, int[] ids) {
        check(params);
        gather(store, ids);
        forwardLayers(params, s.layers());
        return copyOutput();
    }

    /** Copies samples {@code ids} of {@code store} into X^0. */
    void gather(Tensor store, int[] ids) {
        int n = s.n, g0 = s.width(0), S = store.dim(1), B = ids.length, row = n * g0;
        double[] in = store.data(), x0 = s.resize(B);
        int P = s.stride;
        double[] src = samples.of(store, n, g0, sampleMajorLimit);
        if (src != null) {
            int[] base = gatherBase;
            for (int b0 = 0; b0 < B; b0 += 8) {      // eight samples at a time: one cache line of x0 per feature row
                int bn = Math.min(8, B - b0), r = 0;
                for (int q = 0; q < bn; q++) base[q] = ids[b0 + q] * row;
                if (bn == 8 && VectorMath.LANES == 8)    // 8 × 8 blocks (eight samples' next eight values) transposed in registers
                    for (; r + 8 <= row; r += 8)
                        VectorMath.transposeRows8(src, base[0] + r, base[1] + r, base[2] + r, base[3] + r, base[4] + r, base[5] + r,
                                base[6] + r, base[7] + r, x0, r * P + b0 + A, P);
                for (; r < row; r++) {
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

    /**
     * The sample-major copy of a store, {@code [sample][node][feature]}: one per store, shared by the
     * passes that gather from the same store (the two halves of a mini-batch), so the store is
     * copied once and the copy takes its size once in memory and in the caches.
     */
    private static final class SampleCopy {
        private Tensor of;
        private double[] data;

        /**
         * The copy of {@code store} ({@code [n, S, g0]}), made on the first call for it; null when the
         * store holds more than {@code limit} doubles. Synchronized: the two halves may ask at once.
         */
        synchronized double[] of(Tensor store, int n, int g0, long limit) {
            if (of == store) return data;
            double[] in = store.data();
            if ((long) in.length > limit) return null;
            // a shuffled mini-batch then reads B contiguous runs of n·g_0 doubles instead of B·n scattered
            // feature vectors, which in the node-major store cost a cache miss each (a fifth of a
            // node-regression epoch)
            int S = store.dim(1), row = n * g0;
            double[] copy = new double[in.length];
            for (int i = 0; i < n; i++)
                for (int s = 0; s < S; s++) System.arraycopy(in, (i * S + s) * g0, copy, s * row + i * g0, g0);
            data = copy;
            of = store;
            return copy;
        }
    }

    /**
     * Gathers through {@code first}'s sample-major copy of the store instead of a copy of its own
     * (for a pass that reads the same samples: same numbers). Returns this pass.
     */
    public GcnnPass sharingSamplesWith(GcnnPass first) {
        samples = first.samples;
        return this;
    }

    /** Always read the store in place (tests hold both gathers to the same numbers). */
    GcnnPass readInPlace() {
        sampleMajorLimit = -1;
        return this;
    }

    /** x[L] without its padding, into {@link #output}. */
    double[] copyOutput() {
        int L = s.layers(), P = s.stride, B = s.samples;
        double[] last = s.x[L];
        if (output == null || output.length != s.n * B * s.width(L)) output = new double[s.n * B * s.width(L)];
        for (int r = 0, rows = s.n * s.width(L); r < rows; r++) System.arraycopy(last, r * P + A, output, r * B, B);
        return output;
    }

    /**
     * Backpropagates {@code dLoss/dOutput} (Z^L of eq. 11, laid out like the output) through the
     * recorded forward pass and adds the parameter gradients of eq. (13) into {@code grads}.
     */
    public void backward(Params params, double[] outputGrad, Params grads) {
        check(params);
        int L = s.layers(), n = s.n, B = s.samples, P = s.stride;
        double[] top = s.z[L];                // its padding stays zero: it is only ever written here
        for (int r = 0, rows = n * s.width(L); r < rows; r++) System.arraycopy(outputGrad, r * B, top, r * P + A, B);
        backwardLayers(params, grads, false);
    }

    /** Σ (y − t)², in index order. */
    static double squaredError(double[] y, double[] t) {
        double sse = 0;
        for (int q = 0; q < y.length; q++) {
            double d = y[q] - t[q];
            sse += d * d;
        }
        return sse;
    }

    /** Layers 0 .. count − 1 forward, from x[0] into x[count]. */
    void forwardLayers(Params params, int count) {
        for (int l = 0; l < count; l++) layers[l].forward(params);
    }

    /**
     * The layers backward from Z^L (in z[L]); {@code topDone}: the output layer's slope and weight
     * gradients are already taken.
     */
    void backwardLayers(Params params, Params grads, boolean topDone) {
        int L = s.layers();
        boolean sloped = topDone;
        for (int l = L - 1; l >= 0; l--) {
            double[] q = s.z[l + 1];
            if (!sloped) Pointwise.slope(s.activation(l), s.x[l + 1], q, q.length - A);  // Q of eq. (12), in place; zero padding stays zero
            LayerKernel.Below below = layers[l].backward(params, grads, topDone && l == L - 1);
            if (below == LayerKernel.Below.DONE) return;
            sloped = below == LayerKernel.Below.SLOPED;
        }
    }

    /**
     * {@link #forward(Params, Tensor, int[])}, the squared error against {@code targets} (laid out
     * like the output) and {@link #backward} of {@code dy = scale (ŷ − y)} in one call; returns
     * Σ (ŷ − y)². The same numbers as those three steps (bit for bit, except where a step's kernel
     * says it sums in another order).
     */
    public double squaredErrorStep(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        check(params);
        return step.run(params, store, ids, targets, scale, grads);
    }

    private double plainStep(Params params, Tensor store, int[] ids, double[] targets, double scale, Params grads) {
        double[] y = forward(params, store, ids);
        if (outputGrad == null || outputGrad.length != y.length) outputGrad = new double[y.length];
        double[] dy = outputGrad;
        for (int q = 0; q < y.length; q++) dy[q] = scale * (y[q] - targets[q]);
        backward(params, dy, grads);      // leaves y (the output buffer) as it is
        return squaredError(y, targets);
    }
}
