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

    /**
     * Whether this JVM was started with common-pool parallelism 0 (as the networked engine's launcher
     * starts a host that has one core): the caller is meant to be the only thread, but the pool would
     * still start a worker for the chunks it is handed, and on one core the two threads only switch
     * back and forth. Such a JVM runs every kernel on the calling thread; the same bits either way.
     */
    private static final boolean CALLER_ONLY = "0".equals(System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism"));

    private Parallel() {}

    /** Turns parallel kernels off (for reference timings) or on. Results are identical either way. */
    public static void setEnabled(boolean on) { enabled = on; }

    /** Whether kernels may use the pool: not turned off, and the JVM was not started with common-pool parallelism 0. */
    public static boolean isEnabled() { return enabled && !CALLER_ONLY; }

    public interface Body {
        void run(int chunk, int from, int to);
    }

    /** Number of chunks {@link #forRange} uses for {@code n} rows of {@code workPerRow} each. */
    public static int chunks(int n, long workPerRow) {
        long work = n * Math.max(1, workPerRow);
        if (n <= 1 || work < SERIAL_WORK) return 1;
        return (int) Math.min(Math.min(MAX_CHUNKS, n), Math.max(2, work / SERIAL_WORK));
    }

    /** Set while a thread runs one of {@link #both}'s halves: kernels inside it stay on that thread. */
    private static final ThreadLocal<Boolean> INSIDE_HALF = ThreadLocal.withInitial(() -> false);

    /**
     * Runs {@code a} and {@code b} at the same time (one on the calling thread, one on the pool);
     * {@link #forRange} calls inside either run their chunks in order on that thread, which gives
     * the same bits as chunks spread over threads. Two independent halves of a job need no barrier
     * between their steps, which many short parallel loops, one per step, each do.
     */
    public static void both(Runnable a, Runnable b) {
        if (sequential()) {
            a.run();
            b.run();
            return;
        }
        Runnable ha = half(a), hb = half(b);
        ForkJoinPool.commonPool().invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(new RecursiveAction() {
                    @Override
                    protected void compute() { ha.run(); }
                }, new RecursiveAction() {
                    @Override
                    protected void compute() { hb.run(); }
                });
            }
        });
    }

    /** Whether {@link #both} called from this thread would run its two halves one after the other on it. */
    public static boolean sequential() { return !isEnabled() || INSIDE_HALF.get() || Thread.currentThread().isVirtual(); }

    private static Runnable half(Runnable r) {
        return () -> {
            INSIDE_HALF.set(true);
            try {
                r.run();
            } finally {
                INSIDE_HALF.set(false);
            }
        };
    }

    public interface SegmentBody {
        void run(int segment, int from, int to);
    }

    /**
     * Runs {@code body} over several arrays' elements as one range (segment s has {@code lengths[s]}
     * elements): one parallel region for an element-wise update of many tensors, where one per
     * tensor costs a wake-up of the pool each. {@code body} sees each chunk's piece of each segment.
     */
    public static void forSegments(int[] lengths, long workPerElement, SegmentBody body) {
        long total = 0;
        for (int len : lengths) total += len;
        int n = (int) total;
        forRange(n, chunks(n, workPerElement), (c, from, to) -> {
            int start = 0;
            for (int s = 0; s < lengths.length && start < to; s++) {
                int end = start + lengths[s], lo = Math.max(from, start), hi = Math.min(to, end);
                if (lo < hi) body.run(s, lo - start, hi - start);
                start = end;
            }
        });
    }

    /** Runs {@code body} over {@code [0, n)} split into {@code chunks} contiguous pieces. */
    public static void forRange(int n, int chunks, Body body) {
        if (chunks <= 1 || sequential()) {
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
