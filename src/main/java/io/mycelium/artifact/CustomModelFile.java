package io.mycelium.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.model.spec.ModelSpec;
import io.mycelium.tensor.Params;
import io.mycelium.util.InputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A trained model that is not one of the registered graph models ({@link ModelSpec}), in the same
 * {@code .myc} layout as a {@link ModelFile} (magic, version, JSON header, doubles, SHA-256): e.g. the
 * UWMMSE power-allocation layers, the link-scheduling actor, an SSL encoder with its linear probe.
 * The header's {@code custom} object names the model ({@code type}, a lower-case id such as
 * {@code "uwmmse"}), says in one line what it is ({@code description}, used in messages) and holds
 * its hyperparameters ({@code config}, any JSON object the owning package writes and reads back).
 * The graph identity is optional (a model trained over many graphs has none).
 *
 * <p>{@code predict} and {@code infer} refuse such a file with a message naming what it holds
 * ({@link ModelFile#read}); the command that wrote it reads it back with {@link #read(Path, String)}.
 */
public record CustomModelFile(String type, String description, JsonNode config, Params params, GraphIdentity graph,
                              ModelFile.Training training) {
    /** The header field that marks a custom model. */
    static final String FIELD = "custom";
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]*");

    public CustomModelFile {
        Objects.requireNonNull(type, "type");
        if (!TYPE.matcher(type).matches()) throw new IllegalArgumentException("custom model type '" + type + "': lower-case letters, digits and '-'");
        if (ModelSpec.TYPES.contains(type)) throw new IllegalArgumentException("'" + type + "' is a registered graph model: write it as a ModelFile");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(params, "params");
        if (config == null) config = MycFormat.JSON.createObjectNode();
        if (!config.isObject()) throw new IllegalArgumentException("config must be a JSON object, got " + config);
    }

    /** Any object Jackson can write (e.g. a record of hyperparameters) as a config. */
    public static JsonNode config(Object hyperparameters) { return MycFormat.JSON.valueToTree(hyperparameters); }

    /** The config read back as {@code cls}; a config that does not fit is refused naming {@code file}. */
    public <T> T config(Class<T> cls, Path file) {
        try {
            return MycFormat.JSON.treeToValue(config, cls);
        } catch (JsonProcessingException e) {
            throw MycFormat.bad(file, FIELD + ".config", "does not describe a " + type + " model: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw MycFormat.bad(file, FIELD + ".config", "does not describe a " + type + " model: " + e.getMessage());
        }
    }

    /** Writes the file atomically, like {@link ModelFile#write}. */
    public void write(Path file) throws IOException {
        ObjectNode h = MycFormat.header();
        ObjectNode c = h.putObject(FIELD);
        c.put("type", type);
        c.put("description", description);
        c.set("config", config);
        MycFormat.putParams(h, params);
        if (graph != null) h.set("graph", MycFormat.JSON.valueToTree(graph));
        MycFormat.putTraining(h, training);
        MycFormat.write(file, h, params);
    }

    /**
     * Reads a custom model of type {@code type}. Everything {@link ModelFile#read} refuses is refused
     * here too; so are a registered graph model and a custom model of another type, each with a
     * message naming what the file holds.
     */
    public static CustomModelFile read(Path file, String type) {
        MycFormat.Contents c = MycFormat.read(file);
        JsonNode h = c.header();
        if (!h.has(FIELD))
            throw new InputException(file + ": holds a " + h.path("model").path("type").asText("?") + " graph model, not a " + type + " model");
        JsonNode cm = h.get(FIELD);
        if (!cm.path("type").isTextual() || !cm.path("description").isTextual() || !cm.path("config").isObject())
            throw MycFormat.bad(file, FIELD, "expected {type, description, config}");
        if (!cm.get("type").asText().equals(type))
            throw new InputException(file + ": holds " + describe(h) + ", not a " + type + " model");
        return new CustomModelFile(type, cm.get("description").asText(), cm.get("config"), c.params(), MycFormat.graph(file, h, false),
                MycFormat.training(h));
    }

    /** "a custom 'uwmmse' model (UWMMSE power allocation ...)", from a header with a custom field. */
    static String describe(JsonNode header) {
        JsonNode c = header.path(FIELD);
        String d = c.path("description").asText("");
        return "a custom '" + c.path("type").asText("?") + "' model" + (d.isEmpty() ? "" : " (" + d + ")");
    }
}
