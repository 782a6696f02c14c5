package io.mycelium.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code train --checkpoint-every K} and {@code --resume DIR}: after every K-th epoch (and the last)
 * each scheme's state goes to {@code <out>/checkpoint/<scheme>.json}, written to a temporary file
 * and renamed over the previous one, in the output directory itself (created if needed and marked
 * as Mycelium's, so an interrupted run leaves it behind and a later run may replace it). The
 * finished results keep the last checkpoints, so a run can also be continued to more epochs.
 *
 * <p>The state is what the rest of the run depends on: the parameters of every copy, the
 * optimizer's state (moments, trackers, step counts, per copy), the epochs done, the metrics so
 * far, and the position of the mini-batch shuffle (the epochs done: the trainers draw each epoch's
 * order from it), so a resumed run ends with the same bits as an uninterrupted one. Arrays are
 * stored exactly (little-endian IEEE 754, base64); the configuration is stored too, and a checkpoint
 * of another configuration (other than its epoch count) is refused.
 */
final class TrainCheckpoints {
    static final String DIR = "checkpoint";
    private static final int FORMAT = 1;
    private final Path target;
    private final int every;
    private final Map<String, JsonNode> resumed = new LinkedHashMap<>();
    private final JsonNode config;
    private final String command;
    private final ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** The state of one scheme after {@code epoch} epochs. */
    record State(int epoch, Params params, Map<String, Object> optimizerState, JsonNode rows, JsonNode extra) {}

    /** The metrics rows of a state, as the trainer's records. */
    <T> List<T> rows(State s, Class<T> type) {
        List<T> out = new ArrayList<>();
        try {
            for (JsonNode r : s.rows()) out.add(json.treeToValue(r, type));
        } catch (IOException e) {
            throw new Main.UserError("--resume: a checkpoint's metrics are damaged (" + e.getMessage() + ")");
        }
        return out;
    }

    /**
     * @param target output directory (already validated)
     * @param every  K, 0 for no checkpoints
     * @param resume directory holding a {@code checkpoint/} to continue from, or null
     */
    TrainCheckpoints(Path target, int every, Path resume, TrainConfig cfg) {
        this(target, every, resume, cfg.describe(), "training", cfg.training().schemes(), cfg.training().epochs(), "mycelium train");
    }

    /**
     * @param config  the run's configuration (as in its summary.json)
     * @param section where {@code epochs} sits in it ("" for the top level): the one field a resumed run may change
     * @param command the command, for the output directory's marker
     */
    TrainCheckpoints(Path target, int every, Path resume, Object config, String section, List<Scheme> schemes, int epochs, String command) {
        this(target, every, resume, config, section, schemes.stream().map(Scheme::id).toArray(String[]::new), epochs, command);
    }

    /**
     * Checkpoints of a run whose parts are not {@link Scheme}s (the wireless reproductions): one file per id,
     * {@code epochs} counting whatever unit the run checkpoints after (epochs, mini-batches).
     */
    static TrainCheckpoints forParts(Path target, int every, Path resume, Object config, List<String> ids, int epochs, String command) {
        return new TrainCheckpoints(target, every, resume, config, "", ids.toArray(String[]::new), epochs, command);
    }

    private TrainCheckpoints(Path target, int every, Path resume, Object config, String section, String[] ids, int epochs, String command) {
        this.target = target;
        this.every = every;
        this.command = command;
        ObjectNode c = json.valueToTree(config);
        (section.isEmpty() ? c : (ObjectNode) c.get(section)).remove("epochs");
        this.config = c;
        if (resume == null) return;
        Path dir = resume.resolve(DIR);
        if (!Files.isDirectory(dir))
            throw new Main.UserError("--resume " + resume + ": no " + DIR + "/ in it (a run with --checkpoint-every K writes one)");
        for (String id : ids) {
            Path f = dir.resolve(id + ".json");
            if (!Files.isRegularFile(f)) continue;   // this scheme starts afresh
            JsonNode n = read(json, resume, f, FORMAT);
            String differs = differs(n.path("config"), this.config, "");
            if (differs != null)
                throw new Main.UserError("--resume " + resume + ": " + f + " was written for another configuration (" + differs
                        + " differs); only the number of epochs may change");
            if (n.path("epoch").asInt() > epochs)
                throw new Main.UserError("--resume " + resume + ": the checkpoint of " + id + " is at epoch " + n.path("epoch").asInt()
                        + ", beyond the " + epochs + " epochs of this run");
            resumed.put(id, n);
        }
        if (resumed.isEmpty()) throw new Main.UserError("--resume " + resume + ": " + dir + " holds no checkpoint of the schemes " + List.of(ids));
    }

    /**
     * Where a run with {@code --resume} writes: the resumed directory itself unless {@code --out} was
     * given (then {@link #replaces} is true), else {@code --out}.
     */
    static OutputDir.Target target(picocli.CommandLine.Model.CommandSpec spec, Path out, Path resume) {
        if (resume != null && !Files.isDirectory(resume)) throw new Main.UserError("--resume " + resume + ": no such directory");
        boolean outGiven = spec.commandLine() != null && spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--out");
        return resume != null && !outGiven ? new OutputDir.Target(resume, "--resume " + resume, spec.qualifiedName()) : OutputDir.Target.of(spec, out);
    }

    /** True when the run continues in the directory it resumes (which it then replaces). */
    static boolean replaces(OutputDir.Target target, Path resume) {
        return resume != null && resume.toAbsolutePath().normalize().equals(target.path().toAbsolutePath().normalize());
    }

    /** The checkpoint file {@code f} of {@code --resume resume}, refused with a message unless it is JSON of format {@code format}. */
    static JsonNode read(ObjectMapper json, Path resume, Path f, int format) {
        JsonNode n;
        try {
            n = json.readTree(f.toFile());
        } catch (IOException e) {
            throw new Main.UserError("--resume " + resume + ": " + f + " is not a readable checkpoint (" + e.getMessage() + ")");
        }
        if (n == null || n.path("format").asInt() != format)
            throw new Main.UserError("--resume " + resume + ": " + f + " is not a checkpoint of format " + format);
        return n;
    }

    /** The saved state of a scheme, or null when it starts afresh. */
    State load(Scheme s) { return load(s.id()); }

    /** The saved state of part {@code id}, or null when it starts afresh. */
    State load(String id) {
        JsonNode n = resumed.get(id);
        if (n == null) return null;
        try {
            return new State(n.get("epoch").asInt(), params(n.get("params")), optimizer(n.get("optimizer")), n.get("rows"), n.get("extra"));
        } catch (RuntimeException e) {
            throw new Main.UserError("--resume: the checkpoint of " + id + " is damaged (" + e.getMessage() + ")");
        }
    }

    /** After epoch {@code epoch} of {@code epochs}: writes the state when K divides the epoch or it is the last. */
    void after(Scheme s, int epoch, int epochs, Params params, Map<String, Object> optimizerState, List<?> rows) throws IOException {
        after(s, epoch, epochs, params, optimizerState, rows, null);
    }

    void after(Scheme s, int epoch, int epochs, Params params, Map<String, Object> optimizerState, List<?> rows, JsonNode extra) throws IOException {
        after(s.id(), epoch, epochs, params, optimizerState, rows, extra);
    }

    /** As above for part {@code id}; {@code optimizerState} may hold any further named Params and longs the part needs. */
    void after(String id, int epoch, int epochs, Params params, Map<String, Object> optimizerState, List<?> rows, JsonNode extra) throws IOException {
        if (every <= 0 || (epoch % every != 0 && epoch != epochs)) return;
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.put("scheme", id);
        n.put("epoch", epoch);
        n.set("config", config);
        n.set("params", tree(params));
        n.set("optimizer", optimizerTree(optimizerState));
        n.set("rows", json.valueToTree(rows));
        if (extra != null) n.set("extra", extra);
        write(id, n);
    }

    /** A static GCNN run's checkpoints, through {@link TrainingRun.Checkpoints}. */
    TrainingRun.Checkpoints of(Scheme s, int epochs) {
        return new TrainingRun.Checkpoints() {
            @Override
            public TrainingRun.Snapshot resume() {
                State st = load(s);
                if (st == null) return null;
                JsonNode x = st.extra();
                return new TrainingRun.Snapshot(st.epoch(), st.params(), st.optimizerState(), rows(st, TrainingRun.Epoch.class), x.get("minibatches").asLong(),
                        x.get("rounds").asLong(), x.get("messages").asLong(), x.get("floats").asLong());
            }

            @Override
            public void save(TrainingRun.Snapshot r) {
                ObjectNode x = json.createObjectNode().put("minibatches", r.minibatches()).put("rounds", r.rounds()).put("messages", r.messages()).put("floats", r.floats());
                try {
                    after(s, r.epoch(), epochs, r.params(), r.optimizerState(), r.epochs(), x);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the checkpoint of " + s.id() + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private synchronized void write(String id, ObjectNode n) throws IOException {   // schemes may train on several threads
        Path dir = Files.createDirectories(target.resolve(DIR));
        mark(target, command, DIR + "/" + id + ".json");
        Path tmp = Files.createTempFile(dir, "." + id + "-", ".tmp");
        json.writeValue(tmp.toFile(), n);
        Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies the last checkpoints into the finished results. */
    void copyInto(Path staging) throws IOException {
        Path dir = target.resolve(DIR);
        if (every <= 0 || !Files.isDirectory(dir)) return;
        Path to = Files.createDirectories(staging.resolve(DIR));
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    /**
     * Lists {@code file} in the marker of the output directory {@code target} (creating both), so the
     * directory stays one Mycelium may replace; {@code command} names the writer in a new marker.
     */
    static synchronized void mark(Path target, String command, String file) throws IOException {
        Path m = target.resolve(OutputDir.MARKER);
        Set<String> lines = new LinkedHashSet<>();
        if (Files.isRegularFile(m)) lines.addAll(Files.readAllLines(m, StandardCharsets.UTF_8));
        else lines.add("# Written by '" + command + "' (checkpoints of a run in progress). Mycelium replaces this directory only while it holds\n"
                + "# nothing but the files listed below (see docs/cli.md, output directories).");
        if (lines.add(file)) Files.writeString(m, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** The first field where two configurations differ, or null. */
    static String differs(JsonNode a, JsonNode b, String path) {
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String d = differs(a.path(k), b.path(k), path.isEmpty() ? k : path + "." + k);
                if (d != null) return d;
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = differs(a.get(i), b.get(i), path + "[" + i + "]");
                if (d != null) return d;
            }
            return null;
        }
        return a.toString().equals(b.toString()) ? null : path;   // numbers as written: 1 read back equals 1L
    }

    /** Parameters as JSON, exactly: per tensor its shape and its doubles (little-endian IEEE 754, base64). */
    static ObjectNode tree(Params p) {
        ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        n.put("tied", p.isTied());
        ObjectNode ts = n.putObject("tensors");
        for (String name : p.names()) {
            Tensor t = p.get(name);
            ObjectNode o = ts.putObject(name);
            var shape = o.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            ByteBuffer b = ByteBuffer.allocate(t.size() * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asDoubleBuffer().put(t.data(), 0, t.size());
            o.put("data", Base64.getEncoder().encodeToString(b.array()));
        }
        return n;
    }

    /** An optimizer's state (named Params and longs) as JSON, exactly. */
    static ObjectNode optimizerTree(Map<String, Object> state) {
        ObjectNode opt = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Object> e : state.entrySet()) {
            switch (e.getValue()) {
                case Params p -> opt.set(e.getKey(), tree(p));
                case Long l -> opt.putObject(e.getKey()).put("long", l);
                default -> throw new IllegalStateException("cannot checkpoint optimizer state '" + e.getKey() + "' of type " + e.getValue().getClass().getName());
            }
        }
        return opt;
    }

    /** The optimizer state {@link #optimizerTree} wrote. */
    static Map<String, Object> optimizer(JsonNode n) {
        Map<String, Object> st = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            st.put(e.getKey(), e.getValue().has("long") ? (Object) e.getValue().get("long").asLong() : params(e.getValue()));
        }
        return st;
    }

    /** A graph trainer's snapshot as JSON, exactly: epoch, parameters, optimizer state, warm starts (null where none). */
    static ObjectNode snapshotTree(io.mycelium.train.GraphTrainer.Snapshot s) {
        ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        n.put("epoch", s.epoch());
        n.set("params", tree(s.params()));
        n.set("optimizer", optimizerTree(s.optimizerState()));
        var warm = n.putArray("warmStarts");
        for (Tensor[] w : s.warmStarts()) {
            var pair = warm.addArray();
            for (Tensor t : w) pair.add(t == null ? com.fasterxml.jackson.databind.node.NullNode.instance : tree(Params.untied().add("t", t)));
        }
        return n;
    }

    /** The snapshot {@link #snapshotTree} wrote. */
    static io.mycelium.train.GraphTrainer.Snapshot snapshot(JsonNode n) {
        List<Tensor[]> warm = new ArrayList<>();
        for (JsonNode w : n.get("warmStarts")) {
            Tensor[] pair = new Tensor[w.size()];
            for (int i = 0; i < pair.length; i++) pair[i] = w.get(i).isNull() ? null : params(w.get(i)).get("t");
            warm.add(pair);
        }
        return new io.mycelium.train.GraphTrainer.Snapshot(n.get("epoch").asInt(), params(n.get("params")), optimizer(n.get("optimizer")), warm);
    }

    /** The parameters {@link #tree} wrote. */
    static Params params(JsonNode n) {
        Params p = n.get("tied").asBoolean() ? new Params() : Params.untied();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.get("tensors").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode s = e.getValue().get("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asInt();
            byte[] bytes = Base64.getDecoder().decode(e.getValue().get("data").asText());
            double[] d = new double[bytes.length / Double.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
            p.add(e.getKey(), new Tensor(d, shape));
        }
        return p;
    }
}
