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
 * {@code reproduce hogwild-table1/2 --checkpoint-every K --resume DIR}: a run resumed from a checkpoint
 * that holds only some finished runs (as an interrupted run leaves it) ends with the same table and the
 * same model files, byte for byte, as the uninterrupted run.
 */
class HogwildCheckpointTest {
    @TempDir
    Path tmp;

    /** {@code dir}'s checkpoint cut back to its first {@code keep} runs, as a run interrupted after them would have left it. */
    static void interruptedAfter(Path dir, int keep) throws Exception {
        Path runs = dir.resolve("checkpoint/runs.json");
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree(runs.toFile());
        ObjectNode r = (ObjectNode) n.get("runs");
        List<String> ids = new java.util.ArrayList<>();
        r.fieldNames().forEachRemaining(ids::add);
        assertThat(ids.size()).isGreaterThan(keep);
        for (String id : ids.subList(keep, ids.size())) {
            r.remove(id);
            Files.delete(dir.resolve("checkpoint/" + id + ".myc"));
        }
        new ObjectMapper().writeValue(runs.toFile(), n);
        for (String f : List.of("table1.csv", "table2.csv", "table1.md", "table2.md", "runs.csv", "config.json")) Files.deleteIfExists(dir.resolve(f));
    }

    /** Everything but wall times: the table, the runs without their seconds, every model file. */
    static void sameResults(Path a, Path b, String table) throws Exception {
        assertThat(Files.readAllBytes(b.resolve(table))).isEqualTo(Files.readAllBytes(a.resolve(table)));
        try (var files = Files.list(a.resolve("models"))) {
            List<Path> ms = files.sorted().toList();
            assertThat(ms).isNotEmpty();
            for (Path m : ms) assertThat(Files.readAllBytes(b.resolve("models").resolve(m.getFileName()))).as(m.toString()).isEqualTo(Files.readAllBytes(m));
        }
    }

    @Test
    void table1ResumedEndsWithTheSameBits() throws Exception {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        String[] common = {"reproduce", "hogwild-table1", "--quick", "--epochs", "2", "--models", "ignn,gcn", "--tasks", "count", "--threads", "1",
                "--checkpoint-every", "1"};
        CliRun a = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--out", full.toString()}));
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(full.resolve("checkpoint/runs.json")).exists();
        CliRun b = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--out", cut.toString()}));
        assertThat(b.code()).as(b.err()).isZero();
        interruptedAfter(cut, 1);
        CliRun c = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--resume", cut.toString()}));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("resuming: 1 finished run(s) taken from");
        sameResults(full, cut, "table1.csv");

        // the run in the checkpoint is taken as it is, not trained again: a changed test error shows in the table
        interruptedAfter(cut, 1);
        Path runs = cut.resolve("checkpoint/runs.json");
        ObjectNode n = (ObjectNode) new ObjectMapper().readTree(runs.toFile());
        String kept = n.get("runs").fieldNames().next();
        ((ObjectNode) n.get("runs").get(kept)).put("testError", 12.345);
        new ObjectMapper().writeValue(runs.toFile(), n);
        assertThat(CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--resume", cut.toString()})).code()).isZero();
        String model = kept.substring(0, kept.indexOf("-count"));
        assertThat(HogwildCliTest.rows(cut.resolve("table1.csv")).get(model + "/count")[3]).isEqualTo("12.345000");

        CliRun other = CliRun.of("reproduce", "hogwild-table1", "--quick", "--epochs", "3", "--models", "ignn,gcn", "--tasks", "count",
                "--resume", cut.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("another configuration").contains("epochs");
    }

    @Test
    void table2ResumedEndsWithTheSameBits() throws Exception {
        Path full = tmp.resolve("full"), cut = tmp.resolve("cut");
        String[] common = {"reproduce", "hogwild-table2", "--quick", "--epochs", "2", "--explicit-epochs", "10", "--runs", "1", "--test-graphs", "2",
                "--models", "ignn,gcn", "--tasks", "count", "--threads", "1", "--checkpoint-every", "1"};
        CliRun a = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--out", full.toString()}));
        assertThat(a.code()).as(a.err()).isZero();
        CliRun b = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--out", cut.toString()}));
        assertThat(b.code()).as(b.err()).isZero();
        interruptedAfter(cut, 1);
        CliRun c = CliRun.of(ReproductionModelFilesTest.concat(common, new String[] {"--resume", cut.toString()}));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("resuming: 1 finished row(s) taken from");
        sameResults(full, cut, "table2.csv");
    }
}
