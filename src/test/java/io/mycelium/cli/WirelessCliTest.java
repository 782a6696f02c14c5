package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to the wireless reproductions: exit 2 before any work, nothing written. */
class WirelessCliTest {
    @TempDir
    Path tmp;

    @Test
    void badOptionsExitTwoAndWriteNothing() {
        Path out = tmp.resolve("out");
        assertThat(Main.execute("reproduce", "power-allocation", "--epochs", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "power-allocation", "--locations", "10001", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "power-allocation", "--schemes", "adam,sgd", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--minibatches", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--graphs", "ring", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--data", tmp.resolve("missing").toString(), "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--seeds", "1-x", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--seeds", "8-1", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--critic-warmup", "-1", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--actor-init", "tf", "--out", out.toString())).isEqualTo(2);
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void theSpreadOverSeedsIsMadeOfTheSingleSeedRuns() throws Exception {
        Path data = Path.of("../shared/data/link-scheduling");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(data), "needs ../shared/data/link-scheduling");
        String[] common = {"reproduce", "link-scheduling", "--quick", "--minibatches", "2", "--batch", "4", "--data", data.toString()};
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        double[][] single = new double[2][2];   // [seed][scheme]: each seed alone
        for (int q = 0; q < 2; q++) {
            Path o = tmp.resolve("s" + q);
            assertThat(Main.execute(cat(common, "--seed", "" + (3 + q), "--out", o.toString()))).isZero();
            com.fasterxml.jackson.databind.JsonNode sum = json.readTree(o.resolve("summary.json").toFile());
            assertThat(sum.has("over_seeds")).isFalse();   // --quick: no further seeds by default
            single[q][0] = sum.get("centralized_ratio").asDouble();
            single[q][1] = sum.get("distributed_ratio").asDouble();
        }
        Path o = tmp.resolve("both");
        assertThat(Main.execute(cat(common, "--seeds", "3,4", "--out", o.toString()))).isZero();
        com.fasterxml.jackson.databind.JsonNode spread = json.readTree(o.resolve("summary.json").toFile()).get("over_seeds");
        assertThat(spread.get("seeds").get(1).asLong()).isEqualTo(4);
        String[] ids = {"centralized", "distributed"};
        for (int s = 0; s < 2; s++) {
            com.fasterxml.jackson.databind.JsonNode sel = spread.get(ids[s]).get("selected");
            assertThat(sel.get("test_ratio").get(0).asDouble()).as(ids[s]).isEqualTo(single[0][s]);
            assertThat(sel.get("test_ratio").get(1).asDouble()).as(ids[s]).isEqualTo(single[1][s]);
            double mean = (single[0][s] + single[1][s]) / 2;
            assertThat(sel.get("mean").asDouble()).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-15));
            assertThat(sel.get("median").asDouble()).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-15));
            assertThat(sel.get("sd").asDouble()).isCloseTo(Math.abs(single[0][s] - single[1][s]) / Math.sqrt(2), org.assertj.core.api.Assertions.within(1e-15));
        }
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
