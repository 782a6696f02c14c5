package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mycelium.graph.Graph;
import io.mycelium.model.Gat;
import io.mycelium.model.Gcn;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.model.energy.EnergyGnn;
import io.mycelium.model.spec.ModelSpec;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A registered model in a {@code train} config's {@code model:} section: a {@link ModelSpec} (the
 * description model files use) whose input and output widths come from the data. Fields left out
 * take the hogwild paper's configuration of that model (Appendix F.1); enum values may be written
 * as in the rest of the config ({@code relu}, {@code renormalized-adjacency}, {@code node-wise}).
 * The section is checked at load by building the model with placeholder widths.
 *
 * @param given the section as written (without {@code type}), for summary.json
 */
record TrainModel(String type, ObjectNode given, String where) {

    /** The spec fields the data fix: they may be given, but must then match the data. */
    private static final Set<String> WIDTHS = Set.of("inWidth", "outWidth", "nodeFeatures", "edgeFeatures");
    /** Fields holding enum values (written in capitals in a spec). */
    private static final Set<String> ENUMS = Set.of("activations", "phi", "shift", "variant");

    static TrainModel read(ObjectNode m, String type, TrainConfig.Reader r) {
        if (type.equals("gcnn") || !ModelSpec.TYPES.contains(type))
            throw r.bad("model.type", "unknown model '" + type + "'; choose one of " + ModelSpec.TYPES);
        ObjectNode given = m.deepCopy();
        given.remove("type");
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            var e = it.next();
            if (ENUMS.contains(e.getKey())) e.setValue(capitals(e.getValue()));
        }
        TrainModel t = new TrainModel(type, given, r.file() + ": model");
        try {
            t.spec(1, 0, 1);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage().replace(r.file() + ": model: model spec: ", r.file() + ": model: "), e);
        }
        return t;
    }

    private static JsonNode capitals(JsonNode v) {
        if (v.isTextual()) return new TextNode(v.asText().strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        if (v.isArray()) {
            var a = v.deepCopy();
            for (int i = 0; i < a.size(); i++) ((com.fasterxml.jackson.databind.node.ArrayNode) a).set(i, capitals(a.get(i)));
            return a;
        }
        return v;
    }

    /** The spec for inputs of {@code in} node and {@code edges} edge features and {@code out} outputs per node: the paper's model overlaid with the given fields. */
    ModelSpec spec(int in, int edges, int out) {
        ObjectNode json = (ObjectNode) paper(in, edges, out).toJson();
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            var e = it.next();
            if (WIDTHS.contains(e.getKey()) && json.has(e.getKey()) && !json.get(e.getKey()).equals(e.getValue()))
                throw new Main.UserError(where + "." + e.getKey() + ": is " + e.getValue() + " but the data need " + json.get(e.getKey())
                        + " (leave it out: the data fix it)");
            json.set(e.getKey(), e.getValue());
        }
        return ModelSpec.fromJson(json, where);
    }

    /** The hogwild paper's configuration of this type (Appendix F.1), as a spec. */
    private ModelSpec paper(int in, int edges, int out) {
        Trainable m = switch (type) {
            case "gcn" -> Gcn.paper(in, out);
            case "gat" -> Gat.paper(in, out);
            case "ignn" -> Ignn.paper(in, out);
            case "gsdgnn" -> GsdGnn.paper(in, out);
            case "energy" -> new EnergyGnn(EnergyGnn.Variant.NODE_WISE, in, edges, out);
            default -> throw new IllegalStateException(type);
        };
        return ModelSpec.of(m);
    }

    /** A new instance (on {@code g}; only the GCNN keeps its graph's operator). */
    Trainable build(int in, int edges, int out, Graph g) { return spec(in, edges, out).build(g); }

    /** Whether the type is an implicit model (a fixed point, trained by implicit differentiation). */
    boolean implicit() { return implicit(build(1, 0, 1, io.mycelium.train.GraphNet.ONE_NODE)); }

    static boolean implicit(Trainable t) {
        return switch (t) {
            case ImplicitModel m -> true;
            case Model m -> false;
        };
    }

    /** The given fields, for summary.json. */
    Map<String, Object> fields() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new java.util.LinkedHashMap<>(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(given, Map.class));
        m.put("type", type);
        return m;
    }

    static List<String> types() { return ModelSpec.TYPES; }
}
