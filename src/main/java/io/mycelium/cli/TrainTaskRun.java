package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.artifact.ModelFile;
import io.mycelium.graph.Graph;
import io.mycelium.model.Trainable;
import io.mycelium.tensor.Params;
import io.mycelium.train.DistributedImplicit;
import io.mycelium.train.GraphBatch;
import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;
import io.mycelium.train.Scheme;
import io.mycelium.train.TaskTrainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code train} for every config off the training paper's GCNN path: any registered model (or the
 * GCNN) on node regression, node classification or graph classification. sgd and adam train tied
 * parameters with {@link TaskTrainer}; d-sgd and d-amsgrad train an implicit model's per-device
 * copies with {@link DistributedImplicit}. Every scheme writes {@code metrics.csv} (loss and, for
 * classification, accuracy of every part after every epoch) and {@code summary.json}.
 */
final class TrainTaskRun {
    private TrainTaskRun() {}

    /** One row of metrics.csv: after {@code epoch} epochs (0: the initial model), mean loss and accuracy (NaN for regression) of each part. */
    record Row(int epoch, double trainLoss, double trainAcc, double valLoss, double valAcc, double testLoss, double testAcc) {}

    /** A finished scheme and its trained model ({@code model} and {@code params} null when it cannot be saved as a model file). */
    record Result(Scheme scheme, List<Row> rows, double seconds, Trainable model, Params params) {
        Row last() { return rows.getLast(); }
    }

    /** Trains one scheme; {@code afterEpoch} runs after every epoch (progress). */
    static Result run(TrainTask task, Scheme scheme, Runnable afterEpoch, TrainCheckpoints ck) throws IOException {
        long t0 = System.nanoTime();
        TrainConfig.Training t = task.cfg().training();
        List<Row> rows = new ArrayList<>();
        if (scheme.centralized()) {
            TaskTrainer tr = new TaskTrainer(task.net(), task.head(), task.loss(), scheme, t.lr(), task.train(), t.batch(), t.weightDecay(),
                    t.weightDecayOn(), t.dropout(), t.seed());
            TrainCheckpoints.State saved = ck == null ? null : ck.load(scheme);
            if (saved != null) {
                tr.restore(saved.params(), saved.optimizerState(), saved.epoch());
                rows.addAll(ck.rows(saved, Row.class));
            } else rows.add(row(tr, task, 0));
            while (tr.epochsDone() < t.epochs()) {
                tr.epoch();
                rows.add(row(tr, task, tr.epochsDone()));
                if (ck != null) ck.after(scheme, tr.epochsDone(), t.epochs(), tr.params(), tr.optimizerState(), rows);
                if (afterEpoch != null) afterEpoch.run();
            }
            Graph g = task.graph();
            return new Result(scheme, rows, (System.nanoTime() - t0) / 1e9, task.model(g == null ? GraphNet.ONE_NODE : g), tr.params().copy());
        }
        DistributedImplicit d = distributed(task, scheme);
        rows.add(row(d, task, 0));
        for (int e = 1; e <= t.epochs(); e++) {
            try {
                d.epoch();
            } catch (ArithmeticException x) {   // a non-finite loss
                throw new io.mycelium.train.TrainingDiverged(scheme.id(), e, 0, 0, "training loss", Double.NaN, t.lr());
            }
            rows.add(row(d, task, e));
            if (afterEpoch != null) afterEpoch.run();
        }
        boolean graphs = task.cfg().task() == TrainConfig.Task.GRAPH_CLASSIFICATION;
        return new Result(scheme, rows, (System.nanoTime() - t0) / 1e9, graphs ? null : d.model(), graphs ? null : d.params().copy());
    }

    /** Refuses, before training, a {@code weight-decay-on} prefix that names none of the model's parameters. */
    static void checkWeightDecayOn(TrainTask task) {
        List<String> on = task.cfg().training().weightDecayOn();
        if (on.isEmpty()) return;
        Params p = new Params();
        task.net().init(p, io.mycelium.tensor.Init.rng(0));
        if (task.head() != null) task.head().init(p, io.mycelium.tensor.Init.rng(0));
        for (String pre : on)
            if (p.names().stream().noneMatch(n -> n.startsWith(pre)))
                throw new Main.UserError(task.cfg().file() + ": training.weight-decay-on: no parameter name starts with '" + pre + "'; the model's are "
                        + p.names());
    }

    private static Row row(TaskTrainer tr, TrainTask task, int epoch) {
        List<List<TaskTrainer.Item>> parts = task.val().isEmpty() ? List.of(task.train(), task.test()) : List.of(task.train(), task.test(), task.val());
        TaskTrainer.Metrics[] m = tr.evaluateParts(parts);
        TaskTrainer.Metrics a = m[0], c = m[1], b = m.length > 2 ? m[2] : null;
        return new Row(epoch, a.loss(), a.accuracy(), b == null ? Double.NaN : b.loss(), b == null ? Double.NaN : b.accuracy(), c.loss(), c.accuracy());
    }

    /**
     * An implicit model's per-device copies trained with a decentralized optimizer: node regression
     * of CSV samples (devices = the graph's nodes) or binary graph classification (device i hosts
     * node i of every graph; one logit per node, the readout of {@link DistributedImplicit}).
     */
    private static DistributedImplicit distributed(TrainTask task, Scheme scheme) {
        TrainConfig.Training t = task.cfg().training();
        boolean graphs = task.cfg().task() == TrainConfig.Task.GRAPH_CLASSIFICATION;
        if (graphs && task.classes() != 2)
            throw new Main.UserError(task.cfg().file() + ": training.schemes: " + scheme.id() + " trains binary graph classification; the data have "
                    + task.classes() + " classes (use sgd or adam)");
        Trainable m = graphs ? task.cfg().model().spec().build(task.features(), task.edgeFeatures(), 1, io.mycelium.train.GraphNet.ONE_NODE) : task.implicitModel();
        Objective obj = graphs ? Objective.binaryClassification(true) : Objective.regression(1, false);
        return new DistributedImplicit((io.mycelium.model.ImplicitModel) m, obj, scheme.optimizer(t.lr()), DistributedImplicit.Method.DISTRIBUTED,
                samples(task.train()), t.batch(), t.tol(), t.maxIter(), t.seed());
    }

    private static Row row(DistributedImplicit d, TrainTask task, int epoch) {
        double[] a = metrics(d, task, task.train()), c = metrics(d, task, task.test());
        return new Row(epoch, a[0], a[1], Double.NaN, Double.NaN, c[0], c[1]);
    }

    /**
     * Loss and accuracy: mean squared error (node regression, accuracy NaN), or the devices' binary
     * cross-entropy (each node's readout of its graph's mean, weighted 1 / (n_q · graphs), as trained)
     * and the accuracy of their decisions (graph classification).
     */
    private static double[] metrics(DistributedImplicit d, TrainTask task, List<TaskTrainer.Item> items) {
        TrainConfig.Training t = task.cfg().training();
        DistributedImplicit.Evaluation ev = d.evaluate(samples(items), t.tol(), t.maxIter());
        if (task.cfg().task() == TrainConfig.Task.GRAPH_CLASSIFICATION) return new double[] {ev.loss(), 1 - ev.metric() / 100};
        return new double[] {ev.loss(), Double.NaN};
    }

    /** The disjoint union of the training graphs. */
    private static Graph trainingGraphs(TrainTask task) { return GraphBatch.of(samples(task.train())).graph(); }

    private static List<GraphSample> samples(List<TaskTrainer.Item> items) { return items.stream().map(TaskTrainer.Item::sample).toList(); }

    // ---------------------------------------------------------------- output

    static void writeMetrics(Path file, Result r, boolean val) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("epoch,train_loss,train_accuracy," + (val ? "val_loss,val_accuracy," : "") + "test_loss,test_accuracy");
            for (Row e : r.rows())
                w.println(String.format(Locale.ROOT, "%d,%.10g,%.6f,", e.epoch(), e.trainLoss(), e.trainAcc())
                        + (val ? String.format(Locale.ROOT, "%.10g,%.6f,", e.valLoss(), e.valAcc()) : "")
                        + String.format(Locale.ROOT, "%.10g,%.6f", e.testLoss(), e.testAcc()));
        }
    }

    static Map<String, Object> summary(Result r, TrainTask task) {
        Map<String, Object> m = new LinkedHashMap<>();
        TrainConfig.Training t = task.cfg().training();
        m.put("scheme", r.scheme().id());
        m.put("seed", t.seed());
        m.put("epochs", t.epochs());
        m.put("loss", task.classes() > 0 ? "cross-entropy" : "mean squared error");
        Row last = r.last();
        m.put("finalTrainLoss", last.trainLoss());
        m.put("finalTestLoss", last.testLoss());
        if (task.classes() > 0) {
            m.put("finalTrainAccuracy", last.trainAcc());
            m.put("finalTestAccuracy", last.testAcc());
        }
        if (!task.val().isEmpty()) {
            m.put("finalValLoss", last.valLoss());
            m.put("finalValAccuracy", last.valAcc());
        }
        m.put("wallSeconds", r.seconds());
        return m;
    }

    /** Writes every scheme's files, the run's summary, the config and the plots, and prints the table. */
    static void write(OutputDir dir, TrainTask task, List<Result> results, double wall) throws IOException {
        TrainConfig cfg = task.cfg();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        boolean val = !task.val().isEmpty();
        List<Map<String, Object>> sums = new ArrayList<>();
        for (Result r : results) {
            Path d = Files.createDirectories(dir.dir().resolve(r.scheme().id()));
            writeMetrics(d.resolve("metrics.csv"), r, val);
            Map<String, Object> s = summary(r, task);
            if (r.model() != null) {
                Row last = r.last();
                boolean cls = task.classes() > 0;
                var training = new ModelFile.Training(r.scheme().id(), cfg.training().seed(), cfg.training().epochs(),
                        cls ? "test accuracy" : "test MSE", cls ? last.testAcc() : last.testLoss());
                // a graph-level model was trained on a set of graphs: it records their disjoint union (it is tied, so runs on any graph)
                ModelFile f = task.head() == null ? ModelFile.of(r.model(), r.params(), task.graph(), training)
                        : ModelFile.of(r.model(), task.head(), r.params(), trainingGraphs(task), training);
                f.write(d.resolve("model.myc"));
                s.put("model", "model.myc");
            } else s.put("model", "not saved: the devices' binary readout of decentralized graph classification is not a model file's graph readout");
            s.put("config", cfg.describe());
            json.writeValue(d.resolve("summary.json").toFile(), s);
            sums.add(s);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("experiment", "train");
        top.put("configFile", cfg.file().toAbsolutePath().toString());
        top.put("data", task.describeData());
        top.put("wallSeconds", wall);
        top.put("config", cfg.describe());
        top.put("schemes", sums);
        json.writeValue(dir.dir().resolve("summary.json").toFile(), top);
        Files.copy(cfg.file(), dir.dir().resolve("config.yaml"));
        String title = "train " + cfg.file().getFileName();
        List<Charts.Series> loss = results.stream().map(r -> series(r, false)).toList();
        Charts.lines(dir.dir().resolve("loss-vs-epochs.png"), title + ": test loss against epoch", "epoch", "test loss", task.classes() == 0, loss);
        if (task.classes() > 0)
            Charts.lines(dir.dir().resolve("accuracy-vs-epochs.png"), title + ": test accuracy against epoch", "epoch", "test accuracy", false,
                    results.stream().map(r -> series(r, true)).toList());
    }

    private static Charts.Series series(Result r, boolean accuracy) {
        double[] x = new double[r.rows().size()], y = new double[x.length];
        for (int q = 0; q < x.length; q++) {
            x[q] = r.rows().get(q).epoch();
            y[q] = accuracy ? r.rows().get(q).testAcc() : r.rows().get(q).testLoss();
        }
        return new Charts.Series(r.scheme().id(), x, y);
    }

    static void print(TrainTask task, List<Result> results, double wall, Path where) {
        TrainConfig cfg = task.cfg();
        System.out.printf(Locale.ROOT, "%s; %s, %s, %d epochs, %.1f s -> %s%n", task.describeData(), cfg.modelName(), cfg.task().id, cfg.training().epochs(), wall, where);
        boolean cls = task.classes() > 0, val = !task.val().isEmpty();
        int w = Math.max(11, results.stream().mapToInt(r -> r.scheme().id().length()).max().orElse(0));
        System.out.printf("%-" + w + "s %11s %11s%s%s%n", "scheme", "train loss", "test loss", val && cls ? String.format("%10s", "val acc") : "",
                cls ? String.format("%10s", "test acc") : "");
        for (Result r : results) {
            Row e = r.last();
            System.out.printf(Locale.ROOT, "%-" + w + "s %11.5f %11.5f%s%s%n", r.scheme().id(), e.trainLoss(), e.testLoss(),
                    val && cls ? String.format(Locale.ROOT, "%9.1f%%", 100 * e.valAcc()) : "", cls ? String.format(Locale.ROOT, "%9.1f%%", 100 * e.testAcc()) : "");
        }
    }

}
