package io.mycelium.model.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.Trainable;
import io.mycelium.task.hogwild.Models;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSpecTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Graph G = Generators.parse("ba:12:2", 3);

    static Stream<String> registered() { return Models.all().stream().map(Models.Entry::id); }

    /** spec → JSON text → spec → model: the same JSON, the same parameter names and shapes, and the same initial draws. */
    static void roundTrips(Trainable model) throws Exception {
        ModelSpec spec = ModelSpec.of(model);
        String text = JSON.writeValueAsString(spec.toJson());
        ModelSpec back = ModelSpec.fromJson(JSON.readTree(text), "test");
        assertThat(back.toJson()).isEqualTo(spec.toJson());
        assertThat(back.getClass()).isEqualTo(spec.getClass());
        Trainable rebuilt = back.build(G);
        assertThat(rebuilt.getClass()).isEqualTo(model.getClass());
        Params a = model.init(Init.rng(5)), b = rebuilt.init(Init.rng(5));
        assertThat(b.names()).containsExactlyElementsOf(a.names());
        for (String n : a.names()) {
            assertThat(b.get(n).shape()).as(n).isEqualTo(a.get(n).shape());
            assertThat(b.get(n).data()).as(n).isEqualTo(a.get(n).data());
        }
    }

    @ParameterizedTest
    @MethodSource("registered")
    void everyRegisteredModelRoundTrips(String id) throws Exception {
        roundTrips(Models.get(id).factory().create(3, 2, 2));
        roundTrips(Models.get(id).factory().create(1, 0, 1));
    }

    @Test
    void theTrainingPapersGcnnRoundTrips() throws Exception {
        Gcnn m = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(G), new int[] {3, 5, 1}, new Activation[] {Activation.TANH, Activation.SIGMOID}, Gcnn.UNIFORM01);
        roundTrips(m);
        JsonNode j = ModelSpec.of(m).toJson();
        assertThat(j.get("type").asText()).isEqualTo("gcnn");
        assertThat(j.get("init").asText()).isEqualTo("uniform01");
        assertThat(j.get("shift").asText()).isEqualTo("NORMALIZED_LAPLACIAN");
        assertThat(j.get("selfWeight").asBoolean()).isTrue();
    }

    /** Kipf and Welling's layer form (no Θ0) round-trips; a spec written before selfWeight existed means the self weight. */
    @Test
    void theGcnnWithoutSelfWeightRoundTripsAndOldSpecsKeepIt() throws Exception {
        Gcnn kipf = new Gcnn(ShiftOperator.RENORMALIZED_ADJACENCY.of(G), new int[] {3, 4, 2}, new Activation[] {Activation.RELU, Activation.IDENTITY},
                Gcnn.GLOROT, false);
        roundTrips(kipf);
        assertThat(ModelSpec.of(kipf).toJson().get("selfWeight").asBoolean()).isFalse();
        assertThat(((Gcnn) ModelSpec.of(kipf).build(G)).selfWeight()).isFalse();
        ModelSpec old = ModelSpec.fromJson(JSON.readTree("{\"type\":\"gcnn\",\"widths\":[3,1],\"activations\":[\"TANH\"],\"shift\":\"LAPLACIAN\",\"init\":\"glorot\"}"), "old");
        assertThat(((Gcnn) old.build(G)).selfWeight()).isTrue();
        assertThat(old.build(G).init(Init.rng(1)).names()).containsExactly("l0.theta0", "l0.theta1");
    }

    /** The hogwild paper's IGNN (Appendix F.1): k = 2, encoder (16, 16, 16, 2), readout (4, 4, out), ReLU, κ = 0.95 on Ã. */
    @Test
    void theIgnnSpecHoldsThePapersConfiguration() throws Exception {
        JsonNode j = ModelSpec.of(Ignn.paper(4, 3)).toJson();
        assertThat(j).isEqualTo(JSON.readTree("""
                {"type":"ignn","inWidth":4,"k":2,"encoderHidden":[16,16,16],"readoutHidden":[4,4],"outWidth":3,
                 "phi":"RELU","kappa":0.95,"shift":"RENORMALIZED_ADJACENCY","lambda":1.0}"""));
    }

    @Test
    void aGcnnOnAnUnnamedOperatorHasNoSpec() {
        Gcnn m = new Gcnn(ShiftOperator.metropolisHastings(G), new int[] {2, 1}, Activation.TANH);
        assertThatThrownBy(() -> ModelSpec.of(m)).hasMessageContaining("metropolis-hastings");
    }

    static String ignn(String replace, String with) {
        String ok = """
                {"type":"ignn","inWidth":4,"k":2,"encoderHidden":[16],"readoutHidden":[4],"outWidth":3,
                 "phi":"RELU","kappa":0.95,"shift":"RENORMALIZED_ADJACENCY","lambda":1.0}""";
        assertThat(ok).contains(replace);
        return ok.replace(replace, with);
    }

    static void refused(String json, String... words) throws Exception {
        JsonNode j = JSON.readTree(json);
        assertThatThrownBy(() -> ModelSpec.fromJson(j, "m.myc")).isInstanceOf(InputException.class).hasMessageStartingWith("m.myc: ")
                .satisfies(e -> assertThat(e.getMessage()).contains(words));
    }

    @Test
    void badSpecsAreRefusedWithAClearMessage() throws Exception {
        ModelSpec.fromJson(JSON.readTree(ignn("", "")), "ok");   // the template itself is fine
        refused(ignn("\"type\":\"ignn\"", "\"type\":\"transformer\""), "unknown model type 'transformer'", "gcnn", "energy");
        refused(ignn("\"type\":\"ignn\",", ""), "no 'type' field");
        refused(ignn("\"kappa\":0.95", "\"kappa\":1.5"), "kappa");
        refused(ignn("\"k\":2", "\"k\":0"), "positive");
        refused(ignn("\"encoderHidden\":[16]", "\"encoderHidden\":[-3]"), "positive");
        refused(ignn("\"phi\":\"RELU\"", "\"phi\":\"SIGMOID\""), "non-expansive");
        refused(ignn("\"phi\":\"RELU\"", "\"phi\":\"SWISH\""), "SWISH");
        refused(ignn(",\"lambda\":1.0", ""), "lambda");
        refused(ignn("\"lambda\":1.0", "\"lambda\":1.0,\"depth\":3"), "depth");
        refused(ignn("\"inWidth\":4", "\"inWidth\":\"four\""), "inWidth");
        refused("{\"type\":\"gcnn\",\"widths\":[3,1],\"activations\":[\"TANH\",\"TANH\"],\"shift\":\"LAPLACIAN\",\"init\":\"glorot\"}", "2 activations for 1 layers");
        refused("{\"type\":\"gcnn\",\"widths\":[3,1],\"activations\":[\"TANH\"],\"shift\":\"LAPLACIAN\",\"init\":\"he\"}", "init");
        refused("{\"type\":\"gcnn\",\"widths\":[3,1],\"activations\":[\"TANH\"],\"shift\":\"LAPLACIAN\",\"init\":\"glorot\",\"selfWeight\":\"no\"}", "selfWeight");
    }

    @Test
    void theKnownTypesAreListed() {
        assertThat(ModelSpec.TYPES).containsExactly("gcnn", "gcn", "gat", "ignn", "gsdgnn", "energy");
        assertThat(Arrays.stream(ModelSpec.class.getPermittedSubclasses()).map(Class::getSimpleName))
                .hasSize(ModelSpec.TYPES.size());
    }
}
