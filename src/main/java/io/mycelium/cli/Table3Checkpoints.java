package io.mycelium.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.task.hogwild.Table3;
import io.mycelium.train.GraphTrainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code reproduce hogwild-table3 --checkpoint-every K} and {@code --resume DIR}: one file per run
 * ({@code <out>/checkpoint/<model>-<dataset>-s<seed>-f<fold>.json}) holding the run's state after its
 * last K-th epoch (parameters, Adam's moments and step count, the warm starts of its training and
 * test batches, the best test accuracy so far) and, once it finished, its result too. Arrays are
 * stored exactly ({@link TrainCheckpoints#tree}), files replaced atomically and listed in the output
 * directory's marker, so an interrupted table leaves a directory Mycelium may replace. A resumed
 * table repeats no finished run of as many epochs and continues every other run from its state (to
 * more epochs, too) with the same bits as an uninterrupted one. Checkpoints of other settings are
 * refused; the epochs, folds run, seeds, models and data sets may differ (they choose runs and how
 * long they train, not what an epoch does).
 */
final class Table3Checkpoints implements Table3.Checkpoints {
    private static final int FORMAT = 1;
    private static final String COMMAND = "mycelium reproduce hogwild-table3";
    private final Path target;
    private final int every;
    private final Path resume;
    private final JsonNode config;
    private final ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /**
     * @param target output directory (validated)
     * @param every  K, 0 for none
     * @param resume directory holding a {@code checkpoint/} to continue from, or null
     */
    Table3Checkpoints(Path target, int every, Path resume, Table3.Settings settings) {
        this.target = target;
        this.every = every;
        this.resume = resume;
        ObjectNode c = json.valueToTree(settings);
        for (String k : List.of("foldsRun", "seeds", "epochs", "explicitEpochs")) c.remove(k);
        this.config = c;
        if (resume != null && !Files.isDirectory(resume.resolve(TrainCheckpoints.DIR)))
            throw new Main.UserError("--resume " + resume + ": no " + TrainCheckpoints.DIR + "/ in it (a run with --checkpoint-every K writes one)");
    }

    private JsonNode read(String key) {
        if (resume == null) return null;
        Path f = resume.resolve(TrainCheckpoints.DIR).resolve(key + ".json");
        if (!Files.isRegularFile(f)) return null;
        JsonNode n = TrainCheckpoints.read(json, resume, f, FORMAT);
        String differs = TrainCheckpoints.differs(n.path("config"), config, "");
        if (differs != null)
            throw new Main.UserError("--resume " + resume + ": " + f + " was written with other settings (" + differs + " differs); resume with "
                    + "the options of that run (only --epochs, --explicit-epochs, --folds-run, --seeds, --models and --datasets may differ)");
        return n;
    }

    @Override
    public Table3.Trained finished(String key, int epochs) {
        JsonNode n = read(key);
        if (n == null || !n.has("result") || n.get("epoch").asInt() != epochs) return null;
        try {
            return new Table3.Trained(json.treeToValue(n.get("result"), Table3.Run.class), TrainCheckpoints.params(n.get("params")));
        } catch (IOException | RuntimeException e) {
            throw new Main.UserError("--resume " + resume + ": the checkpoint of " + key + " is damaged (" + e.getMessage() + ")");
        }
    }

    @Override
    public Progress resume(String key, int epochs) {
        JsonNode n = read(key);
        if (n == null) return null;
        if (n.get("epoch").asInt() > epochs)
            throw new Main.UserError("--resume " + resume + ": the checkpoint of " + key + " is at epoch " + n.get("epoch").asInt() + ", beyond the "
                    + epochs + " epochs of this run");
        try {
            Map<String, Object> opt = TrainCheckpoints.optimizer(n.get("optimizer"));
            List<Tensor[]> warm = new ArrayList<>();
            for (JsonNode w : n.get("warmStarts")) warm.add(new Tensor[] {tensor(w.get(0)), tensor(w.get(1))});
            var snap = new GraphTrainer.Snapshot(n.get("epoch").asInt(), TrainCheckpoints.params(n.get("params")), opt, warm);
            return new Progress(snap, n.get("bestTestAccuracy").asDouble(), n.get("converged").asBoolean());
        } catch (RuntimeException e) {
            throw new Main.UserError("--resume " + resume + ": the checkpoint of " + key + " is damaged (" + e.getMessage() + ")");
        }
    }

    @Override
    public boolean due(int epoch, int epochs) { return every > 0 && (epoch % every == 0 || epoch == epochs); }

    @Override
    public void save(String key, Progress p) { write(key, state(key, p)); }

    private ObjectNode state(String key, Progress p) {
        GraphTrainer.Snapshot s = p.trainer();
        ObjectNode n = json.createObjectNode();
        n.put("format", FORMAT);
        n.put("run", key);
        n.set("config", config);
        n.put("epoch", s.epoch());
        n.set("params", TrainCheckpoints.tree(s.params()));
        n.set("optimizer", TrainCheckpoints.optimizerTree(s.optimizerState()));
        ArrayNode warm = n.putArray("warmStarts");
        for (Tensor[] w : s.warmStarts()) warm.addArray().add(tensor(w[0])).add(tensor(w[1]));
        n.put("bestTestAccuracy", p.bestTestAccuracy());
        n.put("converged", p.converged());
        return n;
    }

    @Override
    public void finish(String key, Table3.Trained t, Progress last) {
        if (every <= 0 || last == null) return;
        ObjectNode n = state(key, last);
        n.set("result", json.valueToTree(t.run()));
        write(key, n);
    }

    private void write(String key, ObjectNode n) {
        try {
            Path dir = Files.createDirectories(target.resolve(TrainCheckpoints.DIR));
            TrainCheckpoints.mark(target, COMMAND, TrainCheckpoints.DIR + "/" + key + ".json");
            Path tmp = Files.createTempFile(dir, "." + key + "-", ".tmp");
            json.writeValue(tmp.toFile(), n);
            Files.move(tmp, dir.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of " + key + ": " + e.getMessage(), e);
        }
    }

    /** Copies the checkpoints into the finished results (so a later run can resume from them). */
    void copyInto(Path staging) throws IOException {
        Path dir = target.resolve(TrainCheckpoints.DIR);
        if (every <= 0 || !Files.isDirectory(dir)) return;
        Path to = Files.createDirectories(staging.resolve(TrainCheckpoints.DIR));
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    private static JsonNode tensor(Tensor t) {
        return t == null ? com.fasterxml.jackson.databind.node.NullNode.instance : TrainCheckpoints.tree(Params.untied().add("t", t)).get("tensors").get("t");
    }

    private static Tensor tensor(JsonNode n) {
        if (n == null || n.isNull()) return null;
        ObjectNode p = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        p.put("tied", false);
        p.putObject("tensors").set("t", n);
        return TrainCheckpoints.params(p).get("t");
    }
}
