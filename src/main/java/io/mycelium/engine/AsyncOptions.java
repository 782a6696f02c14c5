package io.mycelium.engine;

import io.mycelium.tensor.Parallel;

import java.io.PrintStream;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.function.ObjIntConsumer;

/**
 * How an {@link AsyncEngine} computes, never what: every option below changes speed, threads or
 * what is reported, and runs give the same bits whatever they are (tests pin each against the
 * others). One options object may be shared by engines running side by side; then they share its
 * {@link #helperThreads} allowance.
 *
 * @param fused         linear fixed-point models take the fused kernel (off: the generic tick loop)
 * @param vector        the fused kernel's vector forms where the width allows (off: the scalar form)
 * @param blockSize     nodes per block of the lossless fused runs' wavefront; 0: chosen from the graph
 * @param skewTicks     ticks per time-skewed window of the wavefront. 16: measured on 10^5 nodes,
 *                      k = 16, one thread (updates per CPU-second): 2 ticks 4.3e6, 4: 5.3e6, 8: 6.3e6,
 *                      16: 6.9-7.2e6, 32: 6.7-6.8e6, 64: 2.8e6 (the wavefront's ~(skew + 2) blocks of
 *                      histories no longer fit in the shared cache)
 * @param threads       parts (threads) of a wavefront, even beyond the cores; 0: up to the cores,
 *                      as {@link #helperThreads} allows
 * @param helperThreads threads the wavefronts of the engines using these options may add to their
 *                      callers' at a time (automatic {@link #threads} only)
 * @param diagnostics   where the wavefront prints its blocking and its parts' busy and waiting
 *                      times, or null
 * @param dueListener   layered runs: called with each tick's due nodes and the tick (tests replay
 *                      them centrally), or null
 */
public record AsyncOptions(boolean fused, boolean vector, int blockSize, int skewTicks, int threads, Semaphore helperThreads,
                           PrintStream diagnostics, ObjIntConsumer<boolean[]> dueListener) {
    public AsyncOptions {
        if (blockSize < 0 || skewTicks < 1 || threads < 0 || threads > Parallel.MAX_CHUNKS)
            throw new IllegalArgumentException("bad blocking: block " + blockSize + ", skew " + skewTicks + ", threads " + threads);
        if (helperThreads == null) throw new IllegalArgumentException("helperThreads must not be null");
    }

    /** The defaults: fused and vector kernels, automatic blocking, windows of 16 ticks, helpers up to the cores beyond one. */
    public static AsyncOptions defaults() {
        return new AsyncOptions(true, true, 0, 16, 0, new Semaphore(ForkJoinPool.getCommonPoolParallelism()), null, null);
    }

    public AsyncOptions withFused(boolean on) {
        return new AsyncOptions(on, vector, blockSize, skewTicks, threads, helperThreads, diagnostics, dueListener);
    }

    public AsyncOptions withVector(boolean on) {
        return new AsyncOptions(fused, on, blockSize, skewTicks, threads, helperThreads, diagnostics, dueListener);
    }

    /** Nodes per block, ticks per window (0: the default 16) and threads (0: automatic) of the lossless fused runs. */
    public AsyncOptions withBlocking(int block, int skew, int parts) {
        return new AsyncOptions(fused, vector, block, skew == 0 ? 16 : skew, parts, helperThreads, diagnostics, dueListener);
    }

    public AsyncOptions withDiagnostics(PrintStream out) {
        return new AsyncOptions(fused, vector, blockSize, skewTicks, threads, helperThreads, out, dueListener);
    }

    public AsyncOptions withDueListener(ObjIntConsumer<boolean[]> listener) {
        return new AsyncOptions(fused, vector, blockSize, skewTicks, threads, helperThreads, diagnostics, listener);
    }
}
