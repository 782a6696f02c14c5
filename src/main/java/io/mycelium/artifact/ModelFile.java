package io.mycelium.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.graph.Graph;
import io.mycelium.model.Trainable;
import io.mycelium.model.spec.ModelSpec;
import io.mycelium.tensor.Params;
import io.mycelium.train.GraphReadout;
import io.mycelium.util.InputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained model as a {@code .myc} file: the {@link ModelSpec}, the parameters of every copy, the
 * identity of the graph it was trained on, how it was trained, a format version and a SHA-256
 * checksum. Layout (all integers little-endian; docs/model-files.md has the details and a Python
 * reader):
 * <pre>
 *   8 bytes   magic "MYCMODEL"
 *   4 bytes   format version (uint32)
 *   4 bytes   header length H in bytes (uint32)
 *   H bytes   header, UTF-8 JSON: model spec, graph readout, parameters (name, shape), tied, graph, training
 *   ...       the parameters in header order, each row-major, as IEEE-754 doubles
 *   32 bytes  SHA-256 of every byte before it
 * </pre>
 * {@link #read} refuses, with an {@link InputException} naming the file, anything that is not such a
 * file of a version it reads, or whose bytes do not add up.
 */
public record ModelFile(ModelSpec spec, GraphReadout graphReadout, Params params, GraphIdentity graph, Training training, OutputScale outputScale) {
    public ModelFile {
        if (graph == null && !params.isTied()) throw new IllegalArgumentException("a model with one copy per node needs the identity of its graph");
    }

    /** No output scale. {@code graph}: null only for a tied model trained over many graphs. */
    public ModelFile(ModelSpec spec, GraphReadout graphReadout, Params params, GraphIdentity graph, Training training) {
        this(spec, graphReadout, params, graph, training, null);
    }

    /**
     * The predictions a model's outputs o stand for, {@code center + scale · o} (every output), when it
     * was trained on standardized targets; predict and infer write the predictions.
     */
    public record OutputScale(double center, double scale) {
        public OutputScale {
            if (!Double.isFinite(center) || !(scale > 0) || !Double.isFinite(scale))
                throw new IllegalArgumentException("output scale: a finite center and a positive scale, got " + center + ", " + scale);
        }

        /** {@code center + scale · t}, a new tensor. */
        public io.mycelium.tensor.Tensor apply(io.mycelium.tensor.Tensor t) {
            double[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) v[i] = center + scale * v[i];
            return new io.mycelium.tensor.Tensor(v, t.shape());
        }
    }

    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = MycFormat.VERSION;

    /**
     * How the model was trained: the scheme (or method) id, the seed, the epochs, and the metric it
     * reached with its name (e.g. "test MSE"); {@code metric} null and {@code value} NaN when not measured.
     */
    public record Training(String scheme, long seed, int epochs, String metric, double value) {}

    /** A node-level model: the parameters of {@code model}, trained on {@code graph}. */
    public static ModelFile of(Trainable model, Params params, Graph graph, Training training) {
        return new ModelFile(ModelSpec.of(model), null, params, GraphIdentity.of(graph), training);
    }

    /**
     * A tied node-level model trained over many graphs (no one graph identity), whose outputs map to
     * predictions through {@code scale} (null: the outputs are the predictions).
     */
    public static ModelFile ofTied(Trainable model, Params params, Training training, OutputScale scale) {
        return new ModelFile(ModelSpec.of(model), null, params, null, training, scale);
    }

    /** A graph-level model: {@code model} followed by the graph readout {@code head}; {@code params} holds both. */
    public static ModelFile of(Trainable model, GraphReadout head, Params params, Graph graph, Training training) {
        return new ModelFile(ModelSpec.of(model), head, params, GraphIdentity.of(graph), training);
    }

    public boolean tied() { return params.isTied(); }

    /** The model, ready to run on {@code g} (checked with {@link #checkGraph} first). */
    public Trainable model(Graph g) { return spec.build(g); }

    /**
     * Refuses {@code g} (named {@code what}) when this model has one copy per node and {@code g} is not
     * the graph it was trained on; a tied model runs on any graph.
     */
    public void checkGraph(Path file, Graph g, String what) {
        if (tied()) return;
        GraphIdentity other = GraphIdentity.of(g);
        if (!other.equals(graph))
            throw new InputException(file + ": the model has one parameter copy per node of the graph it was trained on (" + graph
                    + "), but " + what + " has " + other + "; per-node models run only on their own graph");
    }

    // ------------------------------------------------------------------ writing

    /** Writes the file atomically (a hidden file in the same directory, then a move). */
    public void write(Path file) throws IOException {
        ObjectNode h = MycFormat.header();
        h.set("model", spec.toJson());
        if (graphReadout != null) {
            ArrayNode w = h.putArray("graphReadout");
            for (int d : graphReadout.widths()) w.add(d);
        }
        if (outputScale != null) h.putObject("outputScale").put("center", outputScale.center()).put("scale", outputScale.scale());
        MycFormat.putParams(h, params);
        if (graph != null) h.set("graph", MycFormat.JSON.valueToTree(graph));
        MycFormat.putTraining(h, training);
        MycFormat.write(file, h, params);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a file holding a registered graph model. A valid file holding a {@link CustomModelFile}
     * is refused with a message naming the model it holds.
     */
    public static ModelFile read(Path file) {
        MycFormat.Contents c = MycFormat.read(file);
        if (c.header().has(CustomModelFile.FIELD))
            throw new InputException(file + ": holds " + CustomModelFile.describe(c.header())
                    + ", not a registered graph model (" + String.join(", ", ModelSpec.TYPES) + "); predict and infer run only those");
        return decode(file, c.header(), c.params());
    }

    private static ModelFile decode(Path file, JsonNode h, Params params) {
        ModelSpec spec = ModelSpec.fromJson(h.path("model"), file.toString());
        boolean tied = params.isTied();
        GraphReadout head = null;
        if (h.has("graphReadout")) {
            JsonNode w = h.get("graphReadout");
            if (!w.isArray() || w.size() < 2) throw bad(file, "graphReadout", "a list of at least two widths");
            int[] widths = new int[w.size()];
            for (int i = 0; i < widths.length; i++) {
                if (!w.get(i).canConvertToInt() || w.get(i).asInt() < 1) throw bad(file, "graphReadout", "not a list of positive widths: " + w);
                widths[i] = w.get(i).asInt();
            }
            if (widths[0] != spec.outputWidth())
                throw bad(file, "graphReadout", "reads " + widths[0] + " node outputs, the model has " + spec.outputWidth());
            head = new GraphReadout(widths);
        }
        checkAgainstSpec(file, spec, head, params);
        GraphIdentity graph = MycFormat.graph(file, h, !tied);
        if (!tied && params.copies() != graph.nodes())
            throw bad(file, "parameters", params.copies() + " per-node copies for a graph of " + graph.nodes() + " nodes");
        OutputScale scale = null;
        if (h.has("outputScale")) {
            JsonNode o = h.get("outputScale");
            if (!o.path("center").isNumber() || !o.path("scale").isNumber() || !(o.get("scale").asDouble() > 0))
                throw bad(file, "outputScale", "expected {center, scale} with a positive scale");
            scale = new OutputScale(o.get("center").asDouble(), o.get("scale").asDouble());
        }
        return new ModelFile(spec, head, params, graph, MycFormat.training(h), scale);
    }

    /** The spec's model (and graph readout) must have exactly these parameters, with these shapes past the copies axis. */
    private static void checkAgainstSpec(Path file, ModelSpec spec, GraphReadout head, Params params) {
        Params fresh = spec.build(Graph.fromEdges(1, new int[0], new int[0])).init(io.mycelium.tensor.Init.rng(0));
        if (head != null) head.init(fresh, io.mycelium.tensor.Init.rng(0));
        Map<String, String> want = new LinkedHashMap<>(), got = new LinkedHashMap<>();
        fresh.asMap().forEach((n, t) -> want.put(n, Arrays.toString(Arrays.copyOfRange(t.shape(), 1, t.rank()))));
        params.asMap().forEach((n, t) -> got.put(n, Arrays.toString(Arrays.copyOfRange(t.shape(), 1, t.rank()))));
        if (!want.equals(got)) throw bad(file, "parameters", "do not fit the model spec: the file has " + got + ", the model needs " + want);
    }

    private static InputException bad(Path file, String field, String why) { return MycFormat.bad(file, field, why); }
}
