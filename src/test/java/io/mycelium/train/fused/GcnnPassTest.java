package io.mycelium.train.fused;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.model.TestGraphs;
import io.mycelium.tensor.VectorMath;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused pass against the tape: outputs and parameter gradients of Σ (ŷ − y)² for random
 * graphs, widths (odd and even, so both the paired and the single-output kernels run; 32 and 64
 * wide, so the transposed weight-gradient kernel runs on tiles of tied nodes and on single nodes), every
 * activation, tied and per-node weights, and enough samples that rows take the wide
 * (copy-to-scratch) path of the shift.
 */
class GcnnPassTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void fusedPassEqualsTheTape(long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        int n = 6 + rng.nextInt(20), samples = seed % 2 == 0 ? 70 + rng.nextInt(40) : 1 + rng.nextInt(9);
        Graph g = TestGraphs.connected(n, 0.2, rng);
        ShiftOperator[] shifts = {ShiftOperator.NORMALIZED_LAPLACIAN, ShiftOperator.ADJACENCY, ShiftOperator.RENORMALIZED_ADJACENCY};
        var s = shifts[(int) (seed % shifts.length)].of(g);
        int layers = seed >= 4 ? 2 + rng.nextInt(2) : 1 + rng.nextInt(3);
        int[] widths = new int[layers + 1];
        for (int l = 0; l < layers; l++) widths[l] = 1 + rng.nextInt(6);
        if (seed >= 4) widths[1] = 32 * (int) (1 + seed % 2);   // a multiple of four vectors: the transposed weight-gradient kernel
        widths[layers] = 1;
        Activation[] acts = new Activation[layers];
        for (int l = 0; l < layers; l++) acts[l] = Activation.values()[(int) ((seed + l) % Activation.values().length)];
        Gcnn model = new Gcnn(s, widths, acts, Gcnn.GLOROT);
        Params tied = new Params();
        model.init(tied, rng);
        Params params = seed % 3 == 0 ? tied : tied.perNode(n);
        if (!params.isTied())
            for (String name : params.names()) {
                double[] d = params.get(name).data();
                for (int k = 0; k < d.length; k++) d[k] += 0.3 * (rng.nextDouble() - 0.5);
            }
        Tensor x = Init.normal(rng, 0, 1, n, samples, widths[0]), y = Init.normal(rng, 0, 1, n, samples);

        Engine e = Engine.synchronous(g, params);
        Host h = e.hosts().getFirst();
        Tape t = h.tape();
        Var out = model.forward(t, t.constant(x));
        Var loss = t.sumRows(t.square(t.sub(out, t.constant(y.reshape(n, samples, 1)))));
        t.backward(loss);
        double[] ref = out.value().data();

        GcnnPass pass = new GcnnPass(model.gcnnForm(), h.comm(), params);
        int[] ids = new int[samples];
        for (int q = 0; q < samples; q++) ids[q] = q;
        double[] yhat = pass.forward(params, x, ids), target = y.data(), dy = new double[yhat.length];
        double worst = 0;
        for (int q = 0; q < yhat.length; q++) {
            worst = Math.max(worst, Math.abs(yhat[q] - ref[q]));
            dy[q] = 2 * (yhat[q] - target[q]);
        }
        assertThat(worst).isLessThan(1e-12);
        Params grads = params.zerosLike();
        pass.backward(params, dy, grads);
        assertThat(assertGradientsMatch(grads, t)).isGreaterThan(1e-6);
        // reading the store in place (the path of very large stores) gives the same bits
        int[] shuffled = ids.clone();
        for (int q = shuffled.length - 1; q > 0; q--) {
            int r = rng.nextInt(q + 1), tmp = shuffled[q];
            shuffled[q] = shuffled[r];
            shuffled[r] = tmp;
        }
        double[] copied = pass.forward(params, x, shuffled).clone();
        assertThat(new GcnnPass(model.gcnnForm(), h.comm(), params).readInPlace().forward(params, x, shuffled)).containsExactly(copied);
        // a pass gathering through another's sample-major copy (the second half of a mini-batch): the same bits
        assertThat(new GcnnPass(model.gcnnForm(), h.comm(), params).sharingSamplesWith(pass).forward(params, x, shuffled)).containsExactly(copied);
        // forward, squared error and backward in one call: the same bits as the three steps
        double[] targets = new double[n * samples];
        for (int i = 0; i < n; i++)
            for (int b = 0; b < samples; b++) targets[i * samples + b] = target[i * samples + shuffled[b]];
        GcnnPass three = new GcnnPass(model.gcnnForm(), h.comm(), params), one = new GcnnPass(model.gcnnForm(), h.comm(), params);
        double[] y3 = three.forward(params, x, shuffled), dy3 = new double[y3.length];
        double sse3 = 0;
        for (int q = 0; q < y3.length; q++) {
            double d = y3[q] - targets[q];
            sse3 += d * d;
            dy3[q] = 0.7 * d;
        }
        Params g3 = params.zerosLike(), g1 = params.zerosLike();
        three.backward(params, dy3, g3);
        double sse1 = one.squaredErrorStep(params, x, shuffled, targets, 0.7, g1);
        boolean sampleMajor = one.kernels().contains("step: sample-major");
        if (sampleMajor) assertCloseTo(sse1, sse3, g1, g3);   // sums ŷ's features in another order
        else {
            assertThat(sse1).isEqualTo(sse3);
            for (String name : params.names()) assertThat(g1.get(name).data()).as(name).containsExactly(g3.get(name).data());
        }
        boolean fusedOutput = sampleMajor || one.kernels().contains("step: fused-output");
        assertThat(fusedOutput).isEqualTo(!params.isTied() && widths[layers - 1] > 1);
        assertThat(sampleMajor).isEqualTo(fusedOutput && layers == 2 && 4 * widths[1] >= 3 * (widths[1] + VectorMath.LANES - 1) / VectorMath.LANES * VectorMath.LANES);
        // a second call with the other forward entry point reuses the buffers and gives the same bits
        double[] again = pass.forward(params, x).clone();
        assertThat(again).containsExactly(pass.forward(params, x, ids));
    }

    /**
     * The sample-major step of a two-layer per-node model against the tape, for hidden widths of whole
     * four-vector blocks (32, 64), of blocks and single vectors (40), and of single vectors only (8,
     * 16, 24): loss and every gradient, for sample counts that
     * leave every tail of its kernels (fewer than four, fewer than eight, whole blocks), each
     * activation, and a gradient scaled by 1.0001 must fail.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 8, 13, 50, 56})
    void sampleMajorStepEqualsTheTape(int samples) {
        int hidden = switch (samples) { case 1 -> 32; case 3 -> 8; case 5 -> 64; case 8 -> 16; case 13 -> 24; case 50 -> 40; default -> 24; };
        Activation[] all = Activation.values();
        sampleMajorStepAgainstTheTape(100 + samples, hidden, samples, all[samples % all.length], all[(samples + 1) % all.length]);
    }

    /**
     * The same for hidden widths that are not whole vectors (a last, partial vector of features
     * padded with zero weights), drawn at random with the sample counts: seeded, so each run checks
     * the same shapes; widths from one partial vector to two four-vector blocks, three vectors and
     * a partial one, each filling at least three quarters of its lanes (the step's condition).
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void sampleMajorStepOfAnyWidthEqualsTheTape(long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        int lanes = VectorMath.LANES, padded = lanes * (1 + rng.nextInt(9)), samples = 1 + rng.nextInt(seed % 2 == 0 ? 9 : 120);
        int hidden = seed == 11 ? 20 : padded - rng.nextInt(padded / 4 + 1);     // seed 11: the benchmark's 10→20→1
        // every hidden activation; an output ReLU is left out (its few samples may all be cut off: no gradient to compare)
        Activation[] outputs = {Activation.SIGMOID, Activation.TANH, Activation.IDENTITY};
        sampleMajorStepAgainstTheTape(seed * 31, hidden, samples, Activation.values()[(int) (seed % Activation.values().length)],
                outputs[(int) (seed % outputs.length)]);
    }

    private static void sampleMajorStepAgainstTheTape(long seed, int hidden, int samples, Activation act, Activation outAct) {
        UniformRandomProvider rng = Init.rng(seed);
        int n = 8 + rng.nextInt(12);
        Graph g = TestGraphs.connected(n, 0.3, rng);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), new int[] {3 + samples % 8, hidden, 1},
                new Activation[] {act, outAct}, Gcnn.GLOROT);
        Params tied = new Params();
        model.init(tied, rng);
        Params params = tied.perNode(n);
        for (String name : params.names()) {
            double[] d = params.get(name).data();
            for (int k = 0; k < d.length; k++) d[k] += 0.3 * (rng.nextDouble() - 0.5);
        }
        Tensor x = Init.normal(rng, 0, 1, n, samples + 4, model.width(0)), y = Init.normal(rng, 0, 1, n, samples + 4);
        int[] ids = new int[samples];
        for (int q = 0; q < samples; q++) ids[q] = (q * 7 + 3) % (samples + 4);   // a scattered selection
        double[] targets = new double[n * samples];
        Tensor xs = Tensor.zeros(n, samples, model.width(0));
        for (int i = 0; i < n; i++)
            for (int b = 0; b < samples; b++) {
                targets[i * samples + b] = y.data()[i * (samples + 4) + ids[b]];
                System.arraycopy(x.data(), (i * (samples + 4) + ids[b]) * model.width(0), xs.data(), (i * samples + b) * model.width(0), model.width(0));
            }
        Engine e = Engine.synchronous(g, params);
        Host h = e.hosts().getFirst();
        Tape t = h.tape();
        Var out = model.forward(t, t.constant(xs));
        Var loss = t.sumRows(t.square(t.sub(out, t.constant(Tensor.of(targets, n, samples, 1)))));
        t.backward(loss);
        GcnnPass pass = new GcnnPass(model.gcnnForm(), h.comm(), params);
        assertThat(pass.kernels()).as("hidden " + hidden).contains("step: sample-major");
        Params grads = params.zerosLike();
        double sse = pass.squaredErrorStep(params, x, ids, targets, 2.0, grads);
        assertThat(sse).isCloseTo(loss.value().sum(), org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(sse))));
        assertThat(assertGradientsMatch(grads, t)).isGreaterThan(1e-6);
        // the comparison is sharp enough to see a gradient off by one part in 10^4
        String some = params.names().iterator().next();
        double[] a = grads.get(some).data(), b = t.paramGrad(some).data();
        int worst = 0;
        for (int q = 1; q < a.length; q++) if (Math.abs(b[q]) > Math.abs(b[worst])) worst = q;
        assertThat(Math.abs(a[worst] * 1.0001 - b[worst])).isGreaterThan(1e-10 * (1 + Math.abs(b[worst])));
        // a second step on other samples reuses the buffers: same numbers as a fresh pass
        Params again = params.zerosLike(), fresh = params.zerosLike();
        int[] other = ids.clone();   // reversed
        for (int q = 0; q < other.length / 2; q++) {
            int tmp = other[q];
            other[q] = other[other.length - 1 - q];
            other[other.length - 1 - q] = tmp;
        }
        assertThat(pass.squaredErrorStep(params, x, other, targets, 2.0, again))
                .isEqualTo(new GcnnPass(model.gcnnForm(), h.comm(), params).squaredErrorStep(params, x, other, targets, 2.0, fresh));
        for (String name : params.names()) assertThat(again.get(name).data()).as(name).containsExactly(fresh.get(name).data());
    }

    /**
     * Shapes the kernels were not tuned for, each against the tape: odd widths, width 1, three
     * layers, widths that are not a multiple of the vector lanes (so the masked one-vector weight
     * gradient blocks run), tied and per-node weights, sample counts under and over a vector. The
     * loss and every gradient of one squared-error step (and the plain forward) must match.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "10;24;1, false, 50", "10;24;1, true, 13", "7;13;5;1, false, 37", "7;13;5;1, true, 8", "16;64;64;1, false, 9",
            "16;64;64;1, true, 21", "1;1, false, 5", "1;1;1, true, 3", "3;9;1, false, 70", "10;10;1, false, 100", "5;40;3;1, false, 17",
            "4;33;1, false, 11", "2;8;17;1, true, 30", "6;12;1, false, 1"})
    void unusualShapesEqualTheTape(String shape, boolean tied, int samples) {
        int[] widths = java.util.Arrays.stream(shape.split(";")).mapToInt(Integer::parseInt).toArray();
        UniformRandomProvider rng = Init.rng(widths.length * 1000L + widths[1] * 7L + samples);
        int n = 9 + rng.nextInt(10), layers = widths.length - 1;
        Graph g = TestGraphs.connected(n, 0.3, rng);
        Activation[] acts = new Activation[layers];
        for (int l = 0; l < layers; l++) acts[l] = Activation.values()[(samples + l) % Activation.values().length];
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), widths, acts, Gcnn.GLOROT);
        Params one = new Params();
        model.init(one, rng);
        Params params = tied ? one : one.perNode(n);
        if (!tied)
            for (String name : params.names()) {
                double[] d = params.get(name).data();
                for (int k = 0; k < d.length; k++) d[k] += 0.3 * (rng.nextDouble() - 0.5);
            }
        Tensor x = Init.normal(rng, 0, 1, n, samples, widths[0]);
        double[] targets = Init.normal(rng, 0, 1, n, samples).data();
        Host h = Engine.synchronous(g, params).hosts().getFirst();
        Tape t = h.tape();
        Var out = model.forward(t, t.constant(x));
        Var loss = t.sumRows(t.square(t.sub(out, t.constant(Tensor.of(targets, n, samples, 1)))));
        t.backward(loss);
        int[] ids = new int[samples];
        for (int q = 0; q < samples; q++) ids[q] = q;
        GcnnPass pass = new GcnnPass(model.gcnnForm(), h.comm(), params);
        double[] y = pass.forward(params, x, ids), ref = out.value().data();
        for (int q = 0; q < y.length; q++) assertThat(y[q]).isCloseTo(ref[q], org.assertj.core.data.Offset.offset(1e-12 * (1 + Math.abs(ref[q]))));
        Params grads = params.zerosLike();
        double sse = new GcnnPass(model.gcnnForm(), h.comm(), params).squaredErrorStep(params, x, ids, targets, 2.0, grads);
        assertThat(sse).isCloseTo(loss.value().sum(), org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(sse))));
        assertThat(assertGradientsMatch(grads, t)).as(pass.kernels()).isGreaterThan(1e-6);
    }

    /** Every gradient within 1e-10 (relative to 1 + |reference|) of the tape's; returns the largest |reference|. */
    private static double assertGradientsMatch(Params grads, Tape t) {
        double scale = 0;
        for (String name : grads.names()) {
            double[] a = grads.get(name).data(), b = t.paramGrad(name).data();
            for (int q = 0; q < a.length; q++) {
                scale = Math.max(scale, Math.abs(b[q]));
                assertThat(a[q]).as(name + "[" + q + "]").isCloseTo(b[q], org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(b[q]))));
            }
        }
        return scale;
    }

    private static void assertCloseTo(double sse1, double sse3, Params g1, Params g3) {
        assertThat(sse1).isCloseTo(sse3, org.assertj.core.data.Offset.offset(1e-12 * (1 + Math.abs(sse3))));
        for (String name : g1.names()) {
            double[] a = g1.get(name).data(), b = g3.get(name).data();
            for (int q = 0; q < a.length; q++)
                assertThat(a[q]).as(name + "[" + q + "]").isCloseTo(b[q], org.assertj.core.data.Offset.offset(1e-10 * (1 + Math.abs(b[q]))));
        }
    }

    @org.junit.jupiter.api.Test
    void fastSigmoidIsWithinTwoHundredthsOfAPicoOfTheExactOne() {
        UniformRandomProvider rng = Init.rng(8);
        double[] h = new double[200_000];
        for (int q = 0; q < h.length; q++) h[q] = q < 100 ? (q - 50) * 0.8 : (rng.nextDouble() - 0.5) * (q % 7 == 0 ? 200 : 20);
        double[] v = h.clone();
        VectorMath.sigmoid(v, v.length);
        double worstRel = 0, worstAbs = 0;
        for (int q = 0; q < h.length; q++) {
            double exact = 1 / (1 + Math.exp(-h[q]));
            worstAbs = Math.max(worstAbs, Math.abs(v[q] - exact));
            if (Math.abs(h[q]) < 36) worstRel = Math.max(worstRel, Math.abs(v[q] - exact) / exact);
        }
        assertThat(worstRel).isLessThan(2e-14);
        assertThat(worstAbs).isLessThan(1e-14);
    }
}
