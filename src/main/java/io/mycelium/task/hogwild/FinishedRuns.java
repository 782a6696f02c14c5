package io.mycelium.task.hogwild;

import io.mycelium.train.GraphTrainer;

/**
 * Checkpoints of a table's runs: the runs already done, the training state of runs under way, and
 * the runs as they go. Every run of a table is seeded by itself, so a run taken from an earlier,
 * interrupted invocation is the run this one would train, and a run continued from its state ends
 * with the bits of an uninterrupted one ({@link GraphTrainer#restore}).
 *
 * @param <R> a run's result ({@link Table1.Run}, {@link Table2.Row})
 */
public interface FinishedRuns<R> {
    /**
     * A run's training state after some epochs: the trainer's snapshot, whether every solve so far
     * met its tolerance, and the mean loss of the last epoch done.
     */
    record Progress(GraphTrainer.Snapshot trainer, boolean converged, double lastLoss) {}

    /** The result of run {@code id} trained for {@code epochs} epochs by an earlier invocation, or null: train it. */
    R earlier(String id, int epochs);

    /** The training state of run {@code id} saved by an earlier invocation, or null: start at epoch 0. */
    default Progress progress(String id) { return null; }

    /** Whether to save a run's state after epoch {@code epoch} (counted from 1) of {@code epochs}. */
    default boolean due(int epoch, int epochs) { return false; }

    /** Saves run {@code id}'s state (called on the thread that trains it). */
    default void save(String id, Progress p) {}

    /** Run {@code id} has finished (called on the thread that trained it). */
    void finished(String id, R result);

    /** Nothing done before, nothing kept. */
    static <R> FinishedRuns<R> none() {
        return new FinishedRuns<>() {
            @Override
            public R earlier(String id, int epochs) { return null; }

            @Override
            public void finished(String id, R result) {}
        };
    }

    /**
     * Trains {@code tr} for its epochs, continuing from run {@code id}'s saved state when there is
     * one and saving the state when due; {@code perEpoch} ticks once per epoch trained here.
     * Returns the last epoch's state (whether every solve converged, the last loss).
     */
    default Progress train(String id, GraphTrainer tr, int epochs, Runnable perEpoch) {
        Progress saved = progress(id);
        if (saved != null) {
            if (saved.trainer().epoch() > epochs)
                throw new IllegalArgumentException("the saved state of run " + id + " is at epoch " + saved.trainer().epoch() + ", beyond its " + epochs + " epochs");
            tr.restore(saved.trainer(), java.util.List.of());
            if (perEpoch != null) for (int e = 0; e < saved.trainer().epoch(); e++) perEpoch.run();
        }
        boolean[] conv = {saved == null || saved.converged()};
        double[] loss = {saved == null ? Double.NaN : saved.lastLoss()};
        tr.train(s -> {
            conv[0] &= s.converged();
            loss[0] = s.loss();
            if (due(s.epoch() + 1, epochs)) save(id, new Progress(tr.snapshot(java.util.List.of()), conv[0], loss[0]));
            if (perEpoch != null) perEpoch.run();
        });
        return new Progress(null, conv[0], loss[0]);
    }
}
