package io.mycelium.artifact;

import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomModelFileTest {
    @TempDir
    Path dir;

    /** A stand-in for a package's hyperparameters. */
    record Layers(int layers, double[] bias) {}

    static CustomModelFile uwmmseLike(boolean withGraph) {
        Params p = new Params().add("theta", new Tensor(new double[] {0.1, -2.5, Math.PI, -0.0, Double.MIN_VALUE, 1e300}, 1, 6));
        p.add("probe", new Tensor(new double[] {1, 2, 3, 4}, 1, 2, 2));
        return new CustomModelFile("uwmmse", "UWMMSE power allocation, 4 unrolled layers", CustomModelFile.config(new Layers(4, new double[] {0.1, 0.2})),
                p, withGraph ? GraphIdentity.of(ModelFileTest.G) : null, new ModelFile.Training("gc-adam", 3, 10, "test sum-rate", 19.1));
    }

    @Test
    void roundTripsBitForBitWithItsConfig() throws Exception {
        for (boolean withGraph : new boolean[] {false, true}) {
            CustomModelFile f = uwmmseLike(withGraph);
            Path p = dir.resolve("m.myc");
            f.write(p);
            CustomModelFile back = CustomModelFile.read(p, "uwmmse");
            assertThat(back.type()).isEqualTo("uwmmse");
            assertThat(back.description()).isEqualTo(f.description());
            assertThat(back.config(Layers.class, p).layers()).isEqualTo(4);
            assertThat(back.config(Layers.class, p).bias()).containsExactly(0.1, 0.2);
            assertThat(back.graph()).isEqualTo(f.graph());
            assertThat(back.training()).isEqualTo(f.training());
            assertThat(back.params().names()).containsExactly("theta", "probe");
            for (String n : f.params().names()) {
                assertThat(back.params().get(n).shape()).isEqualTo(f.params().get(n).shape());
                assertThat(Arrays.stream(back.params().get(n).data()).mapToLong(Double::doubleToRawLongBits).toArray())
                        .isEqualTo(Arrays.stream(f.params().get(n).data()).mapToLong(Double::doubleToRawLongBits).toArray());
            }
        }
    }

    @Test
    void eachReaderRefusesTheOtherKindNamingWhatTheFileHolds() throws Exception {
        Path custom = dir.resolve("c.myc"), graph = dir.resolve("g.myc");
        uwmmseLike(false).write(custom);
        ModelFileTest.tied().write(graph);
        assertThatThrownBy(() -> ModelFile.read(custom)).isInstanceOf(InputException.class)
                .hasMessageContaining(custom.toString()).hasMessageContaining("custom 'uwmmse' model (UWMMSE power allocation, 4 unrolled layers)")
                .hasMessageContaining("not a registered graph model").hasMessageContaining("gcnn");
        assertThatThrownBy(() -> CustomModelFile.read(graph, "uwmmse")).isInstanceOf(InputException.class)
                .hasMessageContaining(graph.toString()).hasMessageContaining("ignn graph model, not a uwmmse model");
        assertThatThrownBy(() -> CustomModelFile.read(custom, "lgs-actor")).isInstanceOf(InputException.class)
                .hasMessageContaining("custom 'uwmmse' model").hasMessageContaining("not a lgs-actor model");
        assertThatThrownBy(() -> CustomModelFile.read(custom, "uwmmse").config(Integer.class, custom)).isInstanceOf(InputException.class)
                .hasMessageContaining("custom.config");
    }

    @Test
    void aFlippedByteIsRefused() throws Exception {
        Path p = dir.resolve("c.myc");
        uwmmseLike(true).write(p);
        byte[] b = Files.readAllBytes(p);
        b[b.length - 40] ^= 4;   // inside the parameters
        Files.write(p, b);
        assertThatThrownBy(() -> CustomModelFile.read(p, "uwmmse")).isInstanceOf(InputException.class).hasMessageContaining("corrupted");
    }

    @Test
    void aRegisteredTypeOrABadIdIsNotACustomModel() {
        Params p = new Params().add("w", new Tensor(new double[] {1}, 1, 1));
        assertThatThrownBy(() -> new CustomModelFile("gcnn", "x", null, p, null, null)).hasMessageContaining("registered graph model");
        assertThatThrownBy(() -> new CustomModelFile("Bad Type", "x", null, p, null, null)).hasMessageContaining("lower-case");
    }
}
