package io.mycelium.task;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double-precision multiply-add rate one core reaches in a tight Vector API loop: the ceiling a
 * training kernel's GFLOP/s is measured against. Twelve independent accumulators (more than the
 * FMA units' latency times their count on current x86 cores) each run a chain of fused
 * multiply-adds on registers only, so nothing but the FMA units limits the loop.
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;
    private static volatile double sink;

    /** The peak by wall clock and by this thread's CPU time (equal on an idle core; CPU time is what a loaded machine leaves comparable). */
    public record Peak(double wallGflops, double cpuGflops) {}

    /** GFLOP/s (an FMA counted as two) of the best of {@code reps} runs of {@code steps} steps, on the calling thread. */
    public static Peak gflops(int steps, int reps) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double wall = 0, onCpu = 0, flops = 2.0 * 12 * V.length() * steps;
        for (int r = 0; r < reps + 1; r++) {       // the first run only warms the kernel up
            long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            sink = chains(steps);
            long t = System.nanoTime() - t0, c = cpu.getCurrentThreadCpuTime() - c0;
            if (r > 0) {
                wall = Math.max(wall, flops / t);
                onCpu = Math.max(onCpu, flops / Math.max(1, c));
            }
        }
        return new Peak(wall, onCpu);
    }

    /** The measurement on this machine: 2·10^7 steps (about 4·10^9 flops with AVX-512), best of five. */
    public static Peak gflops() { return gflops(20_000_000, 5); }

    private static double chains(int steps) {
        DoubleVector a = DoubleVector.broadcast(V, 0.999999), y = DoubleVector.broadcast(V, 1e-7);
        DoubleVector c0 = DoubleVector.broadcast(V, 1.0), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3), c4 = c0.add(4), c5 = c0.add(5),
                c6 = c0.add(6), c7 = c0.add(7), c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
        for (int i = 0; i < steps; i++) {
            c0 = c0.fma(a, y);
            c1 = c1.fma(a, y);
            c2 = c2.fma(a, y);
            c3 = c3.fma(a, y);
            c4 = c4.fma(a, y);
            c5 = c5.fma(a, y);
            c6 = c6.fma(a, y);
            c7 = c7.fma(a, y);
            c8 = c8.fma(a, y);
            c9 = c9.fma(a, y);
            c10 = c10.fma(a, y);
            c11 = c11.fma(a, y);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
