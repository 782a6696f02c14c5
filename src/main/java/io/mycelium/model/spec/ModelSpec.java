package io.mycelium.model.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gat;
import io.mycelium.model.Gcn;
import io.mycelium.model.Gcnn;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.Mlp;
import io.mycelium.model.Trainable;
import io.mycelium.model.energy.EnergyGnn;
import io.mycelium.util.InputException;

import java.util.Arrays;
import java.util.List;

/**
 * What a model is, without its parameters: its type and hyperparameters, as JSON
 * ({@code {"type": "ignn", "inWidth": 3, ...}}), enough to rebuild the {@link Trainable} whose
 * parameters a model file holds. {@link #of} describes a model object, {@link #build} makes one;
 * {@link #fromJson} reads a spec written by {@link #toJson} and refuses an unknown type or a bad
 * hyperparameter with an {@link InputException}.
 *
 * <p>To add a model: one record here (its constructor's arguments), one {@code @JsonSubTypes} line
 * and one case in {@link #of}; the round-trip test then covers it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ModelSpec.GcnnSpec.class, name = "gcnn"),
        @JsonSubTypes.Type(value = ModelSpec.GcnSpec.class, name = "gcn"),
        @JsonSubTypes.Type(value = ModelSpec.GatSpec.class, name = "gat"),
        @JsonSubTypes.Type(value = ModelSpec.IgnnSpec.class, name = "ignn"),
        @JsonSubTypes.Type(value = ModelSpec.GsdGnnSpec.class, name = "gsdgnn"),
        @JsonSubTypes.Type(value = ModelSpec.EnergySpec.class, name = "energy")})
public sealed interface ModelSpec {
    /** The type ids {@link #fromJson} accepts. */
    List<String> TYPES = Arrays.stream(ModelSpec.class.getAnnotation(JsonSubTypes.class).value()).map(JsonSubTypes.Type::name).toList();

    /**
     * The model, ready to run on {@code graph}. Only the GCNN holds its shift operator (built here
     * on {@code graph}); the other models build theirs on whatever graph they run on and ignore it.
     */
    Trainable build(Graph graph);

    /** Input features per node. */
    int inputWidth();

    /** Outputs per node. */
    int outputWidth();

    /** Features per edge the model reads (0: none). */
    default int edgeFeatureWidth() { return 0; }

    /**
     * The training paper's GCNN (eq. 9); {@code init}: glorot or uniform01, null when the model drew its weights another way;
     * {@code selfWeight}: each layer has Θ0 (eq. 9) or only S X Θ1 (Kipf and Welling's layer). A spec written before
     * {@code selfWeight} existed has none and means true.
     */
    record GcnnSpec(int[] widths, Activation[] activations, ShiftOperator shift, String init, boolean selfWeight) implements ModelSpec {
        public GcnnSpec {
            if (Arrays.asList(activations).contains(null)) throw new InputException("activations: null is not an activation");
            if (init != null && !init.equals("glorot") && !init.equals("uniform01")) throw new InputException("init: glorot, uniform01 or null, got '" + init + "'");
        }

        @Override
        public Gcnn build(Graph graph) {
            Gcnn.WeightInit w = "uniform01".equals(init) ? Gcnn.UNIFORM01 : Gcnn.GLOROT;
            return new Gcnn(shift.of(graph), widths, activations, w, selfWeight);
        }

        @Override
        public int inputWidth() { return widths[0]; }

        @Override
        public int outputWidth() { return widths[widths.length - 1]; }
    }

    /** Kipf and Welling's GCN: encoder to {@code width}, {@code layers} layers, readout MLP. */
    record GcnSpec(int inWidth, int width, int layers, int[] readoutHidden, int outWidth, ShiftOperator shift) implements ModelSpec {
        @Override
        public Gcn build(Graph graph) { return new Gcn(inWidth, width, layers, readoutHidden, outWidth, shift); }

        @Override
        public int inputWidth() { return inWidth; }

        @Override
        public int outputWidth() { return outWidth; }
    }

    /** The graph attention network: {@code heads} heads of width {@code headWidth} per layer, readout MLP. */
    record GatSpec(int inWidth, int layers, int heads, int headWidth, int[] readoutHidden, int outWidth) implements ModelSpec {
        @Override
        public Gat build(Graph graph) { return new Gat(inWidth, layers, heads, headWidth, readoutHidden, outWidth); }

        @Override
        public int inputWidth() { return inWidth; }

        @Override
        public int outputWidth() { return outWidth; }
    }

    /** The implicit GNN: state width k, MLP encoder and readout, φ, contraction κ on a shift with λ_max ≤ λ. */
    record IgnnSpec(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth, Activation phi, double kappa,
                    ShiftOperator shift, double lambda) implements ModelSpec {
        @Override
        public Ignn build(Graph graph) { return new Ignn(inWidth, k, encoderHidden, readoutHidden, outWidth, phi, kappa, shift, lambda); }

        @Override
        public int inputWidth() { return inWidth; }

        @Override
        public int outputWidth() { return outWidth; }
    }

    /** The graph-signal-denoising GNN: state width k, MLP encoder and readout, γ and β of its energy. */
    record GsdGnnSpec(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth, double gamma, double beta) implements ModelSpec {
        @Override
        public GsdGnn build(Graph graph) { return new GsdGnn(inWidth, k, encoderHidden, readoutHidden, outWidth, gamma, beta); }

        @Override
        public int inputWidth() { return inWidth; }

        @Override
        public int outputWidth() { return outWidth; }
    }

    /** An energy GNN of one variant with its sizes and constants. */
    record EnergySpec(EnergyGnn.Variant variant, int nodeFeatures, int edgeFeatures, int outWidth, EnergyGnn.Config config) implements ModelSpec {
        @Override
        public EnergyGnn build(Graph graph) { return new EnergyGnn(variant, nodeFeatures, edgeFeatures, outWidth, config); }

        @Override
        public int edgeFeatureWidth() { return edgeFeatures; }

        @Override
        public int inputWidth() { return nodeFeatures; }

        @Override
        public int outputWidth() { return outWidth; }
    }

    /**
     * The spec of a model object. A GCNN is described only on one of the named shift operators
     * ({@link ShiftOperator}); a model type without a spec is refused (add it here).
     */
    static ModelSpec of(Trainable model) {
        return switch (model) {
            case Gcnn m -> {
                Activation[] acts = new Activation[m.layers()];
                for (int l = 0; l < acts.length; l++) acts[l] = m.activation(l);
                String init = m.weightInit() == Gcnn.GLOROT ? "glorot" : m.weightInit() == Gcnn.UNIFORM01 ? "uniform01" : null;
                ShiftOperator s;
                try {
                    s = ShiftOperator.parse(m.shift().name());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("a GCNN on the operator '" + m.shift().name() + "' has no spec: it must be one of the named shift operators", e);
                }
                yield new GcnnSpec(m.widths(), acts, s, init, m.selfWeight());
            }
            case Gcn m -> new GcnSpec(m.encoder().inWidth(), m.width(), m.layers(), hidden(m.readout()), m.readout().outWidth(), m.shiftKind());
            case Gat m -> new GatSpec(m.inWidth(), m.layers(), m.heads(), m.headWidth(), hidden(m.readout()), m.readout().outWidth());
            case Ignn m -> new IgnnSpec(m.encoder().inWidth(), m.stateWidth(), hidden(m.encoder()), hidden(m.readout()), m.readout().outWidth(),
                    m.phi(), m.kappa(), m.shiftKind(), m.lambda());
            case GsdGnn m -> new GsdGnnSpec(m.encoder().inWidth(), m.stateWidth(), hidden(m.encoder()), hidden(m.readout()), m.readout().outWidth(),
                    m.gamma(), m.beta());
            case EnergyGnn m -> new EnergySpec(m.variant(), m.nodeFeatures(), m.edgeFeatures(), m.outWidth(), m.config());
            default -> throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no model spec (add one in " + ModelSpec.class.getName() + ")");
        };
    }

    private static int[] hidden(Mlp m) {
        int[] w = m.widths();
        return Arrays.copyOfRange(w, 1, w.length - 1);
    }

    /** The reader and writer of specs: every field required, none unknown. */
    ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                    DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    default JsonNode toJson() { return JSON.valueToTree(this); }

    /**
     * Reads a spec and checks it by building the model (on a one-node graph, without parameters): an unknown type, a
     * missing or unknown field, or a hyperparameter the model refuses gives an {@link InputException}
     * whose message starts with {@code where} (e.g. the model file's name).
     */
    static ModelSpec fromJson(JsonNode json, String where) {
        ModelSpec spec;
        if (json.isObject() && "gcnn".equals(json.path("type").asText()) && !json.has("selfWeight"))
            json = ((com.fasterxml.jackson.databind.node.ObjectNode) json.deepCopy()).put("selfWeight", true);   // written before the field existed
        try {
            spec = JSON.treeToValue(json, ModelSpec.class);
        } catch (InvalidTypeIdException e) {
            throw new InputException(where + ": unknown model type " + (e.getTypeId() == null ? "(no 'type' field)" : "'" + e.getTypeId() + "'")
                    + "; known types: " + TYPES);
        } catch (ValueInstantiationException e) {
            throw new InputException(where + ": bad model spec: " + (e.getCause() == null ? e.getOriginalMessage() : e.getCause().getMessage()), e);
        } catch (UnrecognizedPropertyException e) {
            throw new InputException(where + ": model spec: unknown field '" + field(e) + "'; expected " + e.getKnownPropertyIds(), e);
        } catch (JsonMappingException e) {
            String msg = firstLine(e.getOriginalMessage());
            if (msg.startsWith("Missing creator property") || msg.startsWith("Null value for creator property"))
                throw new InputException(where + ": model spec: missing field '" + msg.replaceAll("^[^']*'([^']*)'.*$", "$1") + "'", e);
            int cut = msg.indexOf(" (but");
            throw new InputException(where + ": model spec: field '" + field(e) + "': " + (cut < 0 ? msg : msg.substring(0, cut)), e);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InputException(where + ": bad model spec: " + firstLine(e.getMessage()), e);
        }
        if (spec == null) throw new InputException(where + ": the model spec is empty");
        try {
            spec.build(Graph.fromEdges(1, new int[0], new int[0]));
        } catch (RuntimeException e) {   // the model's constructor is the authority on its hyperparameters
            throw new InputException(where + ": bad " + json.path("type").asText() + " model spec: " + e.getMessage(), e);
        }
        return spec;
    }

    /** The field an error is about, as a dotted path ({@code config.alpha}). */
    private static String field(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) b.append('[').append(r.getIndex()).append(']');
        }
        return b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
