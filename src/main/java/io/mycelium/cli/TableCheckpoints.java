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
 * {@code --checkpoint-every K} and {@code --resume DIR} of the reproductions that train many
 * independent instances (hogwild Tables 1 and 2). The unit is one finished training run: after
 * every K-th (and the last) the finished runs' results go to {@code <out>/checkpoint/runs.json} and
 * their trained models to {@code <out>/checkpoint/<run>.myc}, in the output directory itself (marked
 * as Mycelium's, like {@link TrainCheckpoints}). A resumed invocation takes those runs as they are and
 * trains only the others; every run is seeded by itself, so the tables and model files end with the
 * same bits as an uninterrupted invocation's. A run interrupted while training starts again from its
 * first epoch. A checkpoint of another configuration is refused.
 *
 * @param <R> a run's result, a record whose {@code trained} component (its model) is kept in the {@code .myc} file
 */
final class TableCheckpoints<R> implements FinishedRuns<R> {
    static final String DIR = TrainCheckpoints.DIR, RUNS = "runs.json";
    private static final int FORMAT = 1;

    @JsonIgnoreProperties({"trained"})
    private interface WithoutModel {}

    private final Path target;
    private final int every;
    private final String command;
    private final JsonNode config;
    private final Class<R> type;
    private final Function<R, ModelFile> model;
    private final ObjectMapper json;
    private final Map<String, R> earlier = new LinkedHashMap<>();
    private final Map<String, R> finished = new LinkedHashMap<>();
    private int unsaved;

    /**
     * @param target output directory (already validated)
     * @param every  K, 0 for no checkpoints
     * @param resume directory holding a {@code checkpoint/} to continue from, or null
     * @param config the run's whole configuration: a checkpoint of any other is refused
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
        this.config = json.valueToTree(config);
        if (resume == null) return;
        Path dir = resume.resolve(DIR), f = dir.resolve(RUNS);
        if (!Files.isRegularFile(f))
            throw new Main.UserError("--resume " + resume + ": no " + DIR + "/" + RUNS + " in it (a run with --checkpoint-every K writes one)");
        JsonNode n;
        try {
            n = json.readTree(f.toFile());
        } catch (IOException e) {
            throw new Main.UserError("--resume " + resume + ": " + f + " is not a readable checkpoint (" + e.getMessage() + ")");
        }
        if (n == null || n.path("format").asInt() != FORMAT) throw new Main.UserError("--resume " + resume + ": " + f + " is not a checkpoint of format " + FORMAT);
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

    /** Runs taken from the checkpoint. */
    int resumed() { return earlier.size(); }

    @Override
    public R earlier(String id) { return earlier.get(id); }

    @Override
    public synchronized void finished(String id, R result) {
        finished.put(id, result);
        if (every > 0 && ++unsaved >= every) save();
    }

    /** Writes every finished run not yet written (call once all runs are done: the last checkpoint). */
    synchronized void save() {
        if (every <= 0) return;
        try {
            Path dir = Files.createDirectories(target.resolve(DIR));
            TrainCheckpoints.mark(target, command, DIR + "/" + RUNS);
            for (Map.Entry<String, R> e : finished.entrySet()) {
                String name = e.getKey() + ".myc";
                if (Files.isRegularFile(dir.resolve(name))) continue;   // written at an earlier checkpoint (runs never change)
                TrainCheckpoints.mark(target, command, DIR + "/" + name);
                model.apply(e.getValue()).write(dir.resolve(name));
            }
            ObjectNode n = json.createObjectNode();
            n.put("format", FORMAT);
            n.set("config", config);
            ObjectNode runs = n.putObject("runs");
            finished.forEach((id, r) -> runs.set(id, json.valueToTree(r)));
            Path tmp = Files.createTempFile(dir, ".runs-", ".tmp");
            json.writeValue(tmp.toFile(), n);
            Files.move(tmp, dir.resolve(RUNS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            unsaved = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint in " + target.resolve(DIR) + ": " + e.getMessage(), e);
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
