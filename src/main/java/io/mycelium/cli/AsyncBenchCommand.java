package io.mycelium.cli;

import io.mycelium.engine.AsyncOptions;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.graph.Graph;
import io.mycelium.task.AsyncBench;
import io.mycelium.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;

/** {@code mycelium bench async}: node updates per second of the asynchronous engine (IGNN inference). */
@Command(name = "async", mixinStandardHelpOptions = true,
        description = {"Measures node updates per second of asynchronous IGNN inference.",
                "IGNN in the hogwild paper's configuration (embedding size k) runs on a random geometric graph in the unit square under a partially asynchronous schedule (stagger S, history D); wall-clock and per-CPU-second rates are printed with the load average."})
final class AsyncBenchCommand implements Runnable {
    @Option(names = "--nodes", defaultValue = "100000", description = "graph size (default ${DEFAULT-VALUE})")
    int nodes;
    @Option(names = "--degree", defaultValue = "7", description = "target average degree; sets the radius (default ${DEFAULT-VALUE})")
    double degree;
    @Option(names = "--k", split = ",", defaultValue = "2,16", description = "embedding sizes (default ${DEFAULT-VALUE})")
    List<Integer> widths;
    @Option(names = "--ticks", defaultValue = "300", description = "ticks per timed run; the fastest of 3 runs is printed (default ${DEFAULT-VALUE})")
    int ticks;
    @Option(names = "--warmup", defaultValue = "100", description = "ticks per untimed run first, repeated until the JIT compiler is quiet through one, at most 10 (default ${DEFAULT-VALUE})")
    int warmup;
    @Option(names = "--stagger", defaultValue = "4", description = "S: next update 1..S ticks later (default ${DEFAULT-VALUE})")
    int stagger;
    @Option(names = "--history", defaultValue = "3", description = "D: each update views a neighbour as of a tick at most D back, never moving back (Algorithm 1) (default ${DEFAULT-VALUE}; largest age S + D = 7 as in the paper)")
    int history;
    @Option(names = "--threads", defaultValue = "0", description = "1 = single thread, 0 = all cores (the common fork-join pool) (default ${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--seed", defaultValue = "1", description = "graph, parameters and schedule seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--diagnostics", description = "print the wavefront's blocking and its threads' busy and waiting times to stderr")
    boolean diagnostics;

    @Override
    public void run() {
        if (nodes < 2) throw new Main.UserError("--nodes must be at least 2, got " + nodes);
        if (!(degree > 0)) throw new Main.UserError("--degree must be positive, got " + degree);
        if (ticks < 1 || warmup < 0) throw new Main.UserError("--ticks must be at least 1 and --warmup at least 0");
        if (stagger < 1 || history < 0) throw new Main.UserError("--stagger must be at least 1 and --history at least 0");
        if (threads < 0 || threads > 1) throw new Main.UserError("--threads is 0 (all cores) or 1");
        for (int k : widths) if (k < 1) throw new Main.UserError("--k sizes must be at least 1, got " + k);
        double radius = AsyncBench.radiusFor(nodes, degree);
        long t0 = System.nanoTime();
        Graph g = AsyncBench.graph(nodes, radius, seed);
        System.out.printf(Locale.ROOT, "graph rgg n=%d radius=%.6f: average degree %.2f, %d directed edges (built in %.1f s)%n",
                nodes, radius, (double) g.directedEdgeCount() / nodes, g.directedEdgeCount(), (System.nanoTime() - t0) / 1e9);
        int cores = threads == 1 ? 1 : ForkJoinPool.getCommonPoolParallelism() + 1;
        System.out.printf(Locale.ROOT, "schedule: stagger %d, history %d (staleness <= %d), threads %d, load average %s%n",
                stagger, history, stagger + history, cores, loadAverage());
        AsyncSchedule s = AsyncSchedule.of(stagger, history, seed);
        AsyncOptions options = diagnostics ? AsyncOptions.defaults().withDiagnostics(System.err) : AsyncOptions.defaults();
        if (threads == 1) Parallel.setEnabled(false);
        try {
            for (int k : widths) {
                AsyncBench.Result r = AsyncBench.run(g, radius, k, s, options, ticks, warmup, seed);
                System.out.printf(Locale.ROOT, "ignn k=%-3d %d ticks (best of 3 runs), %d node updates in %.3f s: %.3g node updates/s; "
                                + "%.3g per CPU-second (%.2f CPU-s used; staleness max %d, mean %.2f; last max change %.2e)%n",
                        k, r.ticks(), r.updates(), r.seconds(), r.updatesPerSecond(), r.updatesPerCpuSecond(), r.cpuSeconds(),
                        r.maxStaleness(), r.meanStaleness(), r.lastChange());
            }
        } finally {
            Parallel.setEnabled(true);
        }
    }

    static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
    }
}
