package io.mycelium.cli;

import io.mycelium.engine.Engine;
import io.mycelium.net.CoordinatorProcess;
import io.mycelium.net.Job;
import io.mycelium.net.Launcher;
import io.mycelium.net.NetBench;
import io.mycelium.net.NetSystem;
import io.mycelium.net.NetTraining;
import io.mycelium.net.Partitioner;
import io.mycelium.train.Scheme;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "net", mixinStandardHelpOptions = true,
        description = {"Measures the networked engine between two JVMs on 127.0.0.1.",
                "One-way messages/s and MB/s (payload: 8 bytes a double) for rows of 32 and 1000 doubles (credit window 2048, after an untimed warm-up), and the CPU time both JVMs spent per message; "
                        + "the time of a synchronous round between two one-node partitions (32 doubles each way); "
                        + "and a D-SGD epoch of Section IV-A's node regression on 2 host JVMs against the same epoch in process (median of 20 epochs, the same ones in each run: by default from the first epoch k >= 40 after 10 epochs in which each host JVM's JIT compilation took <= 10%% of its CPU time; also epochs 41..60). "
                        + "Prints the machine's load: timings on a shared machine are noisy."})
final class NetBenchCommand implements Callable<Integer> {
    @Option(names = "--warmup", description = "untimed seconds of each stream before its timed part (default 3)")
    double warmup = 3;
    @Option(names = "--seconds", description = "timed seconds per stream (default 5)")
    double seconds = 5;
    @Option(names = "--rounds", description = "synchronous rounds to time, after as many untimed ones (default 5000)")
    int rounds = 5000;
    @Option(names = "--round-width", description = "doubles each way in a synchronous round (default 32; a D-SGD round of Section IV-A's node regression sends up to 21,000)")
    int roundWidth = 32;
    // The host JVMs start just before their run, and a D-SGD epoch sends only ~42 messages each way: the hosts'
    // compilers are still busy with the transport for a hundred epochs or more (docs/networked.md, "The hosts'
    // JIT"). By default the timed epochs are therefore chosen by a rule on the hosts' own JIT time (JMH-style
    // steady state), fixed before any ratio was measured with it; the old fixed window is printed beside it.
    static final int AUTO_EPOCHS = 420, AUTO_FIRST = 40, AUTO_LAST = AUTO_EPOCHS - 20, AUTO_SPAN = 10, WINDOW = 20, FIXED_FROM = 41, FIXED_TO = 60;
    static final double AUTO_JIT_SHARE = 0.10;

    @Option(names = "--epochs", description = "D-SGD epochs in each of the three runs (default " + AUTO_EPOCHS + " with --warmup-epochs auto, else 60)")
    Integer epochs;
    @Option(names = "--warmup-epochs", description = "auto (default): time the " + WINDOW + " epochs from the first epoch k >= " + AUTO_FIRST + " (up to --epochs minus " + WINDOW + ": " + AUTO_LAST
            + ") after " + AUTO_SPAN + " epochs in which each host JVM's JIT compilation took at most 10%% of its CPU time, the same epochs in each run; "
            + "if none, the last " + WINDOW + " epochs, saying the hosts were still compiling; also prints epochs " + FIXED_FROM + ".." + FIXED_TO + "; "
            + "or N: time the epochs after the first N (a fixed window)")
    String warmupEpochs = "auto";

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (1/5/15-min load, running/total, last pid) on "
                    + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (Exception e) {
            return "unknown";
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!(warmup >= 0)) throw new Main.UserError("--warmup: must be >= 0");
        if (!(seconds > 0)) throw new Main.UserError("--seconds: must be positive");
        if (rounds < 1) throw new Main.UserError("--rounds: must be positive");
        if (roundWidth < 1) throw new Main.UserError("--round-width: must be positive");
        boolean auto = warmupEpochs.equals("auto");
        int warmup0 = 0;
        if (!auto) {
            try {
                warmup0 = Integer.parseInt(warmupEpochs);
            } catch (NumberFormatException e) {
                throw new Main.UserError("--warmup-epochs: 'auto' or a number of epochs, not '" + warmupEpochs + "'");
            }
            if (warmup0 < 0) throw new Main.UserError("--warmup-epochs: must be >= 0");
        }
        int total = epochs != null ? epochs : auto ? AUTO_EPOCHS : 60;
        if (auto && total < FIXED_TO) throw new Main.UserError("--epochs: must be at least " + FIXED_TO + " with --warmup-epochs auto");
        if (!auto && total < warmup0 + 1) throw new Main.UserError("--epochs: must exceed --warmup-epochs (" + warmup0 + ")");
        System.out.println("load before: " + load());
        ActorSystem<Void> system = NetSystem.start(new NetSystem.Options("coordinator", "127.0.0.1", 0, NetBench.RUN_ID, "bench", null));
        Launcher launcher = new Launcher(Files.createTempDirectory("mycelium-bench-net-"));
        try {
            NetSystem.joinSelf(system);
            NetSystem.awaitUp(system, Duration.ofSeconds(60));
            NetBench.Sink sink = new NetBench.Sink(system);
            launcher.start(0, List.of("net", "bench-peer", "--join", "127.0.0.1:" + NetSystem.port(system), "--widths", "32,1000",
                    "--warmup", Double.toString(warmup), "--seconds", Double.toString(seconds), "--rounds", Integer.toString(2 * rounds), "--round-width", Integer.toString(roundWidth)),
                    (pid, code) -> sink.abort("the peer JVM exited (code " + code + ")"));
            System.out.printf("%-8s %12s %14s %10s %10s %12s%n", "doubles", "messages", "payload MB", "msgs/s", "MB/s", "CPU us/msg");
            for (int w : new int[] {32, 1000}) {
                NetBench.Stream s = sink.result(w, Duration.ofSeconds(300));
                System.out.printf(Locale.ROOT, "%-8d %12d %14.1f %10.0f %10.1f %12.2f%n", w, s.messages(), s.bytes() / 1e6, s.messagesPerSecond(), s.megabytesPerSecond(), s.cpuMicrosPerMessage());
            }
            NetBench.Rounds r = sink.rounds(roundWidth, rounds, rounds);
            System.out.printf(Locale.ROOT, "synchronous rounds, 2 one-node partitions, %d doubles each way: %.0f rounds/s; a round p50 %.0f us, p99 %.0f us (%d rounds after %d untimed)%n",
                    roundWidth, r.roundsPerSecond(), r.micros(0.5), r.micros(0.99), rounds, rounds);
        } finally {
            system.terminate();
            launcher.close();
        }
        launcher.deleteLogs();
        System.out.println("load after streams and rounds: " + load());

        String words = "nodereg:" + total + ":1";
        Job.Train job = (Job.Train) NetCommand.job(words);
        var s = job.setup();
        double[] inProcess = epochTimes(s, Engine.synchronous(s.graph(), NetTraining.params(s, Scheme.D_SGD)));
        int[] map = Partitioner.split(s.graph(), 2);
        double[] partitioned = epochTimes(s, Engine.partitioned(s.graph(), map, NetTraining.params(s, Scheme.D_SGD)));
        Launcher hosts = new Launcher(Files.createTempDirectory("mycelium-bench-net-"), 2);
        CoordinatorProcess.Outcome o = CoordinatorProcess.run(new NetSystem.Options("coordinator", "127.0.0.1", 0, 77, job.hash(), null), job,
                new CoordinatorProcess.Settings(2, hosts, 2, List.of(words), Path.of("."), false, Duration.ofSeconds(300), p -> {}), System.err);
        if (o.failure() != null) {
            System.err.println("mycelium: bench net: the networked run failed: " + o.failure() + " (host logs: " + hosts.logs() + ")");
            return 1;
        }
        hosts.deleteLogs();
        double[] net = new double[o.epochTimes().size() - 1];
        for (int e = 1; e < o.epochTimes().size(); e++) net[e - 1] = o.epochTimes().get(e) - o.epochTimes().get(e - 1);
        System.out.printf(Locale.ROOT, "D-SGD epoch, node regression (BA-%d, %d->%d->1, %d samples, batch %d), %d epochs in each run; median of the timed epochs, the same ones in each run:%n",
                s.graph().n(), 10, io.mycelium.task.NodeRegression.Config.paper().hidden(), s.train().samples(), s.batch(), total);
        System.out.println("  (host JVMs " + (hosts.pins().isEmpty() ? "not pinned to CPUs" : "pinned to CPUs " + String.join(" and ", hosts.pins()) + " (taskset)") + "; the in-process runs are not pinned)");
        List<io.mycelium.comm.Partition> parts = io.mycelium.comm.Partition.split(s.graph(), map);
        System.out.printf(Locale.ROOT, "  (both 2-partition runs: Partitioner.split's map, %d + %d nodes; a round sends %d + %d rows, %d in all, against %d for the breadth-first cut)%n",
                parts.get(0).size(), parts.get(1).size(), parts.get(0).sendRows(0).length, parts.get(1).sendRows(0).length,
                Partitioner.volume(s.graph(), map, 2), Partitioner.volume(s.graph(), Partitioner.bfs(s.graph(), 2), 2));
        if (!auto) {
            int from = Math.max(2, warmup0 + 1);
            System.out.printf(Locale.ROOT, "  epochs %d..%d (the first %d untimed in each run):%n", from, total, warmup0);
            report(inProcess, partitioned, net, o.hostClocks(), from, total);
        } else {
            int last = total - WINDOW; // 400 at the default 420 epochs
            int k = NetBench.steadyEpoch(o.hostClocks().values(), AUTO_FIRST, last, AUTO_SPAN, AUTO_JIT_SHARE);
            if (k > 0) {
                System.out.printf(Locale.ROOT, "  steady state, epochs %d..%d: k = %d is the first epoch >= %d such that in epochs %d..%d each host JVM's JIT compilation took <= %.0f%% of its CPU time (%s)%n",
                        k, k + WINDOW - 1, k, AUTO_FIRST, k - AUTO_SPAN, k - 1, 100 * AUTO_JIT_SHARE, jitShares(o.hostClocks(), k - AUTO_SPAN, k - 1));
            } else {
                k = last + 1;
                System.out.printf(Locale.ROOT, "  NOT a steady state, epochs %d..%d: the host JVMs were still compiling: no epoch k in %d..%d had each host's JIT compilation <= %.0f%% of its CPU time over epochs k-%d..k-1 (at k = %d: %s)%n",
                        k, k + WINDOW - 1, AUTO_FIRST, last, 100 * AUTO_JIT_SHARE, AUTO_SPAN, last, jitShares(o.hostClocks(), last - AUTO_SPAN, last - 1));
            }
            report(inProcess, partitioned, net, o.hostClocks(), k, k + WINDOW - 1);
            System.out.printf(Locale.ROOT, "  fixed window, epochs %d..%d (the old default: %d untimed epochs):%n", FIXED_FROM, FIXED_TO, FIXED_FROM - 1);
            report(inProcess, partitioned, net, o.hostClocks(), FIXED_FROM, FIXED_TO);
        }
        System.out.println("load after: " + load());
        return 0;
    }

    /** Prints the three runs' median epoch over epochs {@code from..to} and the hosts' CPU and JIT time per epoch there. */
    private static void report(double[] inProcess, double[] partitioned, double[] net, Map<Integer, List<long[]>> clocks, int from, int to) {
        double a = median(inProcess, from, to), b = median(partitioned, from, to), c = median(net, from, to);
        System.out.printf(Locale.ROOT, "    in process, synchronous engine:     %8.1f ms%n", 1e3 * a);
        System.out.printf(Locale.ROOT, "    in process, 2 partitions:           %8.1f ms%n", 1e3 * b);
        System.out.printf(Locale.ROOT, "    2 host JVMs over Artery TCP:        %8.1f ms  (%.2fx the 2 partitions in process, %.2fx the synchronous engine)%n", 1e3 * c, c / b, c / a);
        System.out.println("    " + hostClocks(clocks, from, to));
    }

    /**
     * The host JVMs' CPU time and JIT compilation time per epoch over epochs {@code from..to} (from >= 2): a
     * host whose compilers are still busy there has not reached its steady state (its compiler threads share
     * its core).
     */
    private static String hostClocks(Map<Integer, List<long[]>> clocks, int from, int to) {
        List<String> cpu = new ArrayList<>(), jit = new ArrayList<>();
        for (List<long[]> c : clocks.values()) {
            if (c.size() < to) return "(host CPU times missing)";
            long[] a = c.get(from - 2), b = c.get(to - 1); // the ends of epochs from - 1 and to
            cpu.add(String.format(Locale.ROOT, "%.1f", (b[0] - a[0]) / 1e6 / (to - from + 1)));
            jit.add(b[1] < 0 ? "?" : String.format(Locale.ROOT, "%.1f", (b[1] - a[1]) / 1e6 / (to - from + 1)));
        }
        return String.format(Locale.ROOT, "host JVMs over epochs %d..%d: CPU %s ms an epoch; their JIT compilers %s ms an epoch (compilation time, elapsed)",
                from, to, String.join(" / ", cpu), String.join(" / ", jit));
    }

    /** Each host's JIT compilation time as a share of its CPU time over epochs {@code from..to}. */
    private static String jitShares(Map<Integer, List<long[]>> clocks, int from, int to) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Integer, List<long[]>> e : clocks.entrySet()) {
            List<long[]> c = e.getValue();
            if (c.size() < to) return "host clocks missing";
            long[] a = c.get(from - 2), b = c.get(to - 1);
            out.add(String.format(Locale.ROOT, "host %d: JIT %.1f of CPU %.1f ms, %.1f%%", e.getKey(), (b[1] - a[1]) / 1e6, (b[0] - a[0]) / 1e6, 100.0 * (b[1] - a[1]) / (b[0] - a[0])));
        }
        return String.join("; ", out);
    }

    /** Seconds of each epoch but the first (epoch e's time at index e - 2: the first has no start time here), on {@code engine}. */
    private static double[] epochTimes(io.mycelium.train.TrainingRun.Setup s, Engine engine) {
        List<Double> at = new ArrayList<>();
        NetTraining.run(s, Scheme.D_SGD, engine, (e, so) -> at.add(System.nanoTime() / 1e9));
        double[] d = new double[at.size() - 1];
        for (int e = 1; e < at.size(); e++) d[e - 1] = at.get(e) - at.get(e - 1);
        return d;
    }

    /** The median of epochs {@code from..to} ({@code d[i]}: epoch i + 2; from >= 2). */
    private static double median(double[] d, int from, int to) {
        double[] c = Arrays.copyOfRange(d, from - 2, to - 1);
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
