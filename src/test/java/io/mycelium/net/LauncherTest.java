package io.mycelium.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The local launcher: host logs written per child, removed after a successful run, others' files kept; the cores a host's kernels use. */
@Timeout(120)
class LauncherTest {
    @TempDir
    Path tmp;

    private static void runChild(Launcher l) throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        l.start(0, List.of("--version"), (pid, code) -> exit.complete(code));
        assertThat(exit.get(100, TimeUnit.SECONDS)).isZero();
        l.close();
    }

    @Test
    void deleteLogsRemovesTheLogsItWroteAndTheirDirectory() throws Exception {
        Launcher l = new Launcher(tmp.resolve("logs"));
        runChild(l);
        assertThat(Files.readString(l.log(0))).contains("mycelium ");
        l.deleteLogs();
        assertThat(tmp.resolve("logs")).doesNotExist();
    }

    @Test
    void hostsSharingTheMachineSplitItsCoresForTheirKernels() throws Exception {
        String pool = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=";
        int cores = Runtime.getRuntime().availableProcessors();
        // as many hosts as cores, or more: each computes on its compute thread alone (no pool workers)
        assertThat(new Launcher(tmp.resolve("a"), cores).command(List.of("x"))).contains(pool + 0).endsWith("x");
        assertThat(new Launcher(tmp.resolve("b"), 3 * cores).command(List.of("x"))).contains(pool + 0);
        // one host: every core, its compute thread and cores - 1 workers
        assertThat(new Launcher(tmp.resolve("c"), 1).command(List.of("x"))).contains(pool + (cores - 1));
        // not sharing: the JVM's default pool
        assertThat(new Launcher(tmp.resolve("d")).command(List.of("x"))).noneMatch(a -> a.startsWith(pool));
    }

    @Test
    void deleteLogsKeepsFilesItDidNotWrite() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        Path mine = Files.writeString(dir.resolve("notes.txt"), "a user's file");
        Launcher l = new Launcher(dir);
        runChild(l);
        l.deleteLogs();
        assertThat(l.log(0)).doesNotExist();
        assertThat(mine).hasContent("a user's file");
    }
}
