package io.mycelium.cli;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.artifact.ModelFile;
import io.mycelium.task.hogwild.FinishedRuns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code --checkpoint-every K} and {@code --resume DIR} of hogwild Tables 1 and 2, whose runs (Table 1:
 * one per model, task, seed and fold; Table 2: one per model and task) train independently. After
 * every K-th epoch (and the last) of a run its training state (parameters, Adam's moments and step
 * count, the warm starts of its batches: {@link io.mycelium.train.GraphTrainer.Snapshot}) goes to
 * {@code <out>/checkpoint/<run>.state.json}; when a run finishes, its result joins
 * {@code <out>/checkpoint/runs.json} and its trained model is written as {@code <run>.myc}. All of it
 * is in the output directory itself, replaced atomically and listed in its marker (like
 * {@link TrainCheckpoints}). A resumed invocation takes the finished runs as they are and continues
 * every other run from its state; every run is seeded by itself, so the tables and model files end
 * with the same bits as an uninterrupted invocation's, also when it trains to more epochs (a run
 * finished with fewer epochs continues from its state). A checkpoint of another configuration (other
 * than the epochs) is refused.
 *
 * @param <R> a run's result, a record whose {@code trained} component (its model) is kept in the {@code .myc} file
 */
final class TableCheckpoints<R> implements FinishedRuns<R> {
    static final String DIR = TrainCheckpoints.DIR, RUNS = "runs.json", STATE = ".state.json";
    private static final int FORMAT = 1;

    @JsonIgnoreProperties({"trained"})
    private interface WithoutModel {}

    private final Path target, resume;
    private final int every;
    private final String command;
    private final JsonNode config;
    private final Class<R> type;
    private final Function<R, ModelFile> model;
    private final ObjectMapper json;
    private final Map<String, R> earlier = new LinkedHashMap<>();
    private final Map<String, R> finished = new LinkedHashMap<>();

    /**
     * @param target output directory (already validated)
     * @param every  K, 0 for no checkpoints
     * @param resume directory holding a {@code checkpoint/} to continue from, or null
     * @param config the run's whole configuration ({@code config}: the HogwildConfig, whose epochs may change; anything else beside it)
     * @param model  a result's trained model
     * @param with   the result with its model put back
     */
    TableCheckpoints(Path target, int every, Path resume, Object config, Class<R> type, Function<R, ModelFile> model,
                     BiFunction<R, ModelFile, R> with, String command) {
        this.target = target;
        this.every = every;
        this.command = command;
        this.type = type;
        this.model = model;
        this.json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).addMixIn(type, WithoutModel.class).build();
        ObjectNode c = json.valueToTree(config);
        if (c.get("config") instanceof ObjectNode h) {   // the epochs choose how long the runs train, not what an epoch does
            h.remove("epochs");
            h.remove("explicitEpochs");
        }
        this.config = c;
        this.resume = resume;
        if (resume == null) return;
        Path dir = resume.resolve(DIR), f = dir.resolve(RUNS);
        if (!Files.isDirectory(dir))
            throw new Main.UserError("--resume " + resume + ": no " + DIR + "/ in it (a run with --checkpoint-every K writes one)");
        if (!Files.isRegularFile(f)) return;   // no run had finished
        JsonNode n = TrainCheckpoints.read(json, resume, f, FORMAT);
        String differs = TrainCheckpoints.differs(n.path("config"), this.config, "");
        if (differs != null)
            throw new Main.UserError("--resume " + resume + ": " + f + " was written for another configuration (" + differs + " differs)");
        for (var it = n.path("runs").fields(); it.hasNext(); ) {
            var e = it.next();
            try {
                R r = json.treeToValue(e.getValue(), type);
                earlier.put(e.getKey(), with.apply(r, ModelFile.read(dir.resolve(e.getKey() + ".myc"))));
            } catch (IOException | RuntimeException x) {
                throw new Main.UserError("--resume " + resume + ": the checkpoint of run " + e.getKey() + " is damaged (" + x.getMessage() + ")");
            }
        }
        finished.putAll(earlier);
    }

    @Override
    public R earlier(String id, int epochs) {
        R r = earlier.get(id);
        return r != null && model.apply(r).training().epochs() == epochs ? r : null;   // trained for other epochs: continue from its state
    }

    @Override
    public Progress progress(String id) {
        if (resume == null) return null;
        Path f = resume.resolve(DIR).resolve(id + STATE);
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode n = json.readTree(f.toFile());
            String differs = TrainCheckpoints.differs(n.path("config"), config, "");
            if (differs != null) throw new Main.UserError("--resume " + resume + ": " + f + " was written for another configuration (" + differs + " differs)");
            return new Progress(TrainCheckpoints.snapshot(n.get("trainer")), n.get("converged").asBoolean(), n.get("lastLoss").asDouble());
        } catch (IOException | RuntimeException e) {
            if (e instanceof Main.UserError u) throw u;
            throw new Main.UserError("--resume " + resume + ": the checkpoint of run " + id + " is damaged (" + e.getMessage() + ")");
        }
    }

    @Override
    public boolean due(int epoch, int epochs) { return every > 0 && (epoch % every == 0 || epoch == epochs); }

    @Override
    public void save(String id, Progress p) {
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.put("run", id);
        n.set("config", config);
        n.set("trainer", TrainCheckpoints.snapshotTree(p.trainer()));
        n.put("converged", p.converged());
        n.put("lastLoss", p.lastLoss());
        write(id + STATE, n);
    }

    @Override
    public synchronized void finished(String id, R result) {
        finished.put(id, result);
        if (every <= 0) return;
        try {
            Path dir = Files.createDirectories(target.resolve(DIR));
            TrainCheckpoints.mark(target, command, DIR + "/" + id + ".myc");
            model.apply(result).write(dir.resolve(id + ".myc"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint in " + target.resolve(DIR) + ": " + e.getMessage(), e);
        }
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.set("config", config);
        ObjectNode runs = n.putObject("runs");
        finished.forEach((k, r) -> runs.set(k, json.valueToTree(r)));
        write(RUNS, n);
    }

    private synchronized void write(String name, ObjectNode n) {
        try {
            Path dir = Files.createDirectories(target.resolve(DIR));
            TrainCheckpoints.mark(target, command, DIR + "/" + name);
            Path tmp = Files.createTempFile(dir, ".ck-", ".tmp");
            json.writeValue(tmp.toFile(), n);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint " + target.resolve(DIR).resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** Copies the last checkpoint into the finished results, so that they can be resumed (e.g. after adding models). */
    void copyInto(Path staging) throws IOException {
        Path dir = target.resolve(DIR);
        if (every <= 0 || !Files.isDirectory(dir)) return;
        Path to = Files.createDirectories(staging.resolve(DIR));
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json") || f.getFileName().toString().endsWith(".myc")).toList())
                Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
