package io.mycelium.train;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Host;
import io.mycelium.tensor.Parallel;
import io.mycelium.train.fused.GcnnPass;

/** The squared error of a trainer's current parameters (per-node copies as deployed) on a dataset. */
final class Evaluator {
    private final Trainer t;

    Evaluator(Trainer t) { this.t = t; }

    /**
     * The squared error over this engine's hosts' nodes and every sample of {@code data}, summed
     * over hosts in order: a networked engine hosting some partitions returns its share, and the
     * shares added in partition order are the in-process partitioned engine's sum, bit for bit.
     */
    double sumSquaredError(Dataset data) {
        int[] all = new int[data.samples()];
        for (int q = 0; q < all.length; q++) all[q] = q;
        double sse = 0;
        for (double v : t.engine().run(h -> {
            HostTraining state = HostTraining.of(h);
            LocalData local = state.eval(h, data);
            GcnnPass fused = state.pass(h, t.model(), HostTraining.EVAL);
            if (fused != null) {
                int half = GcnnPass.half(all.length);
                if (half == 0 || h.partition().haloSize() > 0 || (long) h.params().count() * h.params().copies() > BatchedStep.SPLIT_PARAMS) return squaredError(fused, h, local, all, 0);
                GcnnPass second = state.pass(h, t.model(), HostTraining.EVAL_SECOND);
                int[] a = java.util.Arrays.copyOfRange(all, 0, half), b = java.util.Arrays.copyOfRange(all, half, all.length);
                double[] parts = new double[2];
                Parallel.both(() -> parts[0] = squaredError(fused, h, local, a, 0), () -> parts[1] = squaredError(second, h, local, b, 1));
                return parts[0] + parts[1];
            }
            Tape tape = state.tapes(h)[1];
            tape.reset();
            Var y = t.model().forward(tape, tape.constant(Dataset.gatherX(local.x(), all)));
            return Trainer.squaredError(tape, y, Dataset.gatherY(local.y(), all)).value().sum();
        })) sse += v;
        return sse;
    }

    /** The squared error of the fused forward pass over samples {@code ids}. */
    private static double squaredError(GcnnPass pass, Host h, LocalData local, int[] ids, int slot) {
        double[] y = pass.forward(h.params(), local.x(), ids), t = local.targets(ids, slot);
        double s = 0;
        for (int q = 0; q < y.length; q++) s += (y[q] - t[q]) * (y[q] - t[q]);
        return s;
    }
}
