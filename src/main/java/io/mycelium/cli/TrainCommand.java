package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.artifact.ModelFile;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.graph.EdgeListReader;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.MovingNodes;
import io.mycelium.model.Gcnn;
import io.mycelium.task.CsvDataset;
import io.mycelium.train.Dataset;
import io.mycelium.train.Topology;
import io.mycelium.train.TrainingRun;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains any registered model on your own graph and data with the schemes that apply to it, from a YAML config.",
                "Tasks: node regression (CSV samples on an edge list, a generator spec such as ba:N:M, or moving nodes), node classification (CSV, or a Planetoid graph such as Cora with its public split) and graph classification (a TU set such as MUTAG). Models: the training paper's GCNN (every scheme, rounds and bytes counted), GCN, GAT, IGNN, GSDGNN and the energy GNNs (sgd, adam; d-sgd and d-amsgrad for the implicit ones). Writes <out>/<scheme>/metrics.csv and summary.json, <out>/summary.json, <out>/config.yaml and PNG plots. Every field is described in docs/train-config.md and the configs in examples/."})
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "the experiment's configuration")
    Path config;
    @Option(names = "--out", description = "output directory (default: the --resume directory, else the config's 'output', else results/train)")
    Path out;
    @Option(names = "--force", description = "replace a non-empty output directory that Mycelium wrote")
    boolean force;
    @Option(names = "--checkpoint-every", paramLabel = "K", description = "save every scheme's state after every K-th epoch and the last into <out>/checkpoint/ (default 0: none)")
    int checkpointEvery;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue from the checkpoints in DIR/checkpoint/ (the same config; training.epochs may grow); the results replace DIR unless --out is given")
    Path resume;

    @Override
    public Integer call() throws Exception {
        if (checkpointEvery < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + checkpointEvery);
        TrainConfig cfg = TrainConfig.load(config);
        OutputDir.Target target = out != null ? OutputDir.Target.of(spec, out)
                : resume != null ? new OutputDir.Target(resume, "--resume " + resume, spec.qualifiedName())
                : cfg.output() != null ? new OutputDir.Target(cfg.output(), "output: " + cfg.output() + " (from " + cfg.file() + ")", spec.qualifiedName())
                : new OutputDir.Target(Path.of("results", "train"), "--out results/train (the default)", spec.qualifiedName());
        boolean replace = force || (resume != null && resume.toAbsolutePath().normalize().equals(target.path().toAbsolutePath().normalize()));
        if (resume != null && !Files.isDirectory(resume)) throw new Main.UserError("--resume " + resume + ": no such directory");
        OutputDir.validate(target, replace);
        if ((checkpointEvery > 0 || resume != null) && cfg.graph() != null && cfg.graph().moving() != null)
            throw new Main.UserError(cfg.file() + ": graph.moving: checkpoints cover static graphs only (the walk of the moving nodes is not saved)");
        if (checkpointEvery > 0 || resume != null)
            for (var s : cfg.training().schemes())
                if (!cfg.gcnnPath() && !s.centralized())
                    throw new Main.UserError(cfg.file() + ": training.schemes: " + s.id() + " of " + cfg.modelName()
                            + " (train.DistributedImplicit) has no checkpoints; --checkpoint-every and --resume cover the GCNN's schemes and sgd/adam of every model");
        TrainCheckpoints ck = checkpointEvery > 0 || resume != null ? new TrainCheckpoints(target.path(), checkpointEvery, resume, cfg) : null;
        return cfg.gcnnPath() ? gcnn(cfg, target, replace, ck) : task(cfg, target, replace, ck);
    }

    private int gcnn(TrainConfig cfg, OutputDir.Target target, boolean replace, TrainCheckpoints ck) throws Exception {
        Prepared p = prepare(cfg);
        TrainConfig.Training t = cfg.training();
        List<TrainingRun.Result> results = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ProgressBar bar = Progress.bar("train", (long) t.epochs() * t.schemes().size())) {
            for (var scheme : t.schemes())
                results.add(TrainingRun.run(p.setup(), scheme, topology(cfg), bar::step, ck == null ? null : ck.of(scheme, t.epochs())));
        }
        // checkpoints went into the target as they were written (marked as ours): replace them
        write(target, replace || ck != null, p, "train", results, (System.nanoTime() - t0) / 1e9, Map.of(), ck);
        return 0;
    }

    private int task(TrainConfig cfg, OutputDir.Target target, boolean replace, TrainCheckpoints ck) throws Exception {
        TrainTask task = TrainTask.load(cfg);
        task.net();   // builds the model once: a width that does not fit the data is reported before training
        TrainTaskRun.checkWeightDecayOn(task);
        TrainConfig.Training t = cfg.training();
        List<TrainTaskRun.Result> results = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ProgressBar bar = Progress.bar("train", (long) t.epochs() * t.schemes().size())) {
            for (var scheme : t.schemes()) results.add(TrainTaskRun.run(task, scheme, bar::step, ck));
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        System.setProperty("java.awt.headless", "true");
        try (OutputDir dir = OutputDir.open(target, replace || ck != null)) {   // the checkpoints written into it are ours
            TrainTaskRun.write(dir, task, results, wall);
            if (ck != null) ck.copyInto(dir.dir());
            dir.commit();
        }
        TrainTaskRun.print(task, results, wall, target.path());
        return 0;
    }

    /** A config's graph, its training/test split and the run's setup, validated (every host of {@code net run} builds the same). */
    record Prepared(TrainConfig cfg, Graph graph, Dataset train, Dataset test, TrainingRun.Setup setup) {}

    static Prepared prepare(TrainConfig cfg) {
        if (!cfg.gcnnPath())
            throw new Main.UserError(cfg.file() + ": the per-node schemes run the GCNN regressing CSV samples (task node-regression, model type gcnn); this config trains "
                    + cfg.modelName() + " on " + cfg.task().id + " data");
        Graph g = graph(cfg);
        Dataset all = data(cfg, g.n());
        TrainSplit.Parts parts = TrainSplit.of(cfg.data(), all.samples(), cfg.file());
        Dataset train = TrainSplit.select(all, parts.train()), held = TrainSplit.select(all, parts.test());
        TrainConfig.Training t = cfg.training();
        if (t.batch() > train.samples())
            throw new Main.UserError(cfg.file() + ": training.batch: " + t.batch() + " is more than the " + train.samples() + " training samples");
        TrainConfig.Model m = cfg.model();
        Gcnn model = m.gcnn(g);
        Params init = new Params();
        model.init(init, Init.rng(t.seed()));
        return new Prepared(cfg, g, train, held,
                new TrainingRun.Setup(g, m.shift(), model, init, train, held, t.batch(), t.lr(), t.epochs(), t.consensus(), t.seed()));
    }

    /** A fresh walk from the config's seed (every scheme sees the same sequence of graphs), or null for a static graph. */
    static Topology topology(TrainConfig cfg) {
        TrainConfig.Moving mv = cfg.graph().moving();
        return mv == null ? null : Topology.moving(new MovingNodes(mv.nodes(), mv.radius(), mv.step(), cfg.graph().seed()));
    }

    /** As below, for a directory given with {@code --out} and already validated. */
    static void write(Path target, Prepared p, String experiment, List<TrainingRun.Result> results, double wall, Map<String, Object> extra) throws Exception {
        write(new OutputDir.Target(target, "--out " + target, "mycelium " + experiment), true, p, experiment, results, wall, extra, null);
    }

    /** Writes what {@code train} writes (plus {@code extra} top-level summary fields) into a {@link OutputDir} and prints the table. */
    static void write(OutputDir.Target target, boolean force, Prepared p, String experiment, List<TrainingRun.Result> results, double wall,
                      Map<String, Object> extra, TrainCheckpoints ck) throws Exception {
        TrainConfig cfg = p.cfg();
        TrainConfig.Training t = cfg.training();
        Graph g = p.graph();
        System.setProperty("java.awt.headless", "true");
        try (OutputDir dir = OutputDir.open(target, force)) {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            List<Map<String, Object>> sums = new ArrayList<>();
            for (TrainingRun.Result r : results) {
                Path d = Files.createDirectories(dir.dir().resolve(r.scheme().id()));
                RunFiles.writeMetrics(d.resolve("metrics.csv"), r);
                Map<String, Object> s = RunFiles.summary(r, t.seed(), t.epochs());
                if (r.model() != null && cfg.graph().moving() == null) {
                    ModelFile.of(r.model(), r.params(), g, new ModelFile.Training(r.scheme().id(), t.seed(), t.epochs(), "test MSE", r.last().testMse()))
                            .write(d.resolve("model.myc"));
                    s.put("model", "model.myc");
                }
                s.put("config", cfg.describe());
                json.writeValue(d.resolve("summary.json").toFile(), s);
                sums.add(s);
            }
            Map<String, Object> top = new LinkedHashMap<>();
            top.put("experiment", experiment);
            top.put("configFile", cfg.file().toAbsolutePath().toString());
            top.put("nodes", g.n());
            top.put("edges", g.edgeCount());
            top.put("trainSamples", p.train().samples());
            top.put("testSamples", p.test().samples());
            top.put("wallSeconds", wall);
            top.put("config", cfg.describe());
            top.put("schemes", sums);
            top.putAll(extra);
            json.writeValue(dir.dir().resolve("summary.json").toFile(), top);
            Files.copy(cfg.file(), dir.dir().resolve("config.yaml"));
            RunFiles.plots(results, dir.dir(), experiment + " " + cfg.file().getFileName());
            if (ck != null) ck.copyInto(dir.dir());
            dir.commit();
        }
        System.out.printf(Locale.ROOT, "%d nodes, %d edges%s, %d training and %d test samples, %d epochs, %.1f s -> %s%n", g.n(), g.edgeCount(),
                cfg.graph().moving() != null ? " (first graph; a new one every mini-batch)" : "", p.train().samples(), p.test().samples(), t.epochs(), wall, target.path());
        System.out.printf("%-11s %11s %13s %11s %11s %11s%n", "scheme", "rounds/mb", "bytes/mb", "init MSE", "train MSE", "test MSE");
        for (TrainingRun.Result r : results)
            System.out.printf(Locale.ROOT, "%-11s %11d %13d %11.5f %11.5f %11.5f%n", r.scheme().id(), r.perMinibatch().rounds(), r.perMinibatch().bytes(),
                    r.epochs().getFirst().testMse(), r.last().trainMse(), r.last().testMse());
    }

    static Graph graph(TrainConfig cfg) {
        TrainConfig.Graph gc = cfg.graph();
        try {
            if (gc.file() != null) return EdgeListReader.read(gc.file());
            if (gc.generator() != null) return Generators.parse(gc.generator(), gc.seed());
            TrainConfig.Moving mv = gc.moving();
            return new MovingNodes(mv.nodes(), mv.radius(), mv.step(), gc.seed()).graph();
        } catch (IllegalArgumentException e) {
            String field = gc.file() != null ? "graph.file" : gc.generator() != null ? "graph.generator" : "graph.moving";
            throw new Main.UserError(cfg.file() + ": " + field + ": " + e.getMessage(), e);
        }
    }

    private static Dataset data(TrainConfig cfg, int nodes) {
        Dataset d;
        try {
            d = CsvDataset.read(cfg.data().features(), cfg.data().labels(), nodes);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage(), e);
        }
        int w0 = cfg.model().widths()[0];
        if (d.features() != w0)
            throw new Main.UserError(cfg.file() + ": model.widths[0]: is " + w0 + " but " + cfg.data().features() + " has " + d.features() + " feature columns");
        if (d.samples() < 2) throw new Main.UserError(cfg.data().features() + ": needs at least 2 samples (training and test), has " + d.samples());
        return d;
    }
}
