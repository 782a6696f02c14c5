package io.mycelium.net;

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
    private final List<Process> children = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    /** A launcher whose children see every core (as many as this JVM does). */
    public Launcher(Path logs) throws IOException { this(logs, 0); }

    /**
     * A launcher for {@code jvms} host JVMs that run at the same time and share this machine's cores:
     * each child's parallel kernels ({@link io.mycelium.tensor.Parallel}, on the common fork-join pool)
     * use K = max(1, cores / jvms) threads, its compute thread and K − 1 pool workers
     * ({@code java.util.concurrent.ForkJoinPool.common.parallelism}; 0 runs every task on the caller).
     * Otherwise N hosts computing a lockstep round at once each split every kernel over all the cores,
     * more kernel threads than cores, plus a pool wake-up per kernel. With K = 1 a host computes as each
     * of {@code Engine.partitioned}'s partitions does on its virtual thread. The same bits either way.
     * The JVM still sees every core (its locks and queues spin only on a multiprocessor).
     * {@code jvms <= 0}: as {@link #Launcher(Path)}.
     */
    public Launcher(Path logs, int jvms) throws IOException {
        this.logs = Files.createDirectories(logs);
        this.coresEach = jvms <= 0 ? 0 : Math.max(1, Runtime.getRuntime().availableProcessors() / jvms);
    }

    public Path logs() { return logs; }

    /** The host's log file. */
    public Path log(int i) { return logs.resolve("host-" + i + ".log"); }

    /** Starts child {@code i} running {@code mycelium args...}; {@code onExit} gets its (pid, exit code). */
    public synchronized Process start(int i, List<String> args, BiConsumer<Long, Integer> onExit) throws IOException {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log(i).toFile()).start();
        children.add(p);
        written.add(log(i));
        p.onExit().thenAccept(x -> onExit.accept(x.pid(), x.exitValue()));
        return p;
    }

    /** The command line of a child running {@code mycelium args...}. */
    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        if (coresEach > 0) cmd.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + (coresEach - 1));
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
