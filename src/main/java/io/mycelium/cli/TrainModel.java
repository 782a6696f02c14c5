package io.mycelium.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gat;
import io.mycelium.model.Gcn;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.model.energy.EnergyGnn;

import java.util.List;
import java.util.Map;

/**
 * A registered model of a {@code train} config's {@code model:} section (every type but the GCNN),
 * with its fields checked at load; {@link #build} makes it once the data fix the input and output
 * widths. Missing fields take the hogwild paper's configuration (Appendix F.1).
 *
 * @param fields the section as given, for summary.json
 */
record TrainModel(String type, int width, int layers, int heads, int headWidth, int state, int[] encoder, int[] readout,
                  ShiftOperator shift, Activation phi, double kappa, double lambda, double gamma, double beta, Map<String, Object> fields) {

    static final List<String> TYPES = List.of("gcn", "gat", "ignn", "gsdgnn", "energy-node", "energy-edge", "energy-attention");

    /** Fields each type takes besides {@code type}. */
    private static final Map<String, List<String>> FIELDS = Map.of(
            "gcn", List.of("width", "layers", "readout", "shift"),
            "gat", List.of("layers", "heads", "head-width", "readout"),
            "ignn", List.of("state", "encoder", "readout", "phi", "kappa", "lambda", "shift"),
            "gsdgnn", List.of("state", "encoder", "readout", "gamma", "beta"),
            "energy-node", List.of(), "energy-edge", List.of(), "energy-attention", List.of());

    static TrainModel read(ObjectNode m, String type, TrainConfig.Reader r) {
        if (!FIELDS.containsKey(type)) throw r.bad("model.type", "unknown model '" + type + "'; choose gcnn or one of " + TYPES);
        List<String> allowed = FIELDS.get(type);
        for (var it = m.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("type") && !allowed.contains(k))
                throw r.bad("model." + k, "not a field of " + type + (allowed.isEmpty() ? " (it takes none: the paper's configuration)" : "; its fields are " + allowed));
        }
        int width = m.has("width") ? (int) r.integer(m.get("width"), "model.width", 1, 100_000) : 10;
        int layers = m.has("layers") ? (int) r.integer(m.get("layers"), "model.layers", 1, 1000) : 5;
        int heads = m.has("heads") ? (int) r.integer(m.get("heads"), "model.heads", 1, 1000) : 3;
        int headWidth = m.has("head-width") ? (int) r.integer(m.get("head-width"), "model.head-width", 1, 100_000) : 3;
        int state = m.has("state") ? (int) r.integer(m.get("state"), "model.state", 1, 100_000) : 2;
        int[] encoder = m.has("encoder") ? r.ints(m.get("encoder"), "model.encoder", 1) : new int[] {16, 16, 16};
        int[] readout = m.has("readout") ? r.ints(m.get("readout"), "model.readout", 1) : new int[] {4, 4};
        ShiftOperator shift = m.has("shift") ? r.shift(m.get("shift"), "model.shift") : ShiftOperator.RENORMALIZED_ADJACENCY;
        Activation phi = m.has("phi") ? r.activation(m.get("phi"), "model.phi") : Activation.RELU;
        if (phi != Activation.RELU && phi != Activation.TANH && phi != Activation.IDENTITY)
            throw r.bad("model.phi", "must be non-expansive: relu, tanh or identity");
        double kappa = m.has("kappa") ? r.real(m.get("kappa"), "model.kappa") : 0.95;
        if (!(kappa > 0 && kappa < 1)) throw r.bad("model.kappa", "the contraction factor must be in (0, 1), got " + kappa);
        double lambda = m.has("lambda") ? r.real(m.get("lambda"), "model.lambda") : 1.0;
        if (!(lambda > 0)) throw r.bad("model.lambda", "a bound on the shift operator's largest eigenvalue, must be positive, got " + lambda);
        double gamma = m.has("gamma") ? r.real(m.get("gamma"), "model.gamma") : 1.0;
        if (!(gamma > 0)) throw r.bad("model.gamma", "must be positive, got " + gamma);
        double beta = m.has("beta") ? r.real(m.get("beta"), "model.beta") : 5.0;
        if (!(beta >= 0)) throw r.bad("model.beta", "must be >= 0, got " + beta);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(m, Map.class);
        return new TrainModel(type, width, layers, heads, headWidth, state, encoder, readout, shift, phi, kappa, lambda, gamma, beta, fields);
    }

    /** Whether the type is an implicit model (a fixed point, trained by implicit differentiation). */
    boolean implicit() { return !type.equals("gcn") && !type.equals("gat"); }

    /** A new instance for inputs of {@code in} node and {@code edges} edge features (0: none) and {@code out} outputs per node. */
    Trainable build(int in, int edges, int out) {
        return switch (type) {
            case "gcn" -> new Gcn(in, width, layers, readout, out, shift);
            case "gat" -> new Gat(in, layers, heads, headWidth, readout, out);
            case "ignn" -> new Ignn(in, state, encoder, readout, out, phi, kappa, shift, lambda);
            case "gsdgnn" -> new GsdGnn(in, state, encoder, readout, out, gamma, beta);
            case "energy-node" -> new EnergyGnn(EnergyGnn.Variant.NODE_WISE, in, edges, out);
            case "energy-edge" -> new EnergyGnn(EnergyGnn.Variant.EDGE_WISE, in, edges, out);
            case "energy-attention" -> new EnergyGnn(EnergyGnn.Variant.ATTENTION, in, edges, out);
            default -> throw new IllegalStateException(type);
        };
    }

    static boolean implicit(Trainable t) {
        return switch (t) {
            case ImplicitModel m -> true;
            case Model m -> false;
        };
    }
}
