package io.mycelium.task;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
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
 * Timings of training, set up like bench/torch_node_regression.py so the two can be compared on the
 * same work: BA(n, m=2), S = A / max degree, a GCNN of the given widths with ReLU on every hidden
 * layer and identity on the output, samples of U(0,1) features, mini-batches of B, lr 1e-3. The
 * default shape is the node-regression paper's benchmark: n = 100, 10 → 32 → 1, 1000 samples, B = 100.
 */
public final class Benchmarks {
    private Benchmarks() {}

    /**
     * Milliseconds per epoch, wall clock and this thread's CPU time, of the fastest of {@code rounds}
     * timed rounds, and the median round's wall clock. On an idle machine wall and CPU agree; when
     * other processes share the cores, CPU time still shows what the work costs, and the spread
     * between best and median shows how much the machine moved under the measurement.
     */
    public record EpochTime(double wallMs, double cpuMs, double medianWallMs, int rounds, int warmupEpochs, long flopsPerEpoch) {
        /** The counted flops ({@link Shape#flopsPerEpoch}) per second of the best round's wall clock, in GFLOP/s. */
        public double gflops() { return flopsPerEpoch / (wallMs * 1e6); }

        /** The same per second of the calling thread's CPU time (one thread only). */
        public double cpuGflops() { return flopsPerEpoch / (cpuMs * 1e6); }
    }

    /**
     * Time per epoch of {@code scheme}: at least {@code warmup} untimed epochs (more, up to ten times
     * as many, until the JIT compiler has been quiet for 10 epochs; see {@link #warmUp}), then {@code rounds} rounds of {@code epochs}
     * epochs on the calling thread.
     */
    public static EpochTime nodeRegressionMsPerEpoch(Scheme scheme, int epochs, int rounds, int warmup, long seed) {
        return nodeRegressionMsPerEpoch(Shape.PAPER, scheme, epochs, rounds, warmup, seed);
    }

    /**
     * The benchmark's work: a GCNN of {@code widths} on BA({@code nodes}, 2), {@code samples} samples,
     * mini-batches of {@code batch}.
     */
    public record Shape(int[] widths, int nodes, int samples, int batch) {
        /** The node-regression paper's setup (and the PyTorch reference's default). */
        public static final Shape PAPER = new Shape(new int[] {10, 32, 1}, 100, 1000, 100);

        public Shape {
            if (widths.length < 2) throw new IllegalArgumentException("widths need an input and an output, got " + Arrays.toString(widths));
            for (int w : widths) if (w < 1) throw new IllegalArgumentException("widths must be at least 1, got " + Arrays.toString(widths));
            if (widths[widths.length - 1] != 1) throw new IllegalArgumentException("node regression has one output per node: the last width must be 1");
            if (nodes < 3) throw new IllegalArgumentException("nodes must be at least 3, got " + nodes);
            if (samples < 1 || batch < 1 || batch > samples) throw new IllegalArgumentException("need 1 <= batch <= samples, got batch " + batch + " of " + samples);
            widths = widths.clone();
        }

        /** Widths as {@code 10->32->1}. */
        public String arrows() { return String.join("->", Arrays.stream(widths).mapToObj(Integer::toString).toList()); }

        Gcnn model(Graph g) {
            Activation[] acts = new Activation[widths.length - 1];
            Arrays.fill(acts, Activation.RELU);
            acts[acts.length - 1] = Activation.IDENTITY;
            return new Gcnn(maxDegreeAdjacency(g), widths, acts, (rng, in, out) -> Init.normal(rng, 0, 0.1, 1, in, out));
        }

        /**
         * Floating-point operations of one epoch of the model's arithmetic as eq. (9)–(14) write it,
         * an FMA counted as two: per sample and layer l (k inputs, m outputs) forward n·2km for
         * X Θ0 and (S X) Θ1 and nnz(S)·k for S X; backward n·2km for dΘ0 and dΘ1 and, above the
         * first layer, n·2km for Q Θ0^T and Q Θ1^T and nnz(S)·m for the shift of the messages. Not
         * counted: activations, the loss and the optimizer (a few operations per parameter per
         * mini-batch). The kernels may do less (a late shift moves narrow messages) or pad more.
         */
        public long flopsPerEpoch(Graph g) {
            long nnz = g.directedEdgeCount(), fma = 0;
            for (int l = 0; l + 1 < widths.length; l++) {
                long k = widths[l], m = widths[l + 1];
                fma += (long) nodes * 2 * k * m + nnz * k;            // forward
                fma += (long) nodes * 2 * k * m;                      // weight gradients
                if (l > 0) fma += (long) nodes * 2 * k * m + nnz * k; // Z^{l-1}: Θ0 Q and the messages Θ1 Q, shifted (k wide)
            }
            return 2 * fma * samples;
        }
    }

    /** {@link #nodeRegressionMsPerEpoch(Scheme, int, int, int, long)} on another shape. */
    public static EpochTime nodeRegressionMsPerEpoch(Shape shape, Scheme scheme, int epochs, int rounds, int warmup, long seed) {
        if (epochs < 1 || rounds < 1 || warmup < 0) throw new IllegalArgumentException("epochs and rounds must be at least 1, warmup at least 0");
        int n = shape.nodes(), S = shape.samples(), B = shape.batch();
        Graph g = TaskGraphs.barabasiAlbert(n, 2, seed);
        Gcnn model = shape.model(g);
        UniformRandomProvider rng = Init.rng(seed);
        Params p = new Params();
        model.init(p, rng);
        Dataset data = new Dataset(Init.uniform(rng, 0, 1, n, S, shape.widths()[0]), Init.normal(rng, 0, 1, n, S));
        Trainer t = new Trainer(Engine.synchronous(g, scheme.centralized() ? p : p.perNode(n)), model, scheme, 1e-3,
                ShiftOperator.metropolisHastings(g), 1);
        int[] order = new int[S];
        for (int q = 0; q < order.length; q++) order[q] = q;
        int warmed = warmUp(() -> epoch(t, data, order, rng, B), warmup, 10, 10 * warmup);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] wall = new double[rounds], cpus = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            for (int e = 0; e < epochs; e++) epoch(t, data, order, rng, B);
            wall[r] = (System.nanoTime() - t0) / 1e6 / epochs;
            cpus[r] = (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / epochs;
        }
        int best = 0;
        for (int r = 1; r < rounds; r++) if (wall[r] < wall[best]) best = r;
        double[] sorted = wall.clone();
        Arrays.sort(sorted);
        double median = rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
        return new EpochTime(wall[best], cpus[best], median, rounds, warmed, shape.flopsPerEpoch(g));
    }

    /**
     * Runs {@code step} at least {@code min} times, then on until the JIT compiler has been quiet
     * through {@code quiet} steps in a row, at most {@code max} times in all; returns how many ran. A
     * fixed count was not enough: C2 compiles in the background, and on a busy machine its queue can
     * still hold the optimizer's step (running interpreted, boxing every vector) after 60 epochs, so
     * the timings of one run and the next would disagree.
     */
    public static int warmUp(Runnable step, int min, int quiet, int max) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean watch = jit != null && jit.isCompilationTimeMonitoringSupported();
        long last = watch ? jit.getTotalCompilationTime() : 0;
        int done = 0, still = 0;
        while (done < min || (watch && still < quiet && done < max)) {
            step.run();
            done++;
            if (watch) {
                long now = jit.getTotalCompilationTime();
                still = now == last ? still + 1 : 0;
                last = now;
            }
        }
        return done;
    }

    private static void epoch(Trainer t, Dataset data, int[] order, UniformRandomProvider rng, int batch) {
        for (int q = order.length - 1; q > 0; q--) {
            int r = rng.nextInt(q + 1), tmp = order[q];
            order[q] = order[r];
            order[r] = tmp;
        }
        for (int b = 0; b < order.length; b += batch) t.batched(data, Arrays.copyOfRange(order, b, Math.min(order.length, b + batch)));
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

    /** D-SGD with per-node copies of a 10 → 10 → 1 sigmoid GCNN on BA(n, 2): milliseconds per mini-batch of B samples, the best of {@code reps} after one untimed. */
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
        double best = Double.POSITIVE_INFINITY;   // the best of the repetitions: a single one can be slowed by heap growth
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            t.batched(data, all);
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return new Scale(n, g.edgeCount(), best);
    }
}
