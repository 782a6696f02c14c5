package io.mycelium.train;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Host;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.fused.GcnnPass;

import java.util.List;

/**
 * The batched schedule's mini-batch on one host: all B samples as one program (the same update as
 * the per-sample schedule: gradients are summed over samples and consensus is linear). A model with
 * a fused pass ({@link io.mycelium.model.FusedGcnnTraining}) runs it, as two halves side by side
 * when the batch is large enough; any other model records the batch on a tape.
 */
final class BatchedStep {
    private final Trainer t;

    BatchedStep(Trainer t) { this.t = t; }

    Trainer.Step run(Host h, Dataset data, int[] batch) {
        HostTraining state = HostTraining.of(h);
        LocalData local = state.train(h, data);
        Scheme scheme = t.scheme();
        Params acc;
        double sse;
        GcnnPass fused = state.pass(h, t.model(), HostTraining.TRAIN);
        List<Tensor> shared = t.optimizer().shared(h.params(), h.state());
        boolean gradConsensus = scheme.gradConsensus() != Scheme.GradConsensus.NONE;
        @SuppressWarnings("unchecked")
        List<Tensor>[] early = new List[] {List.of()};   // the θ consensus, when it already ran beside the passes
        if (fused != null) {
            double scale = scheme.centralized() ? 2.0 / t.engine().graph().n() : 2.0;
            int half = GcnnPass.half(batch.length);
            acc = state.zeroedGradients(h, 0);
            if (half > 0 && h.partition().haloSize() == 0 && (long) h.params().count() * h.params().copies() <= SPLIT_PARAMS) {
                // the samples of a mini-batch are independent until their gradients are summed: two
                // halves run side by side without a barrier per layer, and always as two halves, so
                // the sum's order (and every bit of it) is the same on one core or many
                GcnnPass second = state.pass(h, t.model(), HostTraining.TRAIN_SECOND);
                // per-node kernels add each gradient entry once per pass, so when the halves run one
                // after the other the second may add into the first's sums: first + second, the same
                // bits as two buffers and their sum, without zeroing, reading and adding a second
                // buffer (tied kernels add per-chunk partial sums one by one: they keep two buffers)
                Params other = Parallel.sequential() && !h.params().isTied() ? acc : state.zeroedGradients(h, 1);
                int[] a = java.util.Arrays.copyOfRange(batch, 0, half), b = java.util.Arrays.copyOfRange(batch, half, batch.length);
                double[] parts = new double[2];
                Params first = acc;
                // θ consensus reads θ only, which the passes do not change: it runs after the smaller
                // second half (b has at most as many samples as a), on that thread, instead of
                // waking the pool for a region of its own afterwards; same values, same bits
                Parallel.both(() -> parts[0] = fusedPass(fused, h, local, a, scale, first, 0),
                        () -> {
                            parts[1] = fusedPass(second, h, local, b, scale, other, 1);
                            if (!gradConsensus && !shared.isEmpty()) early[0] = t.mix(h, h.comm(), shared);
                        });
                if (other != first) {
                    List<String> names = List.copyOf(acc.names());
                    int[] lengths = names.stream().mapToInt(n -> acc.get(n).data().length).toArray();
                    Parallel.SegmentBody add = (s, lo, hi) -> {
                        double[] into = first.get(names.get(s)).data(), from = other.get(names.get(s)).data();
                        for (int q = lo; q < hi; q++) into[q] += from[q];
                    };
                    // one add per element: below 2^20 of them a wake-up of the pool costs more than it saves
                    if (java.util.Arrays.stream(lengths).sum() < SERIAL_SUM) for (int q = 0; q < lengths.length; q++) add.run(q, 0, lengths[q]);
                    else Parallel.forSegments(lengths, 2, add);
                }
                sse = parts[0] + parts[1];
            } else {
                sse = fusedPass(fused, h, local, batch, scale, acc, 0);
            }
        } else {
            Tape tape = state.tapes(h)[0];
            tape.reset();
            Var y = t.model().forward(tape, tape.constant(Dataset.gatherX(local.x(), batch)));
            Var loss = Trainer.squaredError(tape, y, Dataset.gatherY(local.y(), batch));
            tape.backwardPass(loss, t.seed(loss, t.engine().graph().n())).run();
            acc = tape.paramGrads();
            sse = loss.value().sum();
        }
        // consensus is linear: K rounds on the summed gradients equal the sum of K rounds on each sample's
        t.finish(h, acc, shared, early[0], h.comm(), gradConsensus);
        return new Trainer.Step(sse, Traffic.NONE);
    }

    /**
     * Parameter copies up to which a mini-batch is split into halves (the second half needs its own
     * gradient buffer; past 2^24 doubles, 128 MiB, the graph is large enough for the kernels to
     * split by nodes instead).
     */
    static final long SPLIT_PARAMS = 1L << 24;

    /** Gradient elements up to which the halves' sum stays on the calling thread. */
    private static final int SERIAL_SUM = 1 << 20;

    /**
     * The fused pass over samples {@code ids}: adds their gradients into {@code grads}, returns their
     * squared error. {@code slot}: which of the two passes that may run at once this is (each has its
     * own targets buffer).
     */
    private static double fusedPass(GcnnPass pass, Host h, LocalData local, int[] ids, double scale, Params grads, int slot) {
        return pass.squaredErrorStep(h.params(), local.x(), ids, local.targets(ids, slot), scale, grads);
    }
}
