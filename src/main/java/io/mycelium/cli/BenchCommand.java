package io.mycelium.cli;

import io.mycelium.task.Benchmarks;
import io.mycelium.task.FmaPeak;
import io.mycelium.tensor.Parallel;
import io.mycelium.train.Scheme;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Timing benchmarks of training and of asynchronous inference.",
        subcommands = {BenchCommand.NodeRegressionBench.class, AsyncBenchCommand.class, NetBenchCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "choose a benchmark: " + spec.subcommands().keySet()); }

    @Command(name = "node-regression", mixinStandardHelpOptions = true,
            description = {"Measures milliseconds per training epoch of SGD, D-SGD and D-AMSGrad.",
                    "The setup is the PyTorch reference's node regression (bench/torch_node_regression.py; by default BA-100, a 10→32→1 GCNN, 1000 samples, B = 100; any shape with --widths, --nodes, --samples and --batch), timed on one thread like the reference, then on all cores; then D-SGD milliseconds per mini-batch on BA graphs of growing size (all cores).",
                    "Each line also gives the model's counted flops per epoch and the GFLOP/s reached against this core's FMA peak, measured in the same JVM."})
    static final class NodeRegressionBench implements Runnable {
        @Option(names = "--epochs", defaultValue = "20", description = "epochs per timed round (default ${DEFAULT-VALUE})")
        int epochs;
        @Option(names = "--rounds", defaultValue = "5", description = "timed rounds per scheme; the fastest is reported, with the median (default ${DEFAULT-VALUE})")
        int rounds;
        @Option(names = "--warmup", defaultValue = "60",
                description = "untimed epochs first, and more until the JIT compiler has been quiet for 10 epochs (at most 10x), so the vector kernels run compiled by C2 (default ${DEFAULT-VALUE})")
        int warmup;
        @Option(names = "--widths", defaultValue = "10,32,1",
                description = "layer widths g_0,...,g_L of the GCNN, ReLU between layers, one output; repeat the option for more shapes, each timed in turn (default ${DEFAULT-VALUE})")
        List<String> widthsText;
        @Option(names = "--nodes", defaultValue = "100", description = "nodes of the Barabási–Albert graph (default ${DEFAULT-VALUE})")
        int nodes;
        @Option(names = "--samples", defaultValue = "1000", description = "samples per epoch (default ${DEFAULT-VALUE})")
        int samples;
        @Option(names = "--batch", defaultValue = "100", description = "samples per mini-batch (default ${DEFAULT-VALUE})")
        int batch;
        @Option(names = "--scale", split = ",", defaultValue = "10000,100000,1000000",
                description = "graph sizes for the D-SGD scale run, 'none' (or empty) to skip (default ${DEFAULT-VALUE})")
        List<String> scaleText;
        @Option(names = "--schemes", split = ",", defaultValue = "sgd,d-sgd,d-amsgrad",
                description = "training schemes to time (default ${DEFAULT-VALUE})")
        List<String> schemeText;
        @Option(names = "--threads", defaultValue = "both",
                description = "'1' (the reference's setting), 'all' (every core) or 'both' (default ${DEFAULT-VALUE})")
        String threadsText;
        @Option(names = "--scale-batch", defaultValue = "10", description = "samples per mini-batch in the scale run (default ${DEFAULT-VALUE})")
        int scaleBatch;
        @Option(names = "--fork", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "time each scheme and thread count in a fresh JVM, as JMH does (default); --no-fork times them one after the other in this one, where the kernels the schemes share stay compiled for whichever scheme ran first")
        boolean fork;

        /**
         * The lines a child JVM with this JVM's options prints for one scheme and thread count. C2
         * compiles a kernel with the branch and loop profile of the runs so far, and the tied and
         * per-node schemes drive the same kernels differently, so a scheme timed after another one in
         * the same JVM runs code compiled for the other's profile and reads slower than it is alone
         * (docs/performance.md).
         */
        private String forked(String widths, Scheme s, boolean parallel) {
            List<String> cmd = new java.util.ArrayList<>();
            cmd.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
                if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) cmd.add(a);   // a debugger's port is taken
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench", "node-regression", "--no-fork",
                    "--schemes", s.id(), "--threads", parallel ? "all" : "1", "--epochs", Integer.toString(epochs),
                    "--rounds", Integer.toString(rounds), "--warmup", Integer.toString(warmup), "--scale", "none",
                    "--widths", widths, "--nodes", Integer.toString(nodes), "--samples", Integer.toString(samples),
                    "--batch", Integer.toString(batch)));
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IllegalStateException("the benchmark's JVM for " + s.id() + " failed:\n" + out);
                StringBuilder lines = new StringBuilder();
                out.lines().filter(l -> l.startsWith("node-regression ")).forEach(l -> lines.append(l).append(System.lineSeparator()));
                if (lines.isEmpty()) throw new IllegalStateException("the benchmark's JVM for " + s.id() + " printed no timing:\n" + out);
                return lines.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not start a JVM for the benchmark", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** The shape from one --widths, --nodes, --samples and --batch, or a user error naming the option. */
        private Benchmarks.Shape shape(String widths) {
            String[] parts = widths.split(",", -1);
            int[] w = new int[parts.length];
            for (int q = 0; q < w.length; q++) {
                try {
                    w[q] = Integer.parseInt(parts[q].strip());
                } catch (NumberFormatException e) {
                    throw new Main.UserError("--widths: '" + parts[q] + "' in '" + widths + "' is not a width (give e.g. --widths 10,32,1)");
                }
            }
            try {
                return new Benchmarks.Shape(w, nodes, samples, batch);
            } catch (IllegalArgumentException e) {
                throw new Main.UserError("--widths/--nodes/--samples/--batch: " + e.getMessage());
            }
        }

        @Override
        public void run() {
            if (epochs < 1 || rounds < 1 || warmup < 0 || scaleBatch < 1)
                throw new Main.UserError("--epochs, --rounds and --scale-batch must be at least 1, --warmup at least 0");
            List<Benchmarks.Shape> shapes = widthsText.stream().map(this::shape).toList();
            List<Integer> scale = new java.util.ArrayList<>();
            for (String t : scaleText) {
                String v = t.strip();
                if (v.isEmpty() || v.equalsIgnoreCase("none")) continue;
                try {
                    scale.add((int) Double.parseDouble(v));   // accepts 1e6
                } catch (NumberFormatException e) {
                    throw new Main.UserError("--scale: '" + t + "' is not a graph size");
                }
            }
            for (int n : scale) if (n < 3) throw new Main.UserError("--scale sizes must be at least 3, got " + n);
            List<Scheme> schemes = new java.util.ArrayList<>();
            for (String t : schemeText) {
                try {
                    schemes.add(Scheme.parse(t.strip()));
                } catch (IllegalArgumentException e) {
                    throw new Main.UserError("--schemes: " + e.getMessage());
                }
            }
            int cores = Runtime.getRuntime().availableProcessors();
            boolean[] modes = switch (threadsText.strip()) {
                case "1" -> new boolean[] {false};
                case "all" -> new boolean[] {true};
                case "both" -> cores > 1 ? new boolean[] {false, true} : new boolean[] {false};
                default -> throw new Main.UserError("--threads must be 1, all or both, got '" + threadsText + "'");
            };
            for (int q = 0; q < shapes.size(); q++) {
                Benchmarks.Shape shape = shapes.get(q);
                for (boolean parallel : modes) time(widthsText.get(q), shape, schemes, parallel, cores);
            }
            for (int n : scale) {
                long need = Benchmarks.scaleBytes(n, scaleBatch), have = largestHeapPool();
                if (need > have) {
                    System.out.printf(Locale.ROOT, "scale d-sgd n=%d: skipped, needs about %.1f GiB in one heap generation, have %.1f GiB"
                                    + " (give the JVM more, e.g. MYCELIUM_JAVA_OPTS=-Xmx20g ./mycelium ...)%n",
                            n, need / 1073741824.0, have / 1073741824.0);
                    continue;
                }
                Benchmarks.Scale r = Benchmarks.dsgdScale(n, scaleBatch, 3, 1);
                System.out.printf(Locale.ROOT, "scale d-sgd n=%d edges=%d 10->10->1 B=%d: %10.1f ms/minibatch  (%.1f ns per edge-sample; best of 3)%n",
                        r.nodes(), r.edges(), scaleBatch, r.msPerMinibatch(), r.msPerMinibatch() * 1e6 / ((double) r.edges() * scaleBatch));
            }
        }

        /** One shape's timings for every scheme, on one thread or on all cores. */
        private void time(String widths, Benchmarks.Shape shape, List<Scheme> schemes, boolean parallel, int cores) {
            if (fork) {
                for (Scheme s : schemes) System.out.print(forked(widths, s, parallel));
                System.out.flush();
                return;
            }
            Parallel.setEnabled(parallel);
            try {
                for (Scheme s : schemes) {
                    Benchmarks.EpochTime ms = Benchmarks.nodeRegressionMsPerEpoch(shape, s, epochs, rounds, warmup, 1);
                    // the core's multiply-add ceiling, measured right after the timing, under the same load
                    FmaPeak.Peak peak = FmaPeak.gflops();
                    // CPU time is the calling thread's only, so it means something on one thread alone
                    String threads = parallel ? cores + " threads" : "1 thread";
                    String cpu = parallel ? "" : String.format(Locale.ROOT, "CPU %.2f ms, ", ms.cpuMs());
                    String rate = parallel
                            ? String.format(Locale.ROOT, "%.1f GFLOP/s = %.0f%% of %d cores' FMA peak %.1f GFLOP/s",
                                    ms.gflops(), 100 * ms.gflops() / (cores * peak.wallGflops()), cores, cores * peak.wallGflops())
                            : String.format(Locale.ROOT, "%.1f GFLOP/s, by CPU time %.1f = %.0f%% of FMA peak %.1f GFLOP/s (wall %.1f)",
                                    ms.gflops(), ms.cpuGflops(), 100 * ms.cpuGflops() / peak.cpuGflops(), peak.cpuGflops(), peak.wallGflops());
                    System.out.printf(Locale.ROOT, "node-regression %-10s %s n=%d B=%d %d samples, %s: %8.2f ms/epoch"
                                    + "  (%sbest of %d rounds of %d epochs; median %.2f; after %d warm-up epochs)  %.1f MFLOP/epoch, %s%n",
                            s.id(), shape.arrows(), shape.nodes(), shape.batch(), shape.samples(), threads, ms.wallMs(), cpu, ms.rounds(),
                            epochs, ms.medianWallMs(), ms.warmupEpochs(), ms.flopsPerEpoch() / 1e6, rate);
                }
            } finally {
                Parallel.setEnabled(true);
            }
        }
    }

    /**
     * The most one heap generation can hold: the per-node arrays of a large run are old-generation
     * objects, and with the parallel collector the old generation is about two thirds of -Xmx.
     */
    static long largestHeapPool() {
        long best = -1;
        for (java.lang.management.MemoryPoolMXBean p : java.lang.management.ManagementFactory.getMemoryPoolMXBeans())
            if (p.getType() == java.lang.management.MemoryType.HEAP && p.getUsage() != null) best = Math.max(best, p.getUsage().getMax());
        return best > 0 ? best : Runtime.getRuntime().maxMemory();
    }
}
