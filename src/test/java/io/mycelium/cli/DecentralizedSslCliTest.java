package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.artifact.CustomModelFile;
import io.mycelium.ssl.EncoderFile;
import io.mycelium.ssl.LinearProbe;
import io.mycelium.ssl.SslConfig;
import io.mycelium.ssl.SslGraph;
import io.mycelium.task.Planetoid;
import io.mycelium.task.PlanetoidTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** reproduce decentralized-ssl on the tiny Planetoid files PlanetoidTest writes: outputs, determinism, bad input. */
class DecentralizedSslCliTest {
    @TempDir
    Path tmp;

    @Test
    void writesTheSummaryAndTheSameBitsForTheSameSeed() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        PlanetoidTest.writeTiny(data, "cora");
        String[] args = {"reproduce", "decentralized-ssl", "--dataset", "cora", "--data", data.toString(), "--epochs", "4", "--eval-every", "2",
                "--seeds", "2", "--widths", "8,8", "--export-embeddings"};
        assertThat(Main.execute(concat(args, "--out", tmp.resolve("a").toString()))).isZero();
        assertThat(Main.execute(concat(args, "--out", tmp.resolve("b").toString()))).isZero();
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("a/summary.json").toFile());
        for (String k : new String[] {"decentralized_accuracy", "centralized_accuracy", "end_to_end_accuracy", "random_init_accuracy", "raw_features_accuracy",
                "decentralized_faults_accuracy", "decentralized_accuracy_std"})
            assertThat(s.get(k).asDouble()).as(k).isBetween(0.0, 1.0);
        assertThat(s.at("/bytes_per_node_per_epoch/gossip/bytes").asDouble()).isPositive();
        assertThat(Files.exists(tmp.resolve("a/accuracy-vs-rounds.png"))).isTrue();
        assertThat(Files.readString(tmp.resolve("a/embeddings.csv"))).isEqualTo(Files.readString(tmp.resolve("b/embeddings.csv")));
        assertThat(Files.readString(tmp.resolve("a/curves.csv"))).isEqualTo(Files.readString(tmp.resolve("b/curves.csv")));
        assertThat(Files.readAllLines(tmp.resolve("a/embeddings.csv"))).hasSize(509);
        // the saved encoders: the same bytes for the same seed; the centralized one gives the reported accuracy
        for (String m : new String[] {"centralized", "end_to_end", "decentralized", "decentralized_faults"})
            assertThat(Files.readAllBytes(tmp.resolve("a/" + m + "/model.myc"))).as(m).isEqualTo(Files.readAllBytes(tmp.resolve("b/" + m + "/model.myc")));
        Path file = tmp.resolve("a/centralized/model.myc");
        CustomModelFile f = CustomModelFile.read(file, EncoderFile.TYPE);
        Planetoid p = Planetoid.load(data, "cora");
        SslGraph g = SslGraph.planetoid(p, true, 0, 7);
        double[] emb = EncoderFile.embedding(g, SslConfig.defaults().withWidths(8, 8), EncoderFile.parameters(f, file));
        double acc = LinearProbe.evaluate(emb, 16, p.labels(), p.classes(), p.train(), p.val(), p.test()).testAccuracy();
        assertThat(acc).isEqualTo(s.at("/per_seed/centralized/test_accuracy_per_seed/0").asDouble());
        assertThat(f.training().epochs()).isEqualTo(s.at("/per_seed/centralized/chosen_round_per_seed/0").asInt());
    }

    @Test
    void onCiteSeerEachMethodTrainsItsOwnChosenLength() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        PlanetoidTest.writeTiny(data, "citeseer");
        String[] args = {"reproduce", "decentralized-ssl", "--dataset", "citeseer", "--data", data.toString(), "--seeds", "1", "--widths", "4,4", "--eval-every", "20"};
        assertThat(Main.execute(concat(args, "--out", tmp.resolve("own").toString()))).isZero();
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("own/summary.json").toFile());
        java.util.List<String> curves = Files.readAllLines(tmp.resolve("own/curves.csv"));
        for (var e : DecentralizedSslCommand.CITESEER_ROUNDS.entrySet()) {
            assertThat(s.at("/config/rounds_per_method/" + e.getKey()).asInt()).as(e.getKey()).isEqualTo(e.getValue());
            int last = curves.stream().filter(l -> l.startsWith(e.getKey() + ",")).mapToInt(l -> Integer.parseInt(l.split(",")[1])).max().orElseThrow();
            assertThat(last).as(e.getKey() + "'s last probe").isEqualTo(e.getValue());
        }
        // the shared-length read-out: every method at the decentralized run's length; that run's numbers do not depend on the others' lengths
        int t = DecentralizedSslCommand.CITESEER_ROUNDS.get("decentralized");
        assertThat(Main.execute(concat(args, "--epochs", Integer.toString(t), "--out", tmp.resolve("shared").toString()))).isZero();
        JsonNode shared = new ObjectMapper().readTree(tmp.resolve("shared/summary.json").toFile());
        for (String m : new String[] {"centralized", "end_to_end", "decentralized", "decentralized_faults"})
            assertThat(shared.at("/config/rounds_per_method/" + m).asInt()).as(m).isEqualTo(t);
        assertThat(Files.readAllLines(tmp.resolve("shared/curves.csv")).stream().filter(l -> l.startsWith("decentralized,")))
                .containsExactlyElementsOf(curves.stream().filter(l -> l.startsWith("decentralized,")).toList());
    }

    @Test
    void theDecorrelationObjectiveSendsMomentsNotNegatives() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        PlanetoidTest.writeTiny(data, "cora");
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "cora", "--data", data.toString(), "--epochs", "3", "--eval-every", "3",
                "--seeds", "1", "--widths", "6,4", "--objective", "decorrelation", "--churn", "0", "--loss", "0", "--out", tmp.resolve("d").toString())).isZero();
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("d/summary.json").toFile());
        assertThat(s.at("/bytes_per_node_per_epoch/moments/bytes").asDouble()).isPositive();
        assertThat(s.at("/bytes_per_node_per_epoch/negative/bytes").asDouble()).isZero();
        assertThat(s.get("decentralized_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(Files.exists(tmp.resolve("d/decentralized/model.myc"))).isTrue();
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "cora", "--data", data.toString(), "--objective", "cca",
                "--out", tmp.resolve("e").toString())).isEqualTo(2);
        assertThat(Files.exists(tmp.resolve("e"))).isFalse();
    }

    @Test
    void badInputIsExitTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "pubmed", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "cora", "--data", tmp.resolve("nowhere").toString(), "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "cora", "--epochs", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "decentralized-ssl", "--dataset", "cora", "--features", "tfidf", "--out", out.toString())).isEqualTo(2);
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void binaryInputsAreTheFilesBagOfWordsAndRowNormalizedOnesSumToOne() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        PlanetoidTest.writeTiny(data, "cora");
        Planetoid p = Planetoid.load(data, "cora");
        int f = p.featureCount();
        double[] bin = SslGraph.planetoid(p, false, 0, 7).inputs(), norm = SslGraph.planetoid(p, true, 0, 7).inputs();
        int nonzero = 0;
        for (int v = 0; v < p.n(); v++) {
            double sum = 0;
            for (int k = 0; k < f; k++) {
                assertThat(bin[v * f + k]).isIn(0.0, 1.0);
                if (bin[v * f + k] != 0) nonzero++;
                sum += bin[v * f + k];
            }
            double ns = 0;
            for (int k = 0; k < f; k++) ns += norm[v * f + k];
            for (int k = 0; k < f; k++) assertThat(norm[v * f + k]).isCloseTo(sum > 0 ? bin[v * f + k] / sum : 0, org.assertj.core.data.Offset.offset(1e-15));
            if (sum > 0) assertThat(ns).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(nonzero).isEqualTo(p.featIndices().length);
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
