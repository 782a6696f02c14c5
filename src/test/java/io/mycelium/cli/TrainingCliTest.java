package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingCliTest {
    @TempDir
    Path tmp;

    static String captureOut(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return b.toString();
    }

    @Test
    void tableIMeasuresAndAgrees() {
        int[] code = new int[1];
        String out = captureOut(() -> code[0] = Main.execute("table-i", "--layers", "2", "--batch", "6", "--consensus", "3", "--nodes", "30"));
        assertThat(code[0]).isZero();
        assertThat(out).contains("all rows agree").contains(" 12 LB = 12").contains("36 B(2L-1)+BK = 36").contains("21 2BL-B+K = 21").contains("16 LB+L-1+K = 16").contains("13 LB+L-1 = 13");
    }

    @Test
    void tableIRejectsBadArguments() {
        assertThat(Main.execute("table-i", "--batch", "0")).isEqualTo(2);
    }

    @Test
    void reproduceWritesMetricsSummariesAndPlots() throws Exception {
        Path out = tmp.resolve("nr");
        int[] code = new int[1];
        String text = captureOut(() -> code[0] = Main.execute("reproduce", "node-regression", "--epochs", "2", "--out", out.toString(),
                "--schemes", "sgd,d-naive,d-naive-pb,d-amsgrad"));
        assertThat(code[0]).isZero();
        assertThat(text).contains("d-amsgrad");
        for (String s : List.of("sgd", "d-naive", "d-naive-pb", "d-amsgrad")) {
            List<String> csv = Files.readAllLines(out.resolve(s).resolve("metrics.csv"));
            assertThat(csv.getFirst()).isEqualTo("epoch,minibatch,rounds,bytes,train_mse,test_mse");
            assertThat(csv).hasSize(4);
            JsonNode sum = new ObjectMapper().readTree(out.resolve(s).resolve("summary.json").toFile());
            assertThat(sum.get("finalTestMse").asDouble()).isBetween(0.0, 1.0);
            assertThat(sum.get("epochs").asInt()).isEqualTo(2);
        }
        JsonNode naive = new ObjectMapper().readTree(out.resolve("d-naive/summary.json").toFile());
        JsonNode pb = new ObjectMapper().readTree(out.resolve("d-naive-pb/summary.json").toFile());
        assertThat(naive.get("roundsPerMinibatch").asLong()).isEqualTo(400);
        assertThat(pb.get("roundsPerMinibatch").asLong()).isEqualTo(202);
        assertThat(pb.get("finalTestMse").asDouble()).isEqualTo(naive.get("finalTestMse").asDouble());
        assertThat(Files.size(out.resolve("mse-vs-epochs.png"))).isGreaterThan(1000);
        assertThat(Files.size(out.resolve("mse-vs-rounds.png"))).isGreaterThan(1000);
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("nr");
        }
    }

    @Test
    void reproduceRejectsBadArgumentsAndWritesNothing() throws Exception {
        Path out = tmp.resolve("nr");
        assertThat(Main.execute("reproduce", "node-regression", "--epochs", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "node-regression", "--schemes", "sgd,nope", "--out", out.toString())).isEqualTo(2);
        assertThat(Files.exists(out)).isFalse();
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertThat(Main.execute("reproduce", "node-regression", "--epochs", "1", "--out", out.toString())).isEqualTo(2);
        assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
        try (var left = Files.list(tmp)) {
            assertThat(left.count()).isEqualTo(1);
        }
    }

    @Test
    void benchPrintsMsPerEpochAndSkipsTheScaleRunOnRequest() {
        int[] code = new int[1];
        String out = captureOut(() -> code[0] = Main.execute("bench", "node-regression", "--epochs", "1", "--warmup", "0", "--scale", "none", "--no-fork"));
        assertThat(code[0]).isZero();
        List<String> lines = out.lines().filter(l -> l.contains("ms/epoch")).toList();
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(lines).hasSize(cores > 1 ? 6 : 3);     // three schemes on one thread, then on all cores
        assertThat(lines.getFirst()).contains("1 thread").contains("(CPU ");
        for (String l : lines) {
            double ms = Double.parseDouble(l.replaceAll(".*:\\s+([0-9.]+) ms/epoch.*", "$1"));
            assertThat(ms).isPositive();
        }
        assertThat(out).doesNotContain("scale d-sgd");
        assertThat(Main.execute("bench", "node-regression", "--scale", "ten")).isEqualTo(2);
    }

    @Test
    void benchTimesEachSchemeInAJvmOfItsOwn() {
        int[] code = new int[1];
        String out = captureOut(() -> code[0] = Main.execute("bench", "node-regression", "--epochs", "1", "--rounds", "1", "--warmup", "0",
                "--scale", "none", "--threads", "1", "--schemes", "sgd,d-sgd"));
        assertThat(code[0]).isZero();
        List<String> lines = out.lines().filter(l -> l.contains("ms/epoch")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("node-regression sgd ").contains("1 thread");
        assertThat(lines.get(1)).startsWith("node-regression d-sgd ").contains("1 thread");
        for (String l : lines) assertThat(Double.parseDouble(l.replaceAll(".*:\\s+([0-9.]+) ms/epoch.*", "$1"))).isPositive();
    }

    @Test
    void benchTimesEachWidthsOptionAsAShapeOfItsOwn() {
        int[] code = new int[1];
        String out = captureOut(() -> code[0] = Main.execute("bench", "node-regression", "--widths", "3,8,1", "--widths", "3,5,5,1",
                "--nodes", "12", "--samples", "40", "--batch", "10", "--epochs", "1", "--rounds", "1", "--warmup", "0",
                "--scale", "none", "--threads", "1", "--schemes", "d-sgd", "--no-fork"));
        assertThat(code[0]).isZero();
        List<String> lines = out.lines().filter(l -> l.contains("ms/epoch")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains(" 3->8->1 ").contains("n=12 B=10 40 samples");
        assertThat(lines.get(1)).contains(" 3->5->5->1 ");
        assertThat(Main.execute("bench", "node-regression", "--widths", "3,x,1", "--scale", "none")).isEqualTo(2);
    }
}
