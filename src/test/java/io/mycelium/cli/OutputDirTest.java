package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An output directory is Mycelium's only if Mycelium made it: a user's file is never deleted, with
 * or without --force, by any command; the working directory, its ancestors and the home directory are
 * refused; a command's own earlier results are replaced (demo always, the others with --force).
 */
class OutputDirTest {
    @TempDir
    Path tmp;



    private Path usersDir() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(d.resolve("notes.txt"), "the user's own file");
        return d;
    }

    private Path trainConfig() throws Exception {
        Path ex = Path.of("examples").toAbsolutePath();
        for (String f : List.of("example-edges.txt", "example-features.csv", "example-labels.csv")) Files.copy(ex.resolve(f), tmp.resolve(f));
        String yaml = Files.readString(ex.resolve("train-example.yaml")).replaceFirst("epochs: \\d+", "epochs: 1")
                .replaceFirst("schemes: \\[[^]]*\\]", "schemes: [sgd]").replaceFirst("(?m)^output:.*$", "");
        return Files.writeString(tmp.resolve("cfg.yaml"), yaml);
    }

    @Test
    void aUsersDirectoryIsNeverReplacedByAnyCommandWithOrWithoutForce() throws Exception {
        Path d = usersDir();
        String cfg = trainConfig().toString();
        List<String[]> commands = List.of(
                new String[] {"demo", "--steps", "2", "--out", d.toString()},
                new String[] {"train", cfg, "--out", d.toString()},
                new String[] {"train", cfg, "--out", d.toString(), "--force"},
                new String[] {"reproduce", "node-regression", "--epochs", "1", "--out", d.toString(), "--force"},
                new String[] {"reproduce", "hogwild-table1", "--quick", "--out", d.toString(), "--force"},
                new String[] {"reproduce", "hogwild-table2", "--quick", "--out", d.toString(), "--force"});
        for (String[] c : commands) {
            CliRun r = CliRun.of(c);
            assertThat(r.code()).as(String.join(" ", c) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", c)).contains("--out " + d + " holds files Mycelium did not write").doesNotContain("\tat ");
            assertThat(Files.readString(d.resolve("notes.txt"))).isEqualTo("the user's own file");
            try (var s = Files.list(d)) {
                assertThat(s.toList()).as("nothing added").containsExactly(d.resolve("notes.txt"));
            }
        }
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).as("no staging left").isEmpty();
        }
    }

    @Test
    void demoTwiceIntoItsOwnDirectoryAndTrainWithForceReplaceTheirResults() throws Exception {
        Path demo = tmp.resolve("demo");
        assertThat(CliRun.of("demo", "--steps", "3", "--out", demo.toString()).code()).isZero();
        assertThat(Files.readAllLines(demo.resolve(OutputDir.MARKER))).contains("loss.png", "metrics.csv");
        CliRun again = CliRun.of("demo", "--steps", "4", "--out", demo.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readAllLines(demo.resolve("metrics.csv"))).hasSize(6);   // header, step 0 and 4 steps: the new run's

        // a user's file put into Mycelium's results makes the directory the user's
        Files.writeString(demo.resolve("my-notes.txt"), "keep");
        CliRun refused = CliRun.of("demo", "--steps", "2", "--out", demo.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("holds my-notes.txt, which Mycelium did not write");
        assertThat(Files.readAllLines(demo.resolve("metrics.csv"))).hasSize(6);
        assertThat(Files.readString(demo.resolve("my-notes.txt"))).isEqualTo("keep");

        // train writes subdirectories; a second run needs --force and then replaces them all
        String cfg = trainConfig().toString();
        Path out = tmp.resolve("train-out");
        assertThat(CliRun.of("train", cfg, "--out", out.toString()).code()).isZero();
        assertThat(Files.readAllLines(out.resolve(OutputDir.MARKER))).contains("sgd/metrics.csv", "summary.json", "config.yaml");
        CliRun noForce = CliRun.of("train", cfg, "--out", out.toString());
        assertThat(noForce.code()).isEqualTo(2);
        assertThat(noForce.err()).contains("--out " + out + " holds earlier results; pass --force to replace them");
        Files.writeString(out.resolve("sgd").resolve("metrics.csv"), "stale");
        CliRun forced = CliRun.of("train", cfg, "--out", out.toString(), "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(Files.readString(out.resolve("sgd").resolve("metrics.csv"))).startsWith("epoch,");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).as("no staging or old copy left").isEmpty();
        }
    }

    @Test
    void theWorkingDirectoryItsAncestorsTheHomeDirectoryAndFilesAreRefused() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        for (String o : List.of(".", "..", cwd.toString(), cwd.getParent().toString(), "/")) {
            CliRun r = CliRun.of("demo", "--steps", "2", "--out", o);
            assertThat(r.code()).as(o).isEqualTo(2);
            assertThat(r.err()).as(o).containsAnyOf("is the working directory", "contains the working directory", "is the root directory");
        }
        String home = System.getProperty("user.home");
        Path fakeHome = Files.createDirectories(tmp.resolve("home").resolve("someone"));
        System.setProperty("user.home", fakeHome.toString());
        try {
            CliRun r = CliRun.of("demo", "--steps", "2", "--out", fakeHome.toString(), "--nodes", "5");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("is the home directory");
            assertThat(CliRun.of("demo", "--steps", "2", "--out", fakeHome.getParent().toString()).err()).contains("contains the home directory");
        } finally {
            System.setProperty("user.home", home);
        }
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRun r = CliRun.of("demo", "--steps", "2", "--out", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is a file, not a directory");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void messagesSayWhenTheDirectoryIsTheDefault() {
        DemoCommand d = new DemoCommand();
        CommandLine cl = new CommandLine(d);
        cl.parseArgs();
        assertThat(OutputDir.Target.of(d.spec, d.out).named()).isEqualTo("--out results/demo (the default)");
        cl.parseArgs("--out", "x/y");
        assertThat(OutputDir.Target.of(d.spec, d.out).named()).isEqualTo("--out x/y");
    }

    @Test
    void aUsersFileThatAppearsDuringTheRunIsKeptAndTheResultsTooAreKept() throws Exception {
        Path target = tmp.resolve("out");
        OutputDir.Target t = new OutputDir.Target(target, "--out " + target, "test");
        OutputDir.validate(t, true);
        Path staging;
        try (OutputDir dir = OutputDir.open(t, true)) {
            staging = dir.dir();
            Files.writeString(staging.resolve("result.csv"), "1,2");
            Files.createDirectories(target);
            Files.writeString(target.resolve("user.txt"), "arrived meanwhile");
            assertThatThrownBy(dir::commit).isInstanceOf(Main.UserError.class)
                    .hasMessageContaining("holds files Mycelium did not write").hasMessageContaining("the results are in " + staging);
        }
        assertThat(Files.readString(target.resolve("user.txt"))).isEqualTo("arrived meanwhile");
        assertThat(Files.readString(staging.resolve("result.csv"))).isEqualTo("1,2");
    }
}
