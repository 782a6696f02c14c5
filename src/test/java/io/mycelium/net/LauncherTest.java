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

/** The local launcher's host logs: written per child, removed after a successful run, others' files kept. */
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
