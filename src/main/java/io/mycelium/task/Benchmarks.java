package io.mycelium.task;

import io.mycelium.autodiff.Init;
import io.mycelium.autodiff.Params;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.train.Dataset;
import io.mycelium.train.Scheme;
import io.mycelium.train.Trainer;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * Timings of training, set up like ../shared/bench/torch_node_regression.py so the two can be
 * compared on the same work: BA(100, m=2), S = A / max degree, 10 → 32 → 1 with ReLU then identity,
 * 1000 samples of U(0,1) features, B = 100, lr 1e-3.
 */
public final class Benchmarks {
    private Benchmarks() {}

    /**
     * Milliseconds per epoch, wall clock and this thread's CPU time. On an idle machine the two agree;
     * when other processes share the cores, CPU time still shows what the work costs.
     */
    public record EpochTime(double wallMs, double cpuMs) {}

    /** Time per epoch of {@code scheme} after {@code warmup} untimed epochs, on the calling thread. */
    public static EpochTime nodeRegressionMsPerEpoch(Scheme scheme, int epochs, int warmup, long seed) {
        Graph g = TaskGraphs.barabasiAlbert(100, 2, seed);
        Gcnn model = new Gcnn(maxDegreeAdjacency(g), new int[] {10, 32, 1}, new Activation[] {Activation.RELU, Activation.IDENTITY},
                (rng, in, out) -> Init.normal(rng, 0, 0.1, 1, in, out));
        UniformRandomProvider rng = Init.rng(seed);
        Params p = new Params();
        model.init(p, rng);
        Dataset data = new Dataset(Init.uniform(rng, 0, 1, 100, 1000, 10), Init.normal(rng, 0, 1, 100, 1000));
        Trainer t = new Trainer(Engine.synchronous(g, scheme.centralized() ? p : p.perNode(100)), model, scheme, 1e-3,
                ShiftOperator.metropolisHastings(g), 1);
        int[] order = new int[1000];
        for (int q = 0; q < order.length; q++) order[q] = q;
        for (int e = 0; e < warmup; e++) epoch(t, data, order, rng);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        for (int e = 0; e < epochs; e++) epoch(t, data, order, rng);
        return new EpochTime((System.nanoTime() - t0) / 1e6 / epochs, (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / epochs);
    }

    private static void epoch(Trainer t, Dataset data, int[] order, UniformRandomProvider rng) {
        for (int q = order.length - 1; q > 0; q--) {
            int r = rng.nextInt(q + 1), tmp = order[q];
            order[q] = order[r];
            order[r] = tmp;
        }
        for (int b = 0; b < order.length; b += 100) t.batched(data, Arrays.copyOfRange(order, b, b + 100));
    }

    /** The reference script's shift operator: A divided by the largest degree. */
    public static Operator maxDegreeAdjacency(Graph g) {
        double[] w = new double[g.directedEdgeCount()];
        Arrays.fill(w, 1.0 / g.maxDegree());
        return Operator.of("adjacency/max-degree", g, new double[g.n()], w);
    }

    /** Bytes a D-SGD run on n nodes with B samples needs, roughly (per-node copies dominate). */
    public static long scaleBytes(int n, int batch) { return (long) n * (8L * (1100 + 60L * batch)) + 200L * n; }

    public record Scale(int nodes, int edges, double msPerMinibatch) {}

    /** D-SGD with per-node copies of a 10 → 10 → 1 sigmoid GCNN on BA(n, 2): milliseconds per mini-batch of B samples. */
    public static Scale dsgdScale(int n, int batch, int reps, long seed) {
        Graph g = TaskGraphs.barabasiAlbert(n, 2, seed);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), new int[] {10, 10, 1},
                new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Gcnn.UNIFORM01);
        UniformRandomProvider rng = Init.rng(seed);
        Params p = new Params();
        model.init(p, rng);
        Dataset data = new Dataset(Init.uniform(rng, 0, 1, n, batch, 10), Init.uniform(rng, 0, 1, n, batch));
        Trainer t = new Trainer(Engine.synchronous(g, p.perNode(n)), model, Scheme.D_SGD, 1e-3, ShiftOperator.metropolisHastings(g), 1);
        int[] all = new int[batch];
        for (int q = 0; q < batch; q++) all[q] = q;
        t.batched(data, all);
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) t.batched(data, all);
        return new Scale(n, g.edgeCount(), (System.nanoTime() - t0) / 1e6 / reps);
    }
}
