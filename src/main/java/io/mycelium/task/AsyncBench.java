package io.mycelium.task;

import io.mycelium.autodiff.Init;
import io.mycelium.autodiff.Params;
import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.model.Ignn;
import io.mycelium.tensor.Tensor;

/**
 * Throughput of the asynchronous engine: IGNN inference (the paper's model, embedding size k) on a
 * random geometric graph in the unit square, counted in node updates per second of the tick loop.
 */
public final class AsyncBench {
    private AsyncBench() {}

    /** Radius giving about {@code degree} neighbours on average (n π r² away from the border). */
    public static double radiusFor(int n, double degree) { return Math.sqrt(degree / (Math.PI * n)); }

    public record Result(int nodes, double radius, double avgDegree, int k, int ticks, long updates, double seconds,
                         int maxStaleness, double meanStaleness, double lastChange, double cpuSeconds) {
        public double updatesPerSecond() { return updates / seconds; }

        /** Updates per second of CPU time of the whole process (all threads, JIT and GC included). */
        public double updatesPerCpuSecond() { return updates / cpuSeconds; }
    }

    /**
     * Uniform points numbered along a Z-order (Morton) curve over cells of side r, so that
     * neighbours mostly have nearby ids, as a deployment would number devices by region; the graph
     * is the same random geometric graph up to relabelling, and the engine's per-node histories of
     * neighbouring nodes then share cache lines.
     */
    public static Graph graph(int n, double radius, long seed) {
        double[][] pts = Generators.uniformPoints(n, seed);
        java.util.Arrays.sort(pts, java.util.Comparator.<double[]>comparingLong(p -> morton((int) (p[0] / radius), (int) (p[1] / radius)))
                .thenComparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        return Generators.randomGeometric(pts, radius);
    }

    /** Interleaves the bits of two non-negative cell coordinates. */
    static long morton(int x, int y) {
        long z = 0;
        for (int b = 0; b < 31; b++) z |= ((long) (x >>> b & 1) << (2 * b)) | ((long) (y >>> b & 1) << (2 * b + 1));
        return z;
    }

    /** One warm-up run of {@code warmup} ticks, then a timed run of {@code ticks} ticks (tolerance 0: no early stop). */
    public static Result run(Graph g, double radius, int k, AsyncSchedule schedule, int ticks, int warmup, long seed) {
        int features = 4;
        Ignn model = Ignn.of(features, k, 1);
        Params p = new Params();
        model.init(p, Init.rng(seed));
        Tensor x = Init.normal(Init.rng(seed + 1), 0, 1, g.n(), features);
        AsyncEngine engine = new AsyncEngine(g, p, schedule);
        if (warmup > 0) engine.runImplicit(model, x, null, null, 0, warmup);
        long cpu0 = processCpuNanos();
        AsyncRun r = engine.runImplicit(model, x, null, null, 0, ticks);
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        double[] tr = r.trace();
        return new Result(g.n(), radius, (double) g.directedEdgeCount() / g.n(), k, r.ticks(), r.totalUpdates(), r.seconds(),
                r.maxStaleness(), r.meanStaleness(), tr.length == 0 ? Double.NaN : tr[tr.length - 1], cpu);
    }

    /** CPU time of this process so far, or -1 when the platform does not say. */
    public static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getProcessCpuTime();
        return -1;
    }
}
