package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Init;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code train} beyond the GCNN's node regression: classification, graph-level tasks, every registered model, checkpoints. */
class TrainTasksTest {
    @TempDir
    Path tmp;

    CliRun train(String yaml, String... extra) throws Exception {
        Path cfg = tmp.resolve("config.yaml");
        Files.writeString(cfg, yaml);
        return CliRun.of(Stream.concat(Stream.of("train", cfg.toString()), Stream.of(extra)).toArray(String[]::new));
    }

    /**
     * A classification task that needs the graph: on a 4×5 grid, node i of sample s has one feature
     * x_i ~ N(0, 1) and class 1 exactly when the mean of its neighbours' x is positive. A node's own
     * feature, independent of that mean, tells nothing (1/2 right); the rule is one layer of message
     * passing away.
     */
    void classificationData(int samples) throws Exception {
        Graph g = Generators.parse("grid:4x5", 1);
        UniformRandomProvider rng = Init.rng(11);
        StringBuilder x = new StringBuilder(), y = new StringBuilder();
        for (int s = 0; s < samples; s++) {
            double[] v = new double[g.n()];
            for (int i = 0; i < v.length; i++) v[i] = Init.normal(rng, 0, 1, 1).data()[0];
            for (int i = 0; i < v.length; i++) {
                double m = 0;
                for (int p = g.offsets()[i]; p < g.offsets()[i + 1]; p++) m += v[g.neighbours()[p]];
                m /= g.offsets()[i + 1] - g.offsets()[i];
                x.append(String.format(Locale.ROOT, "%d,%d,%.17g%n", s, i, v[i]));
                y.append(String.format(Locale.ROOT, "%d,%d,%d%n", s, i, m > 0 ? 1 : 0));
            }
        }
        Files.writeString(tmp.resolve("x.csv"), x);
        Files.writeString(tmp.resolve("y.csv"), y);
    }

    static String classification(String model, String schemes, int epochs) {
        return """
                task: node-classification
                graph:
                  generator: grid:4x5
                data:
                  features: x.csv
                  labels: y.csv
                  test: 0.25
                model:
                %s
                training:
                  schemes: %s
                  lr: 0.05
                  batch: 8
                  epochs: %d
                  seed: 2
                """.formatted(model.indent(2).stripTrailing(), schemes, epochs);
    }

    static JsonNode summary(Path dir, String scheme) throws Exception {
        return new ObjectMapper().readTree(dir.resolve(scheme).resolve("summary.json").toFile());
    }

    @Test
    void aGcnnAndAGcnClassifyNodesFarAboveChanceAndWellAboveTheirOwnFeature() throws Exception {
        classificationData(80);
        CliRun r = train(classification("widths: [1, 8, 2]\nactivations: [tanh, identity]\nshift: normalized-adjacency", "[adam]", 30),
                "--out", tmp.resolve("gcnn").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode s = summary(tmp.resolve("gcnn"), "adam");
        // chance, and a node's own feature alone, give 1/2
        assertThat(s.get("finalTestAccuracy").asDouble()).isGreaterThan(0.85);
        assertThat(s.get("finalTestLoss").asDouble()).isLessThan(0.3);
        List<String> csv = Files.readAllLines(tmp.resolve("gcnn/adam/metrics.csv"));
        assertThat(csv.getFirst()).isEqualTo("epoch,train_loss,train_accuracy,test_loss,test_accuracy");
        assertThat(csv).hasSize(32);
        assertThat(r.out()).contains("test acc");

        r = train(classification("type: gcn\nwidth: 8\nlayers: 1\nreadoutHidden: []\nshift: renormalized-adjacency", "[sgd, adam]", 30),
                "--out", tmp.resolve("gcn").toString());
        assertThat(r.code()).as(r.err()).isZero();
        // a GCN's layer mixes the node's own feature in (the self-loop of Ã): sign(x_i + Σ_j x_j) agrees with
        // sign(Σ_j x_j) with probability 1 − arccos(√(d/(d+1)))/π ≈ 0.83 at degree d = 3, its best here
        assertThat(summary(tmp.resolve("gcn"), "adam").get("finalTestAccuracy").asDouble()).isGreaterThan(0.75);
    }

    @Test
    void anUnsupportedModelAndSchemeAreRefusedAtLoadWithWhatApplies() throws Exception {
        classificationData(8);
        CliRun r = train(classification("type: gcn", "[adam, d-amsgrad]", 1), "--out", tmp.resolve("out").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("training.schemes[1]").contains("'d-amsgrad' does not apply to gcn").contains("[sgd, adam]");
        assertThat(Files.exists(tmp.resolve("out"))).isFalse();
        r = train(classification("type: ignn\nwidth: 2", "[adam]", 1), "--out", tmp.resolve("out").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("model: unknown field 'width'");
        r = train(classification("type: gcn", "[adam]", 1).replace("  seed: 2", "  seed: 2\n  weight-decay: 0.1\n  weight-decay-on: [l9.]"),
                "--out", tmp.resolve("out").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("training.weight-decay-on: no parameter name starts with 'l9.'").contains("gcn.l0.w");
        assertThat(tmp.resolve("out")).doesNotExist();
        r = train(classification("type: gcn\nheads: 2", "[adam]", 1), "--out", tmp.resolve("out").toString());
        assertThat(r.err()).contains("model: unknown field 'heads'");
        assertThat(Files.exists(tmp.resolve("out"))).isFalse();
    }

    /**
     * Graph classification saves its model with the graph readout: {@code predict} on the saved file
     * gives, over all graphs, the cross-entropy that training measured in memory (its train and test
     * losses weighted by their graph counts). Ten 4-cycles whose nodes carry label 0 or 1; a graph's
     * class is whether at least two of its nodes have label 1.
     */
    @Test
    void graphClassificationSavesAModelThatPredictsWhatTrainingMeasured() throws Exception {
        int graphs = 10;
        UniformRandomProvider rng = Init.rng(5);
        int[][] labels = new int[graphs][4];
        StringBuilder a = new StringBuilder(), ind = new StringBuilder(), nl = new StringBuilder(), gl = new StringBuilder();
        double[][][] xs = new double[graphs][4][2];
        int[] cls = new int[graphs];
        for (int q = 0; q < graphs; q++) {
            int ones = 0;
            for (int i = 0; i < 4; i++) {
                labels[q][i] = q < 2 ? (q + i) % 2 * q : rng.nextInt(2);   // graphs 0 and 1: one of each class
                ones += labels[q][i];
                xs[q][i][labels[q][i]] = 1;   // the one-hot node label, as TuDataset builds it
                int u = 4 * q + i + 1, v = 4 * q + (i + 1) % 4 + 1;
                a.append(u).append(", ").append(v).append('\n').append(v).append(", ").append(u).append('\n');
                ind.append(q + 1).append('\n');
                nl.append(labels[q][i]).append('\n');
            }
            cls[q] = ones >= 2 ? 1 : 0;
            gl.append(cls[q] == 1 ? "1" : "-1").append('\n');
        }
        Path dir = Files.createDirectories(tmp.resolve("TOY"));
        Files.writeString(dir.resolve("TOY_A.txt"), a);
        Files.writeString(dir.resolve("TOY_graph_indicator.txt"), ind);
        Files.writeString(dir.resolve("TOY_node_labels.txt"), nl);
        Files.writeString(dir.resolve("TOY_graph_labels.txt"), gl);
        CliRun r = train("""
                task: graph-classification
                data:
                  tu: TOY
                  dir: %s
                  test: 0.2
                  seed: 1
                model:
                  type: gcn
                  width: 4
                  layers: 1
                training:
                  scheme: adam
                  lr: 0.05
                  batch: 4
                  epochs: 5
                  seed: 3
                """.formatted(dir), "--out", tmp.resolve("out").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path model = tmp.resolve("out/adam/model.myc");
        assertThat(summary(tmp.resolve("out"), "adam").get("model").asText()).isEqualTo("model.myc");
        var m = java.util.regex.Pattern.compile("(\\d+) training and (\\d+) test graphs")
                .matcher(new ObjectMapper().readTree(tmp.resolve("out/summary.json").toFile()).get("data").asText());
        assertThat(m.find()).isTrue();
        int nTrain = Integer.parseInt(m.group(1)), nTest = Integer.parseInt(m.group(2));
        assertThat(nTrain + nTest).isEqualTo(graphs);

        Path g = tmp.resolve("cycle.txt"), x = tmp.resolve("px.csv"), y = tmp.resolve("py.csv"), out = tmp.resolve("pred.csv");
        Files.writeString(g, "0 1\n1 2\n2 3\n3 0\n");   // every graph's cycle, node i of the TU graph as node i
        io.mycelium.task.CsvDataset.write(io.mycelium.train.Dataset.of(xs, new double[graphs][4]), x, y);
        CliRun p = CliRun.of("predict", model.toString(), "--graph", g.toString(), "--features", x.toString(), "--out", out.toString());
        assertThat(p.code()).as(p.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(1)).isEqualTo("sample,y1,y2");
        double ce = 0;
        for (int q = 0; q < graphs; q++) {
            String[] f = lines.get(2 + q).split(",");
            double z0 = Double.parseDouble(f[1]), z1 = Double.parseDouble(f[2]), max = Math.max(z0, z1);
            ce += Math.log(Math.exp(z0 - max) + Math.exp(z1 - max)) + max - (cls[q] == 0 ? z0 : z1);
        }
        JsonNode s = summary(tmp.resolve("out"), "adam");
        double measured = (s.get("finalTrainLoss").asDouble() * nTrain + s.get("finalTestLoss").asDouble() * nTest) / graphs;
        assertThat(ce / graphs).isCloseTo(measured, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void coraThroughTrainWithAGcn() throws Exception {
        Path cora = DataDir.find("Cora").orElse(null);
        Assumptions.assumeTrue(cora != null, "needs the Planetoid Cora files: " + DataDir.howToProvide("Cora", "data.dir"));
        String yaml = Files.readString(Path.of("examples/cora-gcn.yaml")).replace("# dir: path/to/Cora", "dir: " + cora.toAbsolutePath());
        CliRun r = train(yaml.replace("epochs: 200", "epochs: 2"), "--out", tmp.resolve("cora").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode top = new ObjectMapper().readTree(tmp.resolve("cora/summary.json").toFile());
        assertThat(top.get("data").asText()).contains("2708 nodes").contains("1433 features, 7 classes").contains("140 / 500 / 1000");
        assertThat(summary(tmp.resolve("cora"), "adam").has("finalValAccuracy")).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("cora/adam/metrics.csv")).getFirst()).contains("val_accuracy");
    }

    /** Every file of every scheme (metrics.csv, model.myc) of two results directories, byte for byte. */
    static void sameResults(Path a, Path b, List<String> schemes) throws Exception {
        for (String sc : schemes)
            for (String f : List.of("metrics.csv", "model.myc"))
                assertThat(Files.readAllBytes(b.resolve(sc).resolve(f))).as(sc + "/" + f).isEqualTo(Files.readAllBytes(a.resolve(sc).resolve(f)));
    }

    @Test
    void aResumedGcnnRunEndsWithTheBitsOfAnUninterruptedOne() throws Exception {
        for (String f : List.of("example-edges.txt", "example-features.csv", "example-labels.csv"))
            Files.copy(Path.of("examples").resolve(f), tmp.resolve(f));
        String yaml = Files.readString(Path.of("examples/train-example.yaml")).replace("schemes: [sgd, adam, d-sgd, d-amsgrad]", "schemes: [adam, d-amsgrad]");
        CliRun full = train(yaml.replace("epochs: 40", "epochs: 6"), "--out", tmp.resolve("full").toString(), "--checkpoint-every", "4");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(tmp.resolve("full/checkpoint/adam.json")).exists();
        // interrupted after 3 of the 6 epochs, then continued in place
        CliRun part = train(yaml.replace("epochs: 40", "epochs: 3"), "--out", tmp.resolve("part").toString(), "--checkpoint-every", "1");
        assertThat(part.code()).as(part.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("part/adam/metrics.csv"))).hasSize(5);
        CliRun resumed = train(yaml.replace("epochs: 40", "epochs: 6"), "--resume", tmp.resolve("part").toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("part/adam/metrics.csv"))).hasSize(8);
        sameResults(tmp.resolve("full"), tmp.resolve("part"), List.of("adam", "d-amsgrad"));

        CliRun other = train(yaml.replace("epochs: 40", "epochs: 6").replace("lr: 0.01", "lr: 0.02"), "--resume", tmp.resolve("full").toString(),
                "--out", tmp.resolve("other").toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("training.lr differs");
        assertThat(Files.exists(tmp.resolve("other"))).isFalse();
    }

    @Test
    void aResumedRegisteredModelRunEndsWithTheBitsOfAnUninterruptedOne() throws Exception {
        classificationData(24);
        String yaml = classification("type: gcn\nwidth: 4\nlayers: 2\nreadoutHidden: []", "[sgd, adam]", 5).replace("  seed: 2", "  seed: 2\n  dropout: 0.2\n  weight-decay: 0.001");
        CliRun full = train(yaml, "--out", tmp.resolve("full").toString(), "--checkpoint-every", "2");
        assertThat(full.code()).as(full.err()).isZero();
        CliRun part = train(yaml.replace("epochs: 5", "epochs: 2"), "--out", tmp.resolve("part").toString(), "--checkpoint-every", "1");
        assertThat(part.code()).as(part.err()).isZero();
        CliRun resumed = train(yaml, "--resume", tmp.resolve("part").toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        sameResults(tmp.resolve("full"), tmp.resolve("part"), List.of("sgd", "adam"));
        assertThat(Files.readAllLines(tmp.resolve("part/adam/metrics.csv"))).hasSize(7);
    }
}
