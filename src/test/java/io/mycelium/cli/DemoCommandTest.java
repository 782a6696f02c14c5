package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    @Test
    void trainsFullyDistributedAndWritesMetricsAndPlot(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo");
        assertThat(Main.execute("demo", "--steps", "100", "--out", out.toString())).isZero();
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        assertThat(lines.getFirst()).isEqualTo("step,rounds,messages,bytes,train_mse,test_mse");
        assertThat(lines).hasSize(102);
        String[] first = lines.get(1).split(",", -1), last = lines.getLast().split(",", -1);
        double before = Double.parseDouble(first[5]), after = Double.parseDouble(last[5]);
        // published D-AMSGrad: its first step (α m / √ε) throws the MSE up before it falls (60 steps: by 48%)
        assertThat(after).as("test MSE falls by more than half").isLessThan(before / 2);
        // D-AMSGrad with piggybacking: LB + L - 1 = 2*10 + 1 rounds per mini-batch (Table I)
        assertThat(Long.parseLong(last[1])).isEqualTo(100L * 21);
        byte[] png = Files.readAllBytes(out.resolve("loss.png"));
        assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        // a second run replaces the demo's own output
        assertThat(Main.execute("demo", "--steps", "5", "--out", out.toString())).isZero();
        assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(7);
    }

    @Test
    void badInputExitsWithTwoAndWritesNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("never");
        assertThat(Main.execute("demo", "--scheme", "nope", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("demo", "--steps", "-3", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("demo", "--engine", "gpu", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("demo", "--no-such-option")).isEqualTo(2);
        assertThat(out).doesNotExist();
    }

    @Test
    void helpListsTheCommands() {
        var buf = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(buf));
        try {
            assertThat(Main.execute("--help")).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString()).contains("demo", "reproduce", "table-i", "bench");
    }

    /** Picocli formats descriptions with String.format: a bare '%' prints a warning instead of the help. */
    @Test
    void everyCommandsHelpFormatsCleanly() {
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err));
        int commands = 0;
        try {
            var queue = new java.util.ArrayDeque<picocli.CommandLine>(List.of(new picocli.CommandLine(new Main())));
            while (!queue.isEmpty()) {
                picocli.CommandLine cl = queue.poll();
                String usage = cl.getUsageMessage();
                assertThat(usage).as(cl.getCommandName()).contains("Usage:").doesNotContain("%n");
                commands++;
                queue.addAll(cl.getSubcommands().values());
            }
        } finally {
            System.setErr(old);
        }
        assertThat(commands).isGreaterThan(8);
        assertThat(err.toString()).doesNotContain("WARN");
    }
}
