package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** reproduce hogwild-table3 and distributed-implicit: bad input is exit 2 with nothing written; a tiny run writes its tables. */
class ImplicitCliTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true));
        System.setErr(new PrintStream(be, true));
        try {
            return new Run(Main.execute(args), bo.toString(), be.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void badInputIsExitTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        Run r = run("reproduce", "hogwild-table3", "--datasets", "imdb", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--datasets").contains("imdb");
        r = run("reproduce", "hogwild-table3", "--data", tmp.resolve("none").toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--data").contains("not a directory");
        Files.createDirectories(tmp.resolve("data/MUTAG"));
        Files.writeString(tmp.resolve("data/MUTAG/MUTAG_graph_indicator.txt"), "1\n1\nx\n");
        r = run("reproduce", "hogwild-table3", "--data", tmp.resolve("data").toString(), "--datasets", "mutag", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("MUTAG_graph_indicator.txt:3").doesNotContain("\tat ");
        r = run("reproduce", "distributed-implicit", "--models", "gcn", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("gcn is explicit");
        r = run("reproduce", "distributed-implicit", "--tasks", "chains", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        r = run("reproduce", "distributed-implicit", "--stagger", "0", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--stagger");
        assertThat(out).doesNotExist();
    }

    @Test
    void aTinyDistributedRunWritesItsTableWithAsynchronousChange() throws Exception {
        Path out = tmp.resolve("di");
        Run r = run("reproduce", "distributed-implicit", "--quick", "--epochs", "2", "--schemes", "centralized,d-amsgrad", "--runs", "1",
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
