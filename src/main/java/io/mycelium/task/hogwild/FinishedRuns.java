package io.mycelium.task.hogwild;

/**
 * The runs of a table that are already done and the runs as they finish: what checkpoints of a
 * table are made of. Every run of a table is seeded by itself, so a run taken from an earlier,
 * interrupted invocation is the run this one would train.
 *
 * @param <R> a run's result ({@link Table1.Run}, {@link Table2.Row})
 */
public interface FinishedRuns<R> {
    /** The result of run {@code id} from an earlier invocation, or null: train it. */
    R earlier(String id);

    /** Run {@code id} has finished (called on the thread that trained it). */
    void finished(String id, R result);

    /** Nothing done before, nothing kept. */
    static <R> FinishedRuns<R> none() {
        return new FinishedRuns<>() {
            @Override
            public R earlier(String id) { return null; }

            @Override
            public void finished(String id, R result) {}
        };
    }
}
