package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.artifact.ModelFile;
import io.mycelium.data.TuDataset;
import io.mycelium.task.hogwild.Models;
import io.mycelium.task.hogwild.Table2;
import io.mycelium.task.hogwild.Table3;
import io.mycelium.tensor.Init;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "hogwild-table3", mixinStandardHelpOptions = true,
        description = {"Reproduces Table 3 of the hogwild paper: graph classification accuracy on MUTAG and PROTEINS.",
                "Every model is trained with a graph readout on stratified cross-validation folds and parameter seeds; each trained model's test accuracy is also measured under partially asynchronous inference (the Table 2 change). Writes table3.csv, table3.md (ours next to the paper's), runs.csv and config.json into --out."})
final class HogwildTable3Command implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    static final List<String> DATASETS = List.of("mutag", "proteins");
    /** Test graphs of the asynchronous inference with --quick: the energy GNNs' generic asynchronous path costs ~1 s per graph and run. */
    static final int QUICK_ASYNC_GRAPHS = 4;

    @Option(names = "--quick", description = "CI-sized run: MUTAG, one fold of 10, one seed, 3 epochs, 2 asynchronous runs on 4 test graphs")
    boolean quick;
    @Option(names = "--datasets", split = ",", description = "comma-separated subset of mutag, proteins (default: both; quick: mutag)")
    List<String> datasets;
    @Option(names = "--models", split = ",", description = "comma-separated subset of the registered models (default: all)")
    List<String> models;
    @Option(names = "--data", description = "directory holding MUTAG/ and PROTEINS/ in the TU format (default: $MYCELIUM_DATA; see docs/data.md)")
    Path data;
    @Option(names = "--folds", defaultValue = "10", description = "stratified cross-validation folds (default ${DEFAULT-VALUE}, as the paper)")
    int folds;
    @Option(names = "--folds-run", description = "how many of the folds to train and test (default: all; quick 1)")
    Integer foldsRun;
    @Option(names = "--seeds", description = "parameter seeds (paper 5; quick 1)")
    Integer seeds;
    @Option(names = "--epochs", description = "training epochs of the implicit models (paper up to 5000; default 200; quick 3)")
    Integer epochs;
    @Option(names = "--explicit-epochs", description = "training epochs of GCN and GAT (default: --epochs)")
    Integer explicitEpochs;
    @Option(names = "--batch-size", defaultValue = "0", description = "graphs per mini-batch (default 0: all training graphs, one step per epoch; "
            + "the paper names no batch size)")
    int batchSize;
    @Option(names = "--init", defaultValue = "glorot", description = "how every affine layer (weights and biases) starts: glorot (Glorot-uniform W, "
            + "zero b; the default) or torch (PyTorch nn.Linear's default, W and b U(±1/√fan-in)); the paper names none; the energy GNNs' PICNNs "
            + "keep their own")
    String init;
    @Option(names = "--lr", defaultValue = "0.002", description = "initial learning rate, decayed by 0.98 every 200 epochs (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--tol", defaultValue = "1e-5", description = "fixed-point and adjoint tolerance in training (default ${DEFAULT-VALUE})")
    double tol;
    @Option(names = "--max-iter", defaultValue = "3000", description = "fixed-point iteration budget (default ${DEFAULT-VALUE})")
    int maxIter;
    @picocli.CommandLine.Mixin
    AsyncInferenceOptions async;
    @Option(names = "--async-graphs", paramLabel = "N", description = "asynchronous inference on N graphs of each test fold, spread evenly over it (default: all; quick "
            + QUICK_ASYNC_GRAPHS + ")")
    Integer asyncGraphs;
    @Option(names = "--threads", description = "runs trained at once (default: available processors)")
    Integer threads;
    @Option(names = "--out", defaultValue = "results/hogwild-table3", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--force", description = "replace an earlier results directory of Mycelium's")
    boolean force;
    @Option(names = "--checkpoint-every", paramLabel = "K", description = "save every run's state after every K-th epoch, and its result when it ends, "
            + "into <out>/checkpoint/ (default 0: none)")
    int checkpointEvery;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue from the checkpoints in DIR/checkpoint/ (the same settings; finished runs "
            + "are not repeated); the results replace DIR unless --out is given")
    Path resume;

    @Override
    public Integer call() throws Exception {
        Init.Affine ai = affine(init);
        List<String> ms = HogwildOptions.modelIds(models, Models.all().stream().map(Models.Entry::id).toList());
        List<String> ds = new ArrayList<>();
        for (String d : datasets == null ? (quick ? List.of("mutag") : DATASETS) : datasets) {
            String k = d.trim().toLowerCase(Locale.ROOT);
            if (!DATASETS.contains(k)) throw new Main.UserError("--datasets: unknown data set '" + d + "'; choose from " + DATASETS);
            if (!ds.contains(k)) ds.add(k);
        }
        if (ms.isEmpty() || ds.isEmpty()) throw new Main.UserError("choose at least one model and one data set");
        int e = epochs != null ? epochs : quick ? 3 : 200, ee = explicitEpochs != null ? explicitEpochs : e;
        int fr = foldsRun != null ? foldsRun : quick ? 1 : folds, sd = seeds != null ? seeds : quick ? 1 : 5;
        if (folds < 2) throw new Main.UserError("--folds must be at least 2, got " + folds);
        if (fr < 1 || fr > folds) throw new Main.UserError("--folds-run must be between 1 and --folds (" + folds + "), got " + fr);
        if (sd < 1 || e < 1 || ee < 1) throw new Main.UserError("--seeds, --epochs and --explicit-epochs must be at least 1");
        if (batchSize < 0) throw new Main.UserError("--batch-size must be at least 0 (0: all training graphs), got " + batchSize);
        if (!(lr > 0) || !(tol > 0) || maxIter < 1) throw new Main.UserError("--lr and --tol must be positive and --max-iter at least 1");
        if (threads != null && threads < 1) throw new Main.UserError("--threads must be at least 1");
        Path root = dataRoot(data, "--data");
        List<TuDataset> sets = new ArrayList<>();
        for (String d : ds) {
            String name = d.toUpperCase(Locale.ROOT);
            sets.add(TuDataset.load(root.resolve(name), name, false));
        }
        if (checkpointEvery < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + checkpointEvery);
        OutputDir.Target target = TrainCheckpoints.target(spec, out, resume);
        Table2.Settings a = async.settings(quick, quick ? 1e-6 : 1e-7, 10 * maxIter);
        if (asyncGraphs != null && asyncGraphs < 1) throw new Main.UserError("--async-graphs must be at least 1, got " + asyncGraphs);
        int ag = asyncGraphs != null ? asyncGraphs : quick ? QUICK_ASYNC_GRAPHS : Integer.MAX_VALUE;
        a = new Table2.Settings(a.stagger(), a.history(), a.runs(), ag, a.tol(), a.maxTicks());
        Table3.Settings s = new Table3.Settings(folds, fr, sd, e, ee, batchSize, lr, tol, maxIter, a, ai);
        boolean replace = force || TrainCheckpoints.replaces(target, resume);
        OutputDir.validate(target, replace);
        Table3Checkpoints ck = checkpointEvery > 0 || resume != null ? new Table3Checkpoints(target.path(), checkpointEvery, resume, s) : null;
        long t0 = System.nanoTime();
        long total = 0;
        for (String m : ms)
            for (TuDataset d : sets) total += (long) sd * fr * Table3.epochsFor(Models.get(m), d, s);
        Table3.Result res;
        try (ProgressBar bar = Progress.bar("hogwild-table3", total)) {
            res = Table3.run(ms, sets, s, threads == null ? Runtime.getRuntime().availableProcessors() : threads, bar::step, ck);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String md = markdown(res, s, wall);
        try (OutputDir dir = OutputDir.open(target, replace || ck != null)) {   // checkpoints written into it are ours
            writeCells(dir.dir().resolve("table3.csv"), res.cells());
            writeRuns(dir.dir().resolve("runs.csv"), res.runs());
            writeModels(dir.dir().resolve("models"), res, sets, s);
            if (ck != null) ck.copyInto(dir.dir());
            Files.writeString(dir.dir().resolve("table3.md"), md);
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("settings", s);
            cfg.put("models", ms);
            cfg.put("datasets", ds);
            cfg.put("foldRule", "stratified: each class's graphs shuffled with Init.rng(0xF01D) and dealt to folds 0..k-1 in turn");
            cfg.put("architecture", "node model with output MLP (4,4,1); mean of node outputs; readout MLP (1,4,4,1), tanh hidden units (the paper names none); one logit + binary "
                    + "cross-entropy where the paper has two class scores + softmax (same model class)");
            cfg.put("nodeFeatures", "one-hot node labels (MUTAG 7 atom types, PROTEINS 3 structure types)");
            cfg.put("init", s.init() == Init.Affine.TORCH_LINEAR ? "every affine layer (encoders, IGNN's W, GCN and GAT layers, node and graph readouts): "
                    + "PyTorch nn.Linear's default, W and b each U(±1/sqrt(fan_in)) (the paper names no initialization); energy GNN PICNNs: their own"
                    : "every affine layer: Glorot-uniform W, zero b (the paper names no initialization); energy GNN PICNNs: their own");
            cfg.put("optimizer", "Adam (β1 0.9, β2 0.999, ε 1e-8), lr · 0.98^(epoch/200), decoupled weight decay 1e-4 (ours: the paper gives none)");
            cfg.put("batches", s.batchSize() == 0 ? "full batch: all training graphs of the fold in one batch, one Adam step per epoch (the paper names no "
                    + "batch size; ours)" : s.batchSize() + " graphs per mini-batch (the paper names no batch size; ours)");
            cfg.put("models_saved", "models/<model>-<dataset>-s<seed>-f<fold>.myc: each run's trained graph network and readout (see docs/model-files.md)");
            if (ag != Integer.MAX_VALUE) cfg.put("asyncGraphs", "asynchronous inference on " + ag + " graphs of each test fold, spread evenly over it (indices floor(i n / N)); the paper's protocol: all of them");
            cfg.put("wallSeconds", wall);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.dir().resolve("config.json").toFile(), cfg);
            dir.commit();
        }
        System.out.print(md);
        System.out.println("-> " + out);
        return 0;
    }

    /** The {@code --init} choice, or a clear error. */
    static Init.Affine affine(String id) {
        try {
            return Init.Affine.of(id.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw new Main.UserError("--init: " + x.getMessage());
        }
    }

    /** The data directory: the option when given, else {@link DataDir#root()}; a clear error when absent. */
    static Path dataRoot(Path given, String option) {
        Path p = given;
        String how = option + " " + given;
        if (p == null) {
            p = DataDir.root().orElse(null);
            if (p == null) throw new Main.UserError("no data directory: give " + option + " DIR, a directory holding the TU data sets "
                    + "(MUTAG/, PROTEINS/ with MUTAG_A.txt, ...), or set MYCELIUM_DATA (see docs/data.md)");
            how = "the data directory " + p;
        }
        if (!Files.isDirectory(p))
            throw new Main.UserError(how + " is not a directory: give " + option + " DIR, a directory holding the TU data sets "
                    + "(MUTAG/, PROTEINS/ with MUTAG_A.txt, ...), or set MYCELIUM_DATA");
        return p;
    }

    static String markdown(Table3.Result r, Table3.Settings s, double wall) {
        StringBuilder b = new StringBuilder("# Table 3: graph classification accuracy (%)\n\n");
        b.append(String.format(Locale.ROOT, "Mean ± std over %d seed(s) × %d of %d stratified folds; %d epochs (GCN, GAT %d), batch %s, lr %s. "
                + "Paper: 10 folds × 5 seeds, up to 5000 epochs. Asynchronous change: test accuracy under S = %d, D = %d minus synchronous%s, "
                + "mean ± std over runs (percentage points; negative is worse). Wall time %.0f s.%n%n", s.seeds(), s.foldsRun(), s.folds(),
                s.epochs(), s.explicitEpochs(), s.batchSize() == 0 ? "all training graphs" : String.valueOf(s.batchSize()), s.lr(), s.async().stagger(), s.async().history(),
                s.async().testGraphs() == Integer.MAX_VALUE ? "" : " on " + s.async().testGraphs() + " graphs spread evenly over each test fold", wall));
        b.append("Ours: test accuracy after the last epoch, mean ± std over all runs [std over seeds of the fold mean]; best epoch: the "
                + "highest test accuracy after any epoch (selected on the test fold, optimistic); constant: runs predicting one class for every "
                + "training graph.\n\n");
        b.append("| model | data set | ours (last epoch) | best epoch | constant | paper | async change | largest |Δ| | converged |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Table3.Cell c : r.cells())
            b.append(String.format(Locale.ROOT, "| %s | %s | %.1f ± %.1f [%.1f] | %.1f ± %.1f | %d/%d | %s | %+.2f ± %.2f | %.2f | %s |%n",
                    c.paperName(), c.dataset(), c.mean(), c.std(), c.seedStd(), c.bestMean(), c.bestStd(), c.constantRuns(), c.runs(),
                    HogwildOptions.pm(c.paper()), c.asyncChangeMean(), c.asyncChangeStd(), c.maxAbsAsyncChange(), c.allConverged() ? "yes" : "no"));
        return b.toString();
    }

    /** Every run's trained model as a .myc file: the node model, the graph readout, the union of its training graphs. */
    private static void writeModels(Path dir, Table3.Result r, List<TuDataset> sets, Table3.Settings s) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < r.runs().size(); i++) {
            Table3.Run x = r.runs().get(i);
            TuDataset d = sets.stream().filter(t -> Table3.task(t).id().equals(x.dataset())).findFirst().orElseThrow();
            Models.Entry m = Models.get(x.model());
            var task = Table3.task(d);
            int[] foldOf = Table3.folds(d.labels(), s.folds(), Table3.FOLD_SEED);
            var graph = io.mycelium.train.GraphBatch.of(Table3.trainingGraphs(d, foldOf, x.fold())).graph();
            var training = new ModelFile.Training("adam", x.seed(), Table3.epochsFor(m, d, s), "test accuracy % (fold " + x.fold() + ")", x.testAccuracy());
            ModelFile.of(m.create(task, s.init()), Table3.readout(task, s.init()), r.params().get(i), graph, training)
                    .write(dir.resolve(Table3.key(x.model(), x.dataset(), x.seed(), x.fold()) + ".myc"));
        }
    }

    private static void writeCells(Path f, List<Table3.Cell> cells) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            w.println("model,dataset,accuracy_mean,accuracy_std,paper_mean,paper_std,accuracy_seed_std,best_epoch_mean,best_epoch_std,"
                    + "constant_runs,runs,async_change_mean,async_change_std,max_abs_async_change,max_output_change,max_staleness,converged");
            for (Table3.Cell c : cells)
                w.printf(Locale.ROOT, "%s,%s,%.6f,%.6f,%s,%s,%.6f,%.6f,%.6f,%d,%d,%.6f,%.6f,%.6f,%.6g,%d,%b%n", c.model(), c.dataset(), c.mean(), c.std(),
                        c.paper() == null ? "" : c.paper()[0], c.paper() == null ? "" : c.paper()[1], c.seedStd(), c.bestMean(), c.bestStd(),
                        c.constantRuns(), c.runs(), c.asyncChangeMean(),
                        c.asyncChangeStd(), c.maxAbsAsyncChange(), c.maxOutputChange(), c.maxStaleness(), c.allConverged());
        }
    }

    private static void writeRuns(Path f, List<Table3.Run> runs) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            w.println("model,dataset,seed,fold,test_accuracy,best_epoch_test_accuracy,train_accuracy,constant,sync_accuracy,async_accuracies,"
                    + "async_change,converged,seconds");
            for (Table3.Run x : runs)
                w.printf(Locale.ROOT, "%s,%s,%d,%d,%.6f,%.6f,%.6f,%b,%.6f,%s,%.6f,%b,%.3f%n", x.model(), x.dataset(), x.seed(), x.fold(), x.testAccuracy(),
                        x.bestTestAccuracy(), x.trainAccuracy(), x.constant(), x.syncAccuracy(), java.util.Arrays.stream(x.asyncAccuracies()).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                                .reduce((a, c) -> a + ";" + c).orElse(""), x.asyncChange(), x.converged(), x.seconds());
        }
    }
}
