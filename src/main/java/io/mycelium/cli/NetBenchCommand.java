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
import java.util.concurrent.Callable;

@Command(name = "net", mixinStandardHelpOptions = true,
        description = {"Measures the networked engine between two JVMs on 127.0.0.1.",
                "One-way messages/s and MB/s (payload: 8 bytes a double) for rows of 32 and 1000 doubles (credit window 2048, after an untimed warm-up), and the CPU time both JVMs spent per message; "
                        + "the time of a synchronous round between two one-node partitions (32 doubles each way); "
                        + "and a D-SGD epoch of Section IV-A's node regression on 2 host JVMs against the same epoch in process (median of the epochs after the warm-up ones, the same for each). "
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
    // The host JVMs start just before their run, and three JVMs share the JIT's time on a small machine: after
    // 10 untimed epochs their compiler threads were still busy (methods deoptimized and recompiled) during the
    // timed ones, and their epochs kept shrinking for tens of epochs (docs/networked.md).
    @Option(names = "--epochs", description = "D-SGD epochs in each of the three runs (default 60)")
    int epochs = 60;
    @Option(names = "--warmup-epochs", description = "of those, untimed ones first, the same in each run (default 40: the host JVMs start just before theirs and are still compiling for many epochs)")
    int warmupEpochs = 40;

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
        if (warmupEpochs < 0) throw new Main.UserError("--warmup-epochs: must be >= 0");
        if (epochs < warmupEpochs + 1) throw new Main.UserError("--epochs: must exceed --warmup-epochs (" + warmupEpochs + ")");
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

        String words = "nodereg:" + epochs + ":1";
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
        double a = timedMedian(inProcess), b = timedMedian(partitioned), c = timedMedian(net);
        System.out.printf(Locale.ROOT, "D-SGD epoch, node regression (BA-%d, %d->%d->1, %d samples, batch %d), median of epochs %d..%d (the first %d untimed in each run):%n",
                s.graph().n(), 10, io.mycelium.task.NodeRegression.Config.paper().hidden(), s.train().samples(), s.batch(), Math.max(2, warmupEpochs + 1), epochs, warmupEpochs);
        System.out.println("  (host JVMs " + (hosts.pins().isEmpty() ? "not pinned to CPUs" : "pinned to CPUs " + String.join(" and ", hosts.pins()) + " (taskset)") + "; the in-process runs are not pinned)");
        List<io.mycelium.comm.Partition> parts = io.mycelium.comm.Partition.split(s.graph(), map);
        System.out.printf(Locale.ROOT, "  (both 2-partition runs: Partitioner.split's map, %d + %d nodes; a round sends %d + %d rows, %d in all, against %d for the breadth-first cut)%n",
                parts.get(0).size(), parts.get(1).size(), parts.get(0).sendRows(0).length, parts.get(1).sendRows(0).length,
                Partitioner.volume(s.graph(), map, 2), Partitioner.volume(s.graph(), Partitioner.bfs(s.graph(), 2), 2));
        System.out.printf(Locale.ROOT, "  in process, synchronous engine:     %8.1f ms%n", 1e3 * a);
        System.out.printf(Locale.ROOT, "  in process, 2 partitions:           %8.1f ms%n", 1e3 * b);
        System.out.printf(Locale.ROOT, "  2 host JVMs over Artery TCP:        %8.1f ms  (%.2fx the 2 partitions in process, %.2fx the synchronous engine)%n", 1e3 * c, c / b, c / a);
        System.out.println("  " + hostClocks(o.hostClocks()));
        System.out.println("load after: " + load());
        return 0;
    }

    /**
     * The host JVMs' CPU time and JIT compilation time per epoch over the timed epochs: a host whose compilers
     * are still busy there has not reached its steady state (its compiler threads share its core).
     */
    private String hostClocks(java.util.Map<Integer, List<long[]>> clocks) {
        int from = Math.max(0, warmupEpochs - 1), to = epochs - 1; // the end of the last untimed epoch (or epoch 1) to the end of the last
        List<String> cpu = new ArrayList<>(), jit = new ArrayList<>();
        for (List<long[]> c : clocks.values()) {
            if (c.size() <= to) return "(host CPU times missing)";
            cpu.add(String.format(Locale.ROOT, "%.1f", (c.get(to)[0] - c.get(from)[0]) / 1e6 / (to - from)));
            jit.add(c.get(to)[1] < 0 ? "?" : String.format(Locale.ROOT, "%.1f", (c.get(to)[1] - c.get(from)[1]) / 1e6 / (to - from)));
        }
        return String.format(Locale.ROOT, "host JVMs over epochs %d..%d: CPU %s ms an epoch; their JIT compilers %s ms an epoch (compilation time, elapsed)",
                from + 2, epochs, String.join(" / ", cpu), String.join(" / ", jit));
    }

    /** Seconds of each epoch but the first (epoch e's time at index e - 2: the first has no start time here), on {@code engine}. */
    private static double[] epochTimes(io.mycelium.train.TrainingRun.Setup s, Engine engine) {
        List<Double> at = new ArrayList<>();
        NetTraining.run(s, Scheme.D_SGD, engine, (e, so) -> at.add(System.nanoTime() / 1e9));
        double[] d = new double[at.size() - 1];
        for (int e = 1; e < at.size(); e++) d[e - 1] = at.get(e) - at.get(e - 1);
        return d;
    }

    /** The median of the epochs after the warm-up ones ({@code d[i]}: epoch i + 2). */
    private double timedMedian(double[] d) {
        double[] c = Arrays.copyOfRange(d, Math.max(0, warmupEpochs - 1), d.length);
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
