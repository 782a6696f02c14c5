package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.ModelFile;
import io.mycelium.tensor.Params;
import io.mycelium.wireless.LinkScheduling;
import io.mycelium.wireless.SchedulingTestSet;
import io.mycelium.wireless.Uwmmse;
import io.mycelium.wireless.PowerAllocation;
import io.mycelium.wireless.PowerScheme;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A wireless run stopped at a checkpoint and resumed from its files ends with the bits of one that never stopped. */
class WirelessResumeTest {
    static final Path DATA = Path.of("../shared/data/link-scheduling");
    @TempDir
    Path tmp;

    @Test
    void aSavedUwmmseModelReadsBackWithItsParameters() throws Exception {
        PowerAllocation.Result r = power(1, tmp.resolve("one"), null);
        for (PowerAllocation.Curve c : r.curves()) {
            Path f = tmp.resolve(c.scheme().id() + ".myc");
            Uwmmse.file(c.params(), new ModelFile.Training(c.scheme().id(), 7, 1, "test sum rate, bit/s/Hz", c.last())).write(f);
            CustomModelFile m = CustomModelFile.read(f, "uwmmse");
            assertThat(m.params().get(Uwmmse.THETA).data()).isEqualTo(c.params().get(Uwmmse.THETA).data());
            assertThat(m.params().copies()).isEqualTo(c.scheme().distributed() ? 25 : 1);
            assertThat(m.config(Uwmmse.Saved.class, f)).isEqualTo(Uwmmse.Saved.of());
        }
    }

    private PowerAllocation.Result power(int epochs, Path out, Path resume) {
        List<PowerScheme> schemes = List.of(PowerScheme.ADAM, PowerScheme.GC_ADAM, PowerScheme.D_AMSGRAD);
        // 3 training locations, the test set right after them: small, but every part of a run
        PowerAllocation.Config cfg = new PowerAllocation.Config(epochs, 3, 1, 1e-2, 7, schemes);
        TrainCheckpoints ck = TrainCheckpoints.forParts(out, 1, resume, cfg, schemes.stream().map(PowerScheme::id).toList(), epochs, "test");
        return PowerAllocation.run(cfg, 3, (phase, units) -> {}, PowerAllocationCommand.checkpoints(ck, schemes, epochs));
    }

    @Test
    void aResumedPowerAllocationRunEndsWithTheBitsOfAnUninterruptedOne() {
        PowerAllocation.Result full = power(3, tmp.resolve("full"), null);
        power(1, tmp.resolve("part"), null);
        assertThat(tmp.resolve("part/checkpoint/gc-adam.json")).exists();
        PowerAllocation.Result resumed = power(3, tmp.resolve("part"), tmp.resolve("part"));
        for (int q = 0; q < full.curves().size(); q++) {
            PowerAllocation.Curve a = full.curves().get(q), b = resumed.curves().get(q);
            assertThat(b.test()).as(a.scheme().id()).isEqualTo(a.test());
            assertThat(b.trainAverage()).as(a.scheme().id()).isEqualTo(a.trainAverage());
            assertThat(a.test()[3]).isNotEqualTo(a.test()[1]);   // the epochs after the checkpoint moved the parameters
            Params x = a.params(), y = b.params();
            for (String n : x.names()) assertThat(y.get(n).data()).as(n).isEqualTo(x.get(n).data());
        }
    }

    @Test
    void aResumedLinkSchedulingRunEndsWithTheBitsOfAnUninterruptedOne() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        // the part run ends inside the critic's warm-up, the resumed one crosses it
        String[] common = {"reproduce", "link-scheduling", "--batch", "4", "--critic-warmup", "1", "--seeds", "none", "--data", DATA.toString()};
        CliRun full = CliRun.of(cat(common, "--minibatches", "3", "--checkpoint-every", "2", "--out", tmp.resolve("full").toString()));
        assertThat(full.code()).as(full.err()).isZero();
        CliRun part = CliRun.of(cat(common, "--minibatches", "1", "--checkpoint-every", "1", "--out", tmp.resolve("part").toString()));
        assertThat(part.code()).as(part.err()).isZero();
        CliRun resumed = CliRun.of(cat(common, "--minibatches", "3", "--resume", tmp.resolve("part").toString()));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllLines(tmp.resolve("part/metrics.csv"))).hasSize(1 + 2 * 4).isEqualTo(Files.readAllLines(tmp.resolve("full/metrics.csv")));
        // the saved actors are the trained ones: read back, they give the final test ratio of the summary
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("part/summary.json").toFile());
        SchedulingTestSet test = SchedulingTestSet.read(DATA);
        for (int q = 0; q < 2; q++) {
            String id = summary.get("schemes").get(q).get("scheme").asText();
            assertThat(Files.readAllBytes(tmp.resolve("part").resolve(id).resolve("model.myc"))).as(id)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("full").resolve(id).resolve("model.myc")));
            CustomModelFile m = CustomModelFile.read(tmp.resolve("part").resolve(id).resolve("model.myc"), "lgs-actor");
            assertThat(m.params().copies()).isEqualTo(id.equals("centralized") ? 1 : 100);
            assertThat(LinkScheduling.testRatio(test, m.params())).as(id).isEqualTo(summary.get("schemes").get(q).get("selected_test_ratio").asDouble());
        }

        CliRun other = CliRun.of("reproduce", "link-scheduling", "--batch", "5", "--data", DATA.toString(), "--minibatches", "3",
                "--resume", tmp.resolve("full").toString(), "--out", tmp.resolve("other").toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("batch differs");
        assertThat(Files.exists(tmp.resolve("other"))).isFalse();
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
