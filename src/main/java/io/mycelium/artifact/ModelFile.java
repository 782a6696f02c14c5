package io.mycelium.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.graph.Graph;
import io.mycelium.model.Trainable;
import io.mycelium.model.spec.ModelSpec;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphReadout;
import io.mycelium.util.InputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
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
public record ModelFile(ModelSpec spec, GraphReadout graphReadout, Params params, GraphIdentity graph, Training training) {
    public static final byte[] MAGIC = "MYCMODEL".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;
    static final int PREAMBLE = 16, CHECKSUM = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the model was trained: the scheme (or method) id, the seed, the epochs, and the metric it
     * reached with its name (e.g. "test MSE"); {@code metric} null and {@code value} NaN when not measured.
     */
    public record Training(String scheme, long seed, int epochs, String metric, double value) {}

    /** A node-level model: the parameters of {@code model}, trained on {@code graph}. */
    public static ModelFile of(Trainable model, Params params, Graph graph, Training training) {
        return new ModelFile(ModelSpec.of(model), null, params, GraphIdentity.of(graph), training);
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
        byte[] header = JSON.writeValueAsBytes(header());
        long payload = 0;
        for (Tensor t : params.asMap().values()) payload += (long) t.size() * Double.BYTES;
        long total = PREAMBLE + header.length + payload + CHECKSUM;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("model too large for one file: " + total + " bytes");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(header.length).put(header);
        for (Tensor t : params.asMap().values()) for (double v : t.data()) b.putDouble(v);
        MessageDigest sha = GraphIdentity.sha256();
        sha.update(b.array(), 0, b.position());
        b.put(sha.digest());
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".partial");   // not createTempFile: that one is private to the owner
        try {
            Files.write(tmp, b.array());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private ObjectNode header() {
        ObjectNode h = JSON.createObjectNode();
        h.put("format", "mycelium-model");
        h.put("version", VERSION);
        h.set("model", spec.toJson());
        if (graphReadout != null) {
            ArrayNode w = h.putArray("graphReadout");
            for (int d : graphReadout.widths()) w.add(d);
        }
        h.put("tied", tied());
        h.put("copies", params.copies());
        ArrayNode ps = h.putArray("parameters");
        for (Map.Entry<String, Tensor> e : params.asMap().entrySet()) {
            ObjectNode p = ps.addObject();
            p.put("name", e.getKey());
            ArrayNode s = p.putArray("shape");
            for (int d : e.getValue().shape()) s.add(d);
        }
        h.set("graph", JSON.valueToTree(graph));
        if (training != null) {
            ObjectNode t = h.putObject("training");
            t.put("scheme", training.scheme());
            t.put("seed", training.seed());
            t.put("epochs", training.epochs());
            if (training.metric() != null && Double.isFinite(training.value())) {
                t.put("metric", training.metric());
                t.put("value", training.value());
            }
        }
        return h;
    }

    // ------------------------------------------------------------------ reading

    public static ModelFile read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such model file");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(file, all);
    }

    static ModelFile parse(Path file, byte[] all) {
        if (all.length < MAGIC.length || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new InputException(file + ": not a Mycelium model file (it does not start with \"MYCMODEL\")");
        if (all.length < PREAMBLE) throw truncated(file, all.length, PREAMBLE);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long version = Integer.toUnsignedLong(b.getInt(8)), h = Integer.toUnsignedLong(b.getInt(12));
        if (version > VERSION)
            throw new InputException(file + ": model file format version " + version + " is newer than this Mycelium reads (" + VERSION + "); update Mycelium");
        if (version < 1) throw new InputException(file + ": model file format version " + version + " does not exist (corrupted file?)");
        if (PREAMBLE + h > all.length) throw truncated(file, all.length, PREAMBLE + h);
        JsonNode header = null;
        try {
            header = JSON.readTree(new String(all, PREAMBLE, (int) h, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            // a damaged header: the checksum says so
        }
        boolean intact = all.length >= PREAMBLE + h + CHECKSUM;
        if (intact) {
            MessageDigest sha = GraphIdentity.sha256();
            sha.update(all, 0, all.length - CHECKSUM);
            intact = Arrays.equals(sha.digest(), 0, CHECKSUM, all, all.length - CHECKSUM, all.length);
        }
        if (!intact) {
            long expected = -1;
            try {
                if (header != null) expected = size(h, shapes(file, header));
            } catch (InputException | ArithmeticException e) {
                // a damaged header: reported as corruption
            }
            if (all.length < expected) throw truncated(file, all.length, expected);
            throw new InputException(file + ": corrupted (its SHA-256 checksum does not match its contents)");
        }
        if (header == null) throw new InputException(file + ": the header is not valid JSON");
        long[][] shapes = shapes(file, header);
        if (size(h, shapes) != all.length) throw bad(file, "parameters", "the shapes describe " + size(h, shapes) + " bytes, the file has " + all.length);
        return decode(file, header, shapes, b.position((int) (PREAMBLE + h)));
    }

    /** The file size a header of {@code h} bytes listing {@code shapes} implies. */
    private static long size(long h, long[][] shapes) {
        long n = PREAMBLE + h + CHECKSUM;
        for (long[] s : shapes) n = Math.addExact(n, Math.multiplyExact(Double.BYTES, product(s)));
        return n;
    }

    private static InputException truncated(Path file, int size, long expected) {
        return new InputException(file + ": truncated: it has " + size + " bytes, its header describes " + expected);
    }

    /** The shapes the header lists, or an error naming the field. */
    private static long[][] shapes(Path file, JsonNode header) {
        JsonNode ps = header.path("parameters");
        if (!ps.isArray() || ps.isEmpty()) throw bad(file, "parameters", "missing or empty");
        long[][] out = new long[ps.size()][];
        for (int i = 0; i < ps.size(); i++) {
            JsonNode s = ps.get(i).path("shape");
            if (!s.isArray() || s.isEmpty()) throw bad(file, "parameters[" + i + "].shape", "missing");
            out[i] = new long[s.size()];
            for (int d = 0; d < s.size(); d++) {
                if (!s.get(d).canConvertToInt() || s.get(d).asInt() < 0) throw bad(file, "parameters[" + i + "].shape", "not a list of sizes: " + s);
                out[i][d] = s.get(d).asInt();
            }
        }
        return out;
    }

    private static long product(long[] s) {
        long p = 1;
        for (long d : s) p = Math.multiplyExact(p, d);
        return p;
    }

    private static ModelFile decode(Path file, JsonNode h, long[][] shapes, ByteBuffer b) {
        ModelSpec spec = ModelSpec.fromJson(h.path("model"), file.toString());
        if (!h.path("tied").isBoolean()) throw bad(file, "tied", "missing");
        boolean tied = h.get("tied").asBoolean();
        Params params = tied ? new Params() : Params.untied();
        JsonNode ps = h.get("parameters");
        for (int i = 0; i < shapes.length; i++) {
            int[] shape = Arrays.stream(shapes[i]).mapToInt(Math::toIntExact).toArray();
            double[] v = new double[Tensor.sizeOf(shape)];
            for (int q = 0; q < v.length; q++) v[q] = b.getDouble();
            try {
                params.add(ps.get(i).path("name").asText(), new Tensor(v, shape));
            } catch (IllegalArgumentException e) {
                throw bad(file, "parameters[" + i + "]", e.getMessage());
            }
        }
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
        GraphIdentity graph;
        try {
            graph = JSON.treeToValue(h.path("graph"), GraphIdentity.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw bad(file, "graph", "expected {nodes, edges, edgeHash}");
        }
        if (graph == null || graph.edgeHash() == null) throw bad(file, "graph", "expected {nodes, edges, edgeHash}");
        if (!tied && params.copies() != graph.nodes())
            throw bad(file, "parameters", params.copies() + " per-node copies for a graph of " + graph.nodes() + " nodes");
        JsonNode t = h.path("training");
        Training training = t.isObject() ? new Training(t.path("scheme").asText(null), t.path("seed").asLong(), t.path("epochs").asInt(),
                t.path("metric").asText(null), t.has("value") ? t.get("value").asDouble() : Double.NaN) : null;
        return new ModelFile(spec, head, params, graph, training);
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

    private static InputException bad(Path file, String field, String why) {
        return new InputException(file + ": header field '" + field + "': " + why);
    }
}
