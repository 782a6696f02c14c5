package io.mycelium.net;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Starts host JVMs on this machine: the running JVM's {@code java} and class path, the project's
 * flags, each child's output in its own log file (an unread pipe would freeze it), and its stdin a
 * pipe from us: a child exits when that pipe closes, so no host outlives its coordinator, even one
 * killed with SIGKILL. It tells the coordinator at once when a child exits.
 */
public final class Launcher implements AutoCloseable {
    private final Path logs;
    private final int coresEach;
    /** Per host index, the CPUs it is pinned to (a {@code taskset -c} list); empty: not pinned. */
    private final List<String> pins;
    private final Path taskset;
    private final List<Process> children = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    /** A launcher whose children see every core (as many as this JVM does). */
    public Launcher(Path logs) throws IOException { this(logs, 0); }

    /**
     * A launcher for {@code jvms} host JVMs that run at the same time and share this machine's cores:
     * each child's parallel kernels ({@link io.mycelium.tensor.Parallel}, on the common fork-join pool)
     * use K = max(1, cores / jvms) threads, its compute thread and K − 1 pool workers
     * ({@code java.util.concurrent.ForkJoinPool.common.parallelism}). With K = 1 that is 0, and
     * {@link io.mycelium.tensor.Parallel} then runs every kernel on the compute thread: the common pool
     * would still start one worker, and a host handing chunks to it spent about a quarter of its CPU in
     * that worker, much of it in the switches between the two threads on its one core.
     * Otherwise N hosts computing a lockstep round at once each split every kernel over all the cores,
     * more kernel threads than cores, plus a pool wake-up per kernel. With K = 1 a host computes as each
     * of {@code Engine.partitioned}'s partitions does on its virtual thread. The same bits either way.
     *
     * <p>When every host can have K cores of its own (N·K ≤ the CPUs this process may use, on Linux
     * with {@code taskset}), host i is also pinned to the i-th block of K of them. A halo's trip
     * hands it between a host's threads (compute thread → Pekko dispatcher → socket; selector →
     * dispatcher → compute thread): on a core of its own, each hand-off is a switch on that core
     * instead of a wake-up of another, often idle, CPU, and the compute thread keeps its caches
     * (docs/networked.md has the measurements). The pinned JVM sees K cores. With more hosts than
     * that (e.g. {@code --procs 3} on 2 cores) nothing is pinned: the scheduler balances them.
     * {@code jvms <= 0}: as {@link #Launcher(Path)}.
     */
    public Launcher(Path logs, int jvms) throws IOException {
        this.logs = Files.createDirectories(logs);
        this.coresEach = jvms <= 0 ? 0 : Math.max(1, Runtime.getRuntime().availableProcessors() / jvms);
        this.taskset = jvms <= 0 ? null : taskset();
        this.pins = taskset == null ? List.of() : blocks(allowedCpus(), jvms, coresEach);
    }

    /** Per host, the CPUs it is pinned to ({@code taskset -c} lists); empty when hosts are not pinned. */
    public List<String> pins() { return pins; }

    /**
     * {@code jvms} disjoint blocks of {@code each} CPUs taken in order from {@code cpus}, each as a
     * {@code taskset -c} list; empty if {@code cpus} has fewer than {@code jvms * each}.
     */
    static List<String> blocks(int[] cpus, int jvms, int each) {
        if (jvms <= 0 || each <= 0 || (long) jvms * each > cpus.length) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < jvms; i++) {
            StringBuilder b = new StringBuilder();
            for (int c = i * each; c < (i + 1) * each; c++) b.append(b.isEmpty() ? "" : ",").append(cpus[c]);
            out.add(b.toString());
        }
        return List.copyOf(out);
    }

    /** Parses a Linux CPU list ({@code 0-3,6,8-9}); null if it is not one. */
    static int[] parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String part : list.trim().split(",")) {
                String[] r = part.trim().split("-");
                int a = Integer.parseInt(r[0]), b = r.length == 2 ? Integer.parseInt(r[1]) : a;
                if (r.length > 2 || a < 0 || b < a) return null;
                for (int c = a; c <= b; c++) cpus.add(c);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The CPUs this process may run on ({@code Cpus_allowed_list} in /proc/self/status), or none where that is unknown. */
    static int[] allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("Cpus_allowed_list:")) {
                    int[] cpus = parseCpuList(line.substring(line.indexOf(':') + 1));
                    return cpus == null ? new int[0] : cpus;
                }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: no pinning
        }
        return new int[0];
    }

    /** The {@code taskset} executable on the PATH, or null. */
    private static Path taskset() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path t = Path.of(dir, "taskset");
            if (Files.isExecutable(t)) return t;
        }
        return null;
    }

    public Path logs() { return logs; }

    /** The host's log file. */
    public Path log(int i) { return logs.resolve("host-" + i + ".log"); }

    /** Starts child {@code i} running {@code mycelium args...}; {@code onExit} gets its (pid, exit code). */
    public synchronized Process start(int i, List<String> args, BiConsumer<Long, Integer> onExit) throws IOException {
        Process p = new ProcessBuilder(command(i, args)).redirectErrorStream(true).redirectOutput(log(i).toFile()).start();
        children.add(p);
        written.add(log(i));
        p.onExit().thenAccept(x -> onExit.accept(x.pid(), x.exitValue()));
        return p;
    }

    private static final String POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /**
     * The command line of host {@code i} running {@code mycelium args...}: pinned to its CPUs, if hosts are.
     * {@code MYCELIUM_NET_HOST_OPTS} (whitespace-separated JVM flags, e.g. a JIT or GC log) is added for
     * diagnostics.
     */
    List<String> command(int i, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (i >= 0 && i < pins.size()) cmd.addAll(List.of(taskset.toString(), "-c", pins.get(i))); // taskset execs the JVM: same pid
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        if (coresEach > 0) cmd.add("-D" + POOL_PARALLELISM + "=" + (coresEach - 1));
        String extra = System.getenv("MYCELIUM_NET_HOST_OPTS");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.addAll(List.of("-Xss4m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:ObjectAlignmentInBytes=64", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "io.mycelium.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    public synchronized List<Process> children() { return List.copyOf(children); }

    /** Waits up to {@code seconds} for the children to exit, then kills what is left. */
    @Override
    public synchronized void close() {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (Process p : children) {
            try {
                if (!p.waitFor(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Deletes the host logs this launcher wrote and then its log directory, if nothing else is in it:
     * for a run that succeeded (a failed run keeps them and names the directory).
     */
    public synchronized void deleteLogs() throws IOException {
        for (Path f : written) Files.deleteIfExists(f);
        try (var rest = Files.list(logs)) {
            if (rest.findAny().isEmpty()) Files.delete(logs);
        }
    }

    /** Kills every child now. */
    public synchronized void killAll() { for (Process p : children) p.destroyForcibly(); }

    /** For a host started by a launcher: exit as soon as the parent's pipe on stdin closes. */
    public static void exitWithParent() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { /* the parent writes nothing */ }
            } catch (IOException ignored) {
                // closed
            }
            Runtime.getRuntime().halt(3);
        }, "mycelium-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
