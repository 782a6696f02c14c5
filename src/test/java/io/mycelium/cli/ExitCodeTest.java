package io.mycelium.cli;

import io.mycelium.train.TrainingDiverged;
import io.mycelium.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exit codes: 2 only for the user's input (with its message, no stack trace), 1 for a failure while
 * running (a bug's IllegalArgumentException included), with the stack trace only under --debug.
 */
class ExitCodeTest {
    @TempDir
    Path tmp;

    private static String[] report(Exception e, boolean trace) {
        StringWriter w = new StringWriter();
        int code = Main.report(e, new PrintWriter(w), trace);
        return new String[] {Integer.toString(code), w.toString()};
    }

    @Test
    void onlyInputIsExitTwo() {
        String[] r = report(new InputException("cfg.yaml: training.lr: must be positive"), false);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).isEqualTo("mycelium: cfg.yaml: training.lr: must be positive" + System.lineSeparator());

        // an internal bug is not the user's mistake, even as an IllegalArgumentException
        r = report(new IllegalArgumentException("matmul: x [3, 4] and w [5, 1] do not fit"), false);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("internal error").contains("do not fit").contains("--debug").doesNotContain("\tat ");
        r = report(new IllegalArgumentException("matmul: x [3, 4] and w [5, 1] do not fit"), true);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("\tat io.mycelium.cli.ExitCodeTest");

        r = report(new TrainingDiverged("sgd", 3, 2, 12, "training loss", Double.NaN, 1000), false);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("sgd diverged at epoch 3, mini-batch 2 of 12: the training loss is NaN (lr 1000.0)").doesNotContain("\tat ");

        r = report(new UncheckedIOException("out/metrics.csv: No space left on device", new java.io.IOException("disk full")), false);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).startsWith("mycelium: out/metrics.csv: No space left on device");
    }



    @Test
    void debugIsAGlobalOptionBeforeOrAfterTheSubcommand() {
        String missing = tmp.resolve("nope.yaml").toString();
        CliRun plain = CliRun.of("train", missing);
        assertThat(plain.code()).isEqualTo(2);
        assertThat(plain.err()).contains("nope.yaml: no such config file").doesNotContain("\tat ");
        for (List<String> args : List.of(List.of("--debug", "train", missing), List.of("train", "--debug", missing))) {
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.code()).as(args.toString()).isEqualTo(2);
            assertThat(r.err()).as(args.toString()).contains("nope.yaml: no such config file").contains("\tat io.mycelium.cli.TrainConfig");
        }
    }

    /**
     * The acceptance: the shipped example with ReLU, plain SGD and lr = 1000 diverges in its
     * first epoch. The run exits 1 naming scheme, epoch and mini-batch, and writes nothing.
     */
    @Test
    void aDivergingRunExitsOneNamesTheEpochAndWritesNothing() throws Exception {
        Path ex = Path.of("examples").toAbsolutePath();
        for (String f : List.of("example-edges.txt", "example-features.csv", "example-labels.csv"))
            Files.copy(ex.resolve(f), tmp.resolve(f));
        String yaml = Files.readString(ex.resolve("train-example.yaml"));
        String changed = yaml.replaceFirst("activations: \\[tanh, sigmoid\\]", "activations: [relu, identity]")
                .replaceFirst("schemes: \\[[^]]*\\]", "schemes: [sgd]").replaceFirst("lr: 0\\.01", "lr: 1.0e3");
        assertThat(changed).contains("activations: [relu, identity]").contains("schemes: [sgd]").contains("lr: 1.0e3");
        Path cfg = Files.writeString(tmp.resolve("diverge.yaml"), changed), out = tmp.resolve("out");
        CliRun r = CliRun.of("train", cfg.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).containsPattern("mycelium: sgd diverged at epoch 1, mini-batch \\d+ of 12: the training loss is (NaN|Infinity|-Infinity)")
                .contains("no results were written").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).as("no staging left").isEmpty();
        }
        // the same config at the example's own rate trains (so the divergence is the rate's doing)
        Path ok = Files.writeString(tmp.resolve("ok.yaml"), changed.replace("lr: 1.0e3", "lr: 0.01").replaceFirst("epochs: \\d+", "epochs: 2"));
        CliRun fine = CliRun.of("train", ok.toString(), "--out", out.toString());
        assertThat(fine.code()).as(fine.err()).isZero();
    }
}
