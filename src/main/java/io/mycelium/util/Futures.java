package io.mycelium.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Waiting for a pool's tasks, in the order they were submitted. */
public final class Futures {
    private Futures() {}

    /**
     * The results of {@code fs} in order. When a task fails, {@code pool} is shut down at once (tasks still queued
     * never start, running ones are interrupted) and the task's own exception is thrown, not its wrapper.
     */
    public static <T> List<T> all(List<? extends Future<T>> fs, ExecutorService pool) throws Exception {
        List<T> out = new ArrayList<>(fs.size());
        for (Future<T> f : fs) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                pool.shutdownNow();
                throw e.getCause() instanceof Exception c ? c : e;
            }
        }
        return out;
    }
}
