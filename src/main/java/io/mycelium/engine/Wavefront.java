package io.mycelium.engine;

import io.mycelium.engine.ViewStreams.Stream;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The lossless runs of the {@link LinearFixedPointKernel}: blocks of consecutive node ids and
 * windows of several ticks (time skewing), swept as a wavefront by one or more threads.
 */
final class Wavefront {
    private final Timeline tl;
    private final ViewStreams views;
    private final AsyncOptions options;
    /** Threads this run may add to its caller's (shared by the engines of one {@link AsyncOptions}). */
    private final Semaphore helpers;

    Wavefront(Timeline tl, ViewStreams views, AsyncOptions options) {
        this.tl = tl;
        this.views = views;
        this.options = options;
        this.helpers = options.helperThreads();
    }

    /** Time spent by a run's parts, when {@link AsyncOptions#diagnostics} asks for it. */
    private static final class Diagnostics {
        final PrintStream out;
        final AtomicLong waited = new AtomicLong(), busy = new AtomicLong(), phase1 = new AtomicLong();

        Diagnostics(PrintStream out) { this.out = out; }
    }

    /**
     * The fused linear fixed-point run without loss or delay, in blocks of consecutive node ids and windows
     * of several ticks (time skewing), so that a block's rows are reused from cache over the window's
     * ticks instead of streaming every node's history from memory every tick.
     *
     * <p><b>Why it is the same computation.</b> A node updating at tick t reads its neighbours' states
     * as of ticks t−D..t, i.e. values made by updates at ticks ≤ t−1, and writes its new state into
     * its ring slot holding the oldest value, which no view at a tick ≥ t picks. So block b may run
     * tick t once every block with an edge into b (within δ blocks) has run tick t−1, and before any of
     * them runs tick t+1. The wavefront runs block b's tick t0+q at step b + δq, q ascending within a
     * step: its neighbours' tick t0+q−1 came before, their tick t0+q+1 comes later. Within a tick updates are independent
     * (every read is of a value as of ≤ t), so the order of nodes and blocks changes nothing; the
     * per-tick largest change and the statistics are maxima and sums, combined after each window.
     *
     * <p><b>Views.</b> {@code view[j][τ mod M]} (M ≥ D + 2, a power of two) holds the ring slot and
     * tick of j's state as of τ; a block writes its nodes' entries for t+1 at the end of its tick t.
     * A reader at tick t needs τ in t−D..t, and no block is ahead of a neighbour by more than one
     * tick, so the entry for t+1 only replaces the one for t+1−M, which no reader needs any more.
     *
     * <p><b>Convergence.</b> The run stops at the first tick t with t − lastBig ≥ 2(S + D); a window
     * never reaches past lastBig + 2(S + D) − 1 (it shrinks to one tick near the end), so no tick is
     * computed beyond the one the tick-by-tick loop would stop at.
     */
    AsyncRun run(LinearFixedPointKernel kernel, Tensor h, double tol, int maxTicks) {
        final Diagnostics diag = options.diagnostics() == null ? null : new Diagnostics(options.diagnostics());
        tl.reset();
        views.reset();
        final int n = tl.n, k = kernel.width();
        final int[] off = tl.off, nb = tl.nb;
        final Stream st = views.stream(0, k, true);
        final double[] hs = h.data(), vals = st.vals;
        final int R = tl.ringCap;
        final int[] head = st.head;
        int band = 0; // largest id distance along an edge
        for (int i = 0; i < n; i++) for (int e = off[i]; e < off[i + 1]; e++) band = Math.max(band, Math.abs(nb[e] - i));
        int skew = options.skewTicks(), bs;
        if (options.blockSize() > 0) bs = options.blockSize();
        else {
            bs = Math.max(256, band);
            // a wavefront spans about 2·skew blocks: with a wide band (e.g. ids in random order) it covers
            // the graph and buys nothing; then plain ticks over blocks of a fixed size
            if (2L * (skew + 1) * bs > n / 2) {
                skew = 1;
                bs = 1024;
            }
        }
        final int B = bs, nbk = (n + B - 1) / B;
        int dl = 0; // δ: largest block distance along an edge
        for (int i = 0; i < n; i++) for (int e = off[i]; e < off[i + 1]; e++) dl = Math.max(dl, Math.abs(nb[e] / B - i / B));
        final int delta = Math.max(1, dl), T = skew;
        final int vshift = kernel.viewShift, vmask = (1 << vshift) - 1;
        final long[] view = new long[n << vshift];
        final int[] blockCount = new int[nbk];
        final int[] itemCount = new int[T * nbk];
        final double[] itemMax = new double[T * nbk];
        // tick 1: every node's initial state enters its ring (slot 0), current from tick 1 at every lag
        for (int j = 0; j < n; j++) {
            head[j] = 0;
            System.arraycopy(hs, j * k, vals, st.at(j * R), k);
            long v = (1L << 32) | (long) (j * R);
            for (int m = 0; m <= vmask; m++) view[(j << vshift) + m] = v;
        }
        final int[] lastUp = tl.lastUpdate, nxt = tl.next, list = tl.updList;
        for (int b = 0; b < nbk; b++) {
            int from = b * B, to = Math.min(n, from + B), c = from;
            for (int j = from; j < to; j++) {
                list[c] = j;
                c += nxt[j] == 1 ? 1 : 0;
            }
            blockCount[b] = c - from;
        }
        // block b's tick t (item q of the window): its updates, then its nodes' views for t+1 and the list of t+1's updaters
        final class Item {
            void run(int b, int t, int q, int c) {
                int from = b * B, to = Math.min(n, from + B), cnt = blockCount[b];
                itemMax[q * nbk + b] = cnt == 0 ? 0 : kernel.update(st, view, true, from, from + cnt, t, hs, tl.chunkStats[c]);
                itemCount[q * nbk + b] = cnt;
                long p0 = diag != null ? System.nanoTime() : 0;
                int now = t & vmask, nx = (t + 1) & vmask, m = from;
                for (int j = from; j < to; j++) {
                    int jb = j << vshift;
                    long v;
                    if (lastUp[j] == t) { // the step wrote into the slot after the head: it is current from t+1
                        int hd = head[j] + 1;
                        if (hd == R) hd = 0;
                        head[j] = hd;
                        v = ((long) (t + 1) << 32) | (long) (j * R + hd);
                    } else v = view[jb + now];
                    view[jb + nx] = v;
                    list[m] = j;
                    m += nxt[j] == t + 1 ? 1 : 0;
                }
                blockCount[b] = m - from;
                if (diag != null) diag.phase1.addAndGet(System.nanoTime() - p0);
            }
        }
        final Item item = new Item();
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int window = 2 * tl.sched.stalenessBound(), lastBig = 0, t = 1;
        boolean converged = false;
        // Several threads: the blocks split into contiguous parts, one thread each, even parts sweeping
        // up and odd parts down, so two neighbouring parts meet at their common border at the same
        // point of their sweeps (both early or both late); a block's tick waits until the blocks
        // within δ of it have run the tick before (only blocks of a neighbouring part can be behind).
        // Each thread follows a valid order and some ordering of all items is consistent with every
        // part's order and every dependency, so the waits end; results never depend on the split.
        final AtomicIntegerArray done = new AtomicIntegerArray(nbk); // last tick each block ran
        // parts of at least 2δ blocks, so that only neighbouring parts share edges
        final int maxParts = Math.max(1, Math.min(nbk / (2 * delta), options.threads() > 0 ? options.threads()
                : Parallel.isEnabled() && !Thread.currentThread().isVirtual()
                ? Math.min(Parallel.MAX_CHUNKS, ForkJoinPool.getCommonPoolParallelism() + 1) : 1));
        if (diag != null)
            diag.out.printf("async blocked: band %d, block %d, blocks %d, delta %d, skew %d, threads up to %d%n", band, B, nbk, delta, T, maxParts);
        // Part p holds blocks cut[p]..cut[p+1]-1. The split only schedules (any split gives the same
        // bits), so after each window it moves toward equal busy times: on a shared machine one of
        // our threads may get much less of a core than the other, and the faster one then waits.
        int[] cut = {0, nbk};
        long[] busy = new long[1];
        outer:
        while (t <= maxTicks) {
            final int t0 = t;
            int te = Math.min(Math.min(t0 + T - 1, maxTicks), lastBig + window - 1);
            if (te < t0) te = t0;
            final int w = te - t0 + 1;
            if (w == 1) { // one tick: all blocks are independent
                int chunks = Parallel.chunks(nbk, (long) B * k * k * 4);
                Parallel.forRange(nbk, chunks, (c, bf, bt) -> {
                    for (int b = bf; b < bt; b++) item.run(b, t0, 0, c);
                });
                for (int b = 0; b < nbk; b++) done.set(b, t0);
            } else {
                final AtomicReference<Throwable> failed = new AtomicReference<>();
                // extra threads only while the machine-wide allowance (cores − 1) lasts, so that engines
                // running side by side (e.g. one per table row) do not pile up threads; tests force them
                int got = 0;
                if (options.threads() > 0) got = maxParts - 1;
                else while (got < maxParts - 1 && helpers.tryAcquire()) got++;
                final int parts = 1 + got, acquired = options.threads() > 0 ? 0 : got;
                if (cut.length != parts + 1) {
                    cut = new int[parts + 1];
                    for (int p = 0; p <= parts; p++) cut[p] = (int) ((long) nbk * p / parts);
                    busy = new long[parts];
                }
                final int[] cutW = cut;
                final long[] busyW = busy;
                final class Sweep implements Runnable {
                    final int p;

                    Sweep(int p) { this.p = p; }

                    @Override
                    public void run() {
                        try {
                            int lo = cutW[p], hi = cutW[p + 1], m = hi - lo;
                            long work = 0;
                            boolean up = p % 2 == 0;
                            // block lo+i (up) or hi-1-i (down) at tick t0+q at step i + δq, q ascending within a step
                            for (int st = 0, steps = m + delta * (w - 1); st < steps; st++)
                                for (int q = 0; q < w; q++) {
                                    int i = st - delta * q;
                                    if (i < 0) break;
                                    if (i >= m) continue;
                                    int b = up ? lo + i : hi - 1 - i, tq = t0 + q;
                                    if (parts > 1) await(b, tq - 1);
                                    long c0 = System.nanoTime();
                                    item.run(b, tq, q, p);
                                    work += System.nanoTime() - c0;
                                    done.set(b, tq);
                                }
                            busyW[p] = work;
                            if (diag != null) diag.busy.addAndGet(work);
                        } catch (Throwable e) { // the others must stop waiting for this part
                            failed.compareAndSet(null, e);
                        }
                    }

                    private void await(int b, int tick) {
                        long w0 = diag != null ? System.nanoTime() : 0;
                        awaitSpin(b, tick);
                        if (diag != null) diag.waited.addAndGet(System.nanoTime() - w0);
                    }

                    private void awaitSpin(int b, int tick) {
                        for (int o = Math.max(0, b - delta), oe = Math.min(nbk - 1, b + delta); o <= oe; o++)
                            for (int spins = 0; done.get(o) < tick; spins++) {
                                if (failed.get() != null) throw new IllegalStateException("another part failed");
                                // on a busy machine the thread we wait for may be descheduled: after a short
                                // spin, sleep so that this core can run it (or whatever is keeping it off)
                                if (spins < 2000) Thread.onSpinWait();
                                else LockSupport.parkNanos(20_000);
                            }
                    }
                }
                try {
                    Thread[] others = new Thread[parts - 1];
                    for (int p = 1; p < parts; p++) others[p - 1] = Thread.ofPlatform().daemon().start(new Sweep(p));
                    new Sweep(0).run();
                    for (Thread th : others) {
                        try {
                            th.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted", e);
                        }
                    }
                } finally {
                    helpers.release(acquired);
                }
                if (failed.get() != null) throw new IllegalStateException("a wavefront part failed", failed.get());
                if (parts > 1) rebalance(cut, busy, 2 * delta);
            }
            for (int q = 0; q < w; q++, t++) {
                tl.tick = t;
                int count = 0;
                double change = 0;
                for (int b = 0; b < nbk; b++) {
                    count += itemCount[q * nbk + b];
                    double cm = itemMax[q * nbk + b];
                    if (!(cm <= change) && change == change) change = cm;
                }
                if (count > 0) {
                    tl.rounds++;
                    trace = Timeline.record(trace, t, change);
                    if (!(change < tol)) lastBig = t;
                }
                if (t - lastBig >= window) {
                    if (t != te) throw new IllegalStateException("window ran past convergence at tick " + t);
                    converged = true;
                    break outer;
                }
            }
        }
        for (int j = 0; j < n; j++) System.arraycopy(vals, st.at(j * R + head[j]), hs, j * k, k);
        if (diag != null) diag.out.printf("parts %d: busy %.3f s, waited %.3f s, views and lists %.3f s, split %s%n", cut.length - 1, diag.busy.get() / 1e9,
                diag.waited.get() / 1e9, diag.phase1.get() / 1e9, Arrays.toString(cut));
        return tl.finish(h, Math.min(t, maxTicks), converged, trace, start);
    }


    /**
     * Moves the parts' borders halfway toward sizes proportional to each part's speed in the last
     * window (blocks per busy nanosecond), every part keeping at least {@code min} blocks.
     */
    static void rebalance(int[] cut, long[] busy, int min) {
        int parts = busy.length, nbk = cut[parts];
        double[] speed = new double[parts];
        double total = 0;
        for (int p = 0; p < parts; p++) {
            speed[p] = (cut[p + 1] - cut[p]) / (double) Math.max(1, busy[p]);
            total += speed[p];
        }
        if (!(total > 0)) return;
        int[] size = new int[parts];
        int sum = 0;
        for (int p = 0; p < parts; p++) {
            double target = nbk * speed[p] / total;
            size[p] = Math.max(min, (int) Math.round(0.5 * (cut[p + 1] - cut[p]) + 0.5 * target));
            sum += size[p];
        }
        // give or take the rounding difference from the largest part, still keeping the minimum
        while (sum != nbk) {
            int big = 0;
            for (int p = 1; p < parts; p++) if (size[p] > size[big]) big = p;
            int d = sum > nbk ? -Math.min(sum - nbk, size[big] - min) : nbk - sum;
            if (d == 0) return; // cannot shrink any further: keep the old split
            size[big] += d;
            sum += d;
        }
        for (int p = 0; p < parts; p++) cut[p + 1] = cut[p] + size[p];
    }
}
