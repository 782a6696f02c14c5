package io.mycelium.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a range of rows into chunks run on the common fork-join pool. The chunking depends only on
 * the range and the grain, never on the number of cores or on timing, so reductions that keep one
 * partial result per chunk and add them in chunk order give the same bits on every run.
 */
public final class Parallel {
    /** Below this much work (multiply-adds) a kernel stays on the calling thread. */
    public static final long SERIAL_WORK = 1L << 15;
    /** Upper bound on chunks per call. */
    public static final int MAX_CHUNKS = 16;

    private static volatile boolean enabled = true;

    private Parallel() {}

    /** Turns parallel kernels off (for reference timings) or on. Results are identical either way. */
    public static void setEnabled(boolean on) { enabled = on; }

    public interface Body {
        void run(int chunk, int from, int to);
    }

    /** Number of chunks {@link #forRange} uses for {@code n} rows of {@code workPerRow} each. */
    public static int chunks(int n, long workPerRow) {
        long work = n * Math.max(1, workPerRow);
        if (n <= 1 || work < SERIAL_WORK) return 1;
        return (int) Math.min(Math.min(MAX_CHUNKS, n), Math.max(2, work / SERIAL_WORK));
    }

    /** Runs {@code body} over {@code [0, n)} split into {@code chunks} contiguous pieces. */
    public static void forRange(int n, int chunks, Body body) {
        if (chunks <= 1 || !enabled || Thread.currentThread().isVirtual()) {
            for (int c = 0; c < chunks; c++) body.run(c, start(n, chunks, c), start(n, chunks, c + 1));
            return;
        }
        ForkJoinPool.commonPool().invoke(new Task(body, n, chunks, 0, chunks));
    }

    public static int start(int n, int chunks, int c) { return (int) ((long) n * c / chunks); }

    private static final class Task extends RecursiveAction {
        final Body body;
        final int n, chunks, lo, hi;

        Task(Body body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run(lo, start(n, chunks, lo), start(n, chunks, lo + 1));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Task(body, n, chunks, lo, mid), new Task(body, n, chunks, mid, hi));
        }
    }
}
