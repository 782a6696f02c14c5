package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** reproduce hogwild-table3 and distributed-implicit: bad input is exit 2 with nothing written; a tiny run writes its tables. */
class ImplicitCliTest {
    @TempDir
    Path tmp;

    @Test
    void badInputIsExitTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("reproduce", "hogwild-table3", "--datasets", "imdb", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--datasets").contains("imdb");
        r = CliRun.of("reproduce", "hogwild-table3", "--data", tmp.resolve("none").toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--data").contains("not a directory");
        Files.createDirectories(tmp.resolve("data/MUTAG"));
        Files.writeString(tmp.resolve("data/MUTAG/MUTAG_graph_indicator.txt"), "1\n1\nx\n");
        r = CliRun.of("reproduce", "hogwild-table3", "--data", tmp.resolve("data").toString(), "--datasets", "mutag", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("MUTAG_graph_indicator.txt:3").doesNotContain("\tat ");
        r = CliRun.of("reproduce", "distributed-implicit", "--models", "gcn", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("gcn is explicit");
        r = CliRun.of("reproduce", "distributed-implicit", "--tasks", "chains", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        r = CliRun.of("reproduce", "distributed-implicit", "--stagger", "0", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--stagger");
        assertThat(out).doesNotExist();
    }

    @Test
    void aTinyDistributedRunWritesItsTableWithAsynchronousChange() throws Exception {
        Path out = tmp.resolve("di");
        CliRun r = CliRun.of("reproduce", "distributed-implicit", "--quick", "--epochs", "2", "--schemes", "centralized,d-amsgrad", "--runs", "1",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        java.util.List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertThat(rows).hasSize(3);
        for (String row : rows.subList(1, 3)) {
            String[] c = row.split(",");
            assertThat(Double.parseDouble(c[4])).as("test error").isBetween(0.0, 200.0);
            assertThat(Double.parseDouble(c[13])).as("max output change under asynchrony").isLessThan(1e-6);
            assertThat(c[15]).as("converged").isEqualTo("true");
        }
        assertThat(rows.get(2)).startsWith("ignn,count,d-amsgrad,");
        assertThat(Double.parseDouble(rows.get(2).split(",")[9])).as("consensus rounds per batch").isEqualTo(1.0);
    }
}
