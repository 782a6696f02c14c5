package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code reproduce hogwild-table1/2 --checkpoint-every K --resume DIR}: runs continued from their
 * saved training state (a first invocation trained 1 epoch, the resumed one trains to 3) end with
 * the same table and the same model files, byte for byte, as an uninterrupted 3-epoch invocation;
 * finished runs of the right length are taken from the checkpoint as they are.
 */
class HogwildCheckpointTest {
    @TempDir
    Path tmp;

    /** Everything but wall times: the table and every model file. */
    static void sameResults(Path a, Path b, String table) throws Exception {
        assertThat(Files.readAllBytes(b.resolve(table))).isEqualTo(Files.readAllBytes(a.resolve(table)));
        try (var files = Files.list(a.resolve("models"))) {
            List<Path> ms = files.sorted().toList();
            assertThat(ms).isNotEmpty();
            for (Path m : ms) assertThat(Files.readAllBytes(b.resolve("models").resolve(m.getFileName()))).as(m.toString()).isEqualTo(Files.readAllBytes(m));
        }
    }

    static CliRun run(String[] common, String... more) { return CliRun.of(ReproductionModelFilesTest.concat(common, more)); }

    @Test
    void table1ResumedEndsWithTheSameBits() throws Exception {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        String[] common = {"reproduce", "hogwild-table1", "--quick", "--models", "ignn,gcn", "--tasks", "count", "--threads", "1", "--checkpoint-every", "1"};
        CliRun a = run(common, "--epochs", "3", "--out", full.toString());
        assertThat(a.code()).as(a.err()).isZero();
        CliRun b = run(common, "--epochs", "1", "--out", cut.toString());
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(cut.resolve("checkpoint/ignn-count-s1-f0.state.json")).exists();
        CliRun c = run(common, "--epochs", "3", "--resume", cut.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).doesNotContain("resuming:");   // both runs continued from epoch 1, none taken
        sameResults(full, cut, "table1.csv");

        // a finished run of the right length is taken as it is, not trained again: a changed test error shows in the table
        Path runs = cut.resolve("checkpoint/runs.json");
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree(runs.toFile());
        ((ObjectNode) n.get("runs").get("gcn-count-s1-f0")).put("testError", 12.345);
        new ObjectMapper().writeValue(runs.toFile(), n);
        CliRun d = run(common, "--epochs", "3", "--resume", cut.toString());
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(d.err()).contains("resuming: 2 finished run(s) taken from");
        assertThat(HogwildCliTest.rows(cut.resolve("table1.csv")).get("gcn/count")[3]).isEqualTo("12.345000");

        CliRun other = run(common, "--epochs", "3", "--lr", "0.01", "--resume", cut.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("another configuration").contains("lr");
    }

    @Test
    void table2ResumedEndsWithTheSameBits() throws Exception {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        String[] common = {"reproduce", "hogwild-table2", "--quick", "--runs", "1", "--test-graphs", "2", "--models", "ignn,gcn", "--tasks", "count",
                "--threads", "1", "--checkpoint-every", "2"};
        CliRun a = run(common, "--epochs", "4", "--out", full.toString());
        assertThat(a.code()).as(a.err()).isZero();
        CliRun b = run(common, "--epochs", "2", "--out", cut.toString());
        assertThat(b.code()).as(b.err()).isZero();
        CliRun c = run(common, "--epochs", "4", "--resume", cut.toString());
        assertThat(c.code()).as(c.err()).isZero();
        sameResults(full, cut, "table2.csv");
    }
}
