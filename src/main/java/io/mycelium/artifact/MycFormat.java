package io.mycelium.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
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
import java.util.Map;

/**
 * The byte layout every {@code .myc} file shares, whatever model it holds: magic, version, a JSON
 * header, the parameters as little-endian doubles, a SHA-256 of everything before it. The header's
 * {@code tied}, {@code copies} and {@code parameters} fields are written and read here; what the
 * rest of the header means is {@link ModelFile}'s (a registered graph model) or
 * {@link CustomModelFile}'s (any other model) business.
 */
final class MycFormat {
    static final byte[] MAGIC = "MYCMODEL".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes and the newest it reads. */
    static final int VERSION = 1;
    static final int PREAMBLE = 16, CHECKSUM = 32;
    static final ObjectMapper JSON = new ObjectMapper();

    private MycFormat() {}

    /** A file's header and its parameters, checked against each other and the checksum. */
    record Contents(JsonNode header, Params params) {}

    /** A header with the format's first fields ({@code format}, {@code version}); the caller adds its own, then {@link #putParams}. */
    static ObjectNode header() {
        ObjectNode h = JSON.createObjectNode();
        h.put("format", "mycelium-model");
        h.put("version", VERSION);
        return h;
    }

    /** Adds {@code tied}, {@code copies} and the {@code parameters} list (names and shapes, in order). */
    static void putParams(ObjectNode h, Params params) {
        h.put("tied", params.isTied());
        h.put("copies", params.copies());
        ArrayNode ps = h.putArray("parameters");
        for (Map.Entry<String, Tensor> e : params.asMap().entrySet()) {
            ObjectNode p = ps.addObject();
            p.put("name", e.getKey());
            ArrayNode s = p.putArray("shape");
            for (int d : e.getValue().shape()) s.add(d);
        }
    }

    static void putTraining(ObjectNode h, ModelFile.Training training) {
        if (training == null) return;
        ObjectNode t = h.putObject("training");
        t.put("scheme", training.scheme());
        t.put("seed", training.seed());
        t.put("epochs", training.epochs());
        if (training.metric() != null && Double.isFinite(training.value())) {
            t.put("metric", training.metric());
            t.put("value", training.value());
        }
    }

    static ModelFile.Training training(JsonNode h) {
        JsonNode t = h.path("training");
        return t.isObject() ? new ModelFile.Training(t.path("scheme").asText(null), t.path("seed").asLong(), t.path("epochs").asInt(),
                t.path("metric").asText(null), t.has("value") ? t.get("value").asDouble() : Double.NaN) : null;
    }

    /** The graph identity in {@code h}, or null when the header has none and {@code required} is false. */
    static GraphIdentity graph(Path file, JsonNode h, boolean required) {
        if (!required && (h.path("graph").isMissingNode() || h.path("graph").isNull())) return null;
        GraphIdentity graph;
        try {
            graph = JSON.treeToValue(h.path("graph"), GraphIdentity.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw bad(file, "graph", "expected {nodes, edges, edgeHash}");
        }
        if (graph == null || graph.edgeHash() == null) throw bad(file, "graph", "expected {nodes, edges, edgeHash}");
        return graph;
    }

    /** Writes header and parameters atomically (a hidden file in the same directory, then a move). */
    static void write(Path file, ObjectNode headerJson, Params params) throws IOException {
        byte[] header = JSON.writeValueAsBytes(headerJson);
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

    static Contents read(Path file) {
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

    static Contents parse(Path file, byte[] all) {
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
        return new Contents(header, params(file, header, shapes, b.position((int) (PREAMBLE + h))));
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

    private static Params params(Path file, JsonNode h, long[][] shapes, ByteBuffer b) {
        if (!h.path("tied").isBoolean()) throw bad(file, "tied", "missing");
        Params params = h.get("tied").asBoolean() ? new Params() : Params.untied();
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
        return params;
    }

    static InputException bad(Path file, String field, String why) {
        return new InputException(file + ": header field '" + field + "': " + why);
    }
}
