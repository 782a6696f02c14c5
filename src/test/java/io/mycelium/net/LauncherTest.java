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
        assertThat(new Launcher(tmp.resolve("a"), cores).command(-1, List.of("x"))).contains(pool + 0).endsWith("x");
        assertThat(new Launcher(tmp.resolve("b"), 3 * cores).command(-1, List.of("x"))).contains(pool + 0);
        // one host: every core, its compute thread and cores - 1 workers
        assertThat(new Launcher(tmp.resolve("c"), 1).command(-1, List.of("x"))).contains(pool + (cores - 1));
        // not sharing: the JVM's default pool
        assertThat(new Launcher(tmp.resolve("d")).command(-1, List.of("x"))).noneMatch(a -> a.startsWith(pool));
    }

    @Test
    void hostsThatCanHaveCoresOfTheirOwnArePinnedToDisjointBlocks() throws Exception {
        assertThat(Launcher.parseCpuList("0-3,6,8-9")).containsExactly(0, 1, 2, 3, 6, 8, 9);
        assertThat(Launcher.parseCpuList(" 5\n")).containsExactly(5);
        assertThat(Launcher.parseCpuList("3-1")).isNull();
        assertThat(Launcher.parseCpuList("x")).isNull();
        int[] cpus = {0, 1, 2, 3, 6, 8};
        assertThat(Launcher.blocks(cpus, 2, 1)).containsExactly("0", "1");
        assertThat(Launcher.blocks(cpus, 2, 3)).containsExactly("0,1,2", "3,6,8");
        assertThat(Launcher.blocks(cpus, 3, 2)).containsExactly("0,1", "2,3", "6,8");
        assertThat(Launcher.blocks(cpus, 7, 1)).isEmpty(); // more hosts than CPUs: the scheduler balances them
        assertThat(Launcher.blocks(new int[0], 2, 1)).isEmpty();
        // this machine: two hosts get one block each (where taskset and /proc exist), and a pinned child runs
        Launcher two = new Launcher(tmp.resolve("e"), 2);
        if (!two.pins().isEmpty()) {
            assertThat(two.pins()).hasSize(2).doesNotHaveDuplicates();
            List<String> c = two.command(1, List.of("x"));
            assertThat(c.getFirst()).endsWith("taskset");
            assertThat(c.subList(1, 3)).containsExactly("-c", two.pins().get(1));
            assertThat(c).endsWith("x");
            assertThat(two.command(-1, List.of("x")).getFirst()).doesNotEndWith("taskset");
        }
        Launcher one = new Launcher(tmp.resolve("f"), 1);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        one.start(0, List.of("--version"), (pid, code) -> exit.complete(code));
        assertThat(exit.get(100, TimeUnit.SECONDS)).isZero();
        one.close();
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
