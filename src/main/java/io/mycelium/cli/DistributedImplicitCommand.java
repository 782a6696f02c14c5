package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.model.ImplicitModel;
import io.mycelium.task.hogwild.DistributedImplicitRun;
import io.mycelium.task.hogwild.DistributedImplicitRun.Scheme;
import io.mycelium.task.hogwild.HogwildTask;
import io.mycelium.task.hogwild.HogwildTasks;
import io.mycelium.task.hogwild.Models;
import io.mycelium.task.hogwild.Table2;
import io.mycelium.task.hogwild.Table3;
import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.GraphIdentity;
import io.mycelium.artifact.ModelFile;
import io.mycelium.data.TuDataset;
import io.mycelium.model.spec.ModelSpec;
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

@Command(name = "distributed-implicit", mixinStandardHelpOptions = true,
        description = {"Trains implicit GNNs fully distributed, then infers asynchronously with the trained per-device copies.",
                "Each model is trained centrally (AMSGrad) and with per-device copies (D-AMSGrad, D-SGD), forward and adjoint solves as counted message passing; reports test error, rounds and bytes per mini-batch, and the change under asynchrony. Writes results.csv, results.md and config.json into --out."})
final class DistributedImplicitCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--quick", description = "CI-sized run: IGNN on count (chains up to 20 nodes), 5 epochs, 2 asynchronous runs")
    boolean quick;
    @Option(names = "--models", split = ",", description = "comma-separated implicit models (default: ignn,gsdgnn; quick: ignn)")
    List<String> models;
    @Option(names = "--tasks", split = ",", description = "comma-separated tasks: count, sum (node regression), mutag (graph classification); default: all three, quick: count")
    List<String> tasks;
    @Option(names = "--data", description = "directory holding MUTAG/ in the TU format (default: $MYCELIUM_DATA; see docs/data.md)")
    Path data;
    @Option(names = "--schemes", split = ",", description = "comma-separated schemes: centralized (AMSGrad, tied copy), centralized-adam (Adam, tied copy), d-amsgrad, d-sgd (default: centralized, d-amsgrad, d-sgd)")
    List<String> schemes;
    @Option(names = "--fold", paramLabel = "K", description = "MUTAG only: test on fold K of --folds stratified folds (hogwild-table3's folds), "
            + "train on the others (default: the fixed split, 150 training and 38 test graphs; with --fold, --tasks defaults to mutag)")
    Integer fold;
    @Option(names = "--val-fold", paramLabel = "J", description = "with --fold K: train on the folds other than K and J and report on fold J "
            + "(validation: the test fold K is not touched; for choosing a setting such as --lr before the one run on K)")
    Integer valFold;
    @Option(names = "--folds", description = "stratified cross-validation folds --fold picks from (default 10, as hogwild-table3 and the paper)")
    Integer folds;
    @Option(names = "--scale", description = "pool sizes as in hogwild-table1: small (default) or quick (default with --quick)")
    String scale;
    @Option(names = "--epochs", description = "training epochs (default 100; quick 5)")
    Integer epochs;
    @Option(names = "--batch-size", defaultValue = "4", description = "graphs per mini-batch, 0: full batch (default ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--lr", defaultValue = "0.002", description = "AMSGrad's and D-AMSGrad's step (default ${DEFAULT-VALUE}, the hogwild paper's rate)")
    double lr;
    @Option(names = "--sgd-lr", defaultValue = "0.01", description = "D-SGD's step (default ${DEFAULT-VALUE})")
    double sgdLr;
    @Option(names = "--tol", defaultValue = "1e-6", description = "forward and adjoint tolerance in training, max-abs change (default ${DEFAULT-VALUE})")
    double tol;
    @Option(names = "--max-iter", defaultValue = "3000", description = "iteration budget of each solve (default ${DEFAULT-VALUE})")
    int maxIter;
    @Option(names = "--init", defaultValue = "glorot", description = "how every affine layer (weights and biases) starts: glorot (Glorot-uniform W, "
            + "zero b; the default) or torch (PyTorch nn.Linear's default, W and b U(±1/√fan-in)), as hogwild-table3's --init")
    String init;
    @Option(names = "--placement", defaultValue = "redrawn", description = "which device runs which node: redrawn (each graph's nodes on "
            + "distinct devices drawn afresh for every epoch, seeded by seed, epoch and graph: every presentation a new sample over the device "
            + "set, as the training paper's G(t) over one node set; each step's consensus graph is its mini-batch's union; the default), "
            + "shuffled (drawn once per graph) or in-order (node i of every graph on device i)")
    String placement;
    @Option(names = "--consensus-rounds", defaultValue = "1", description = "consensus rounds per mini-batch (default ${DEFAULT-VALUE}: D-SGD and D-AMSGrad "
            + "as published; more is a diagnostic, not the paper's algorithm)")
    int consensusRounds;
    @Option(names = "--restart-at", defaultValue = "0.5", description = "restart rule, every scheme alike: after this fraction of the epochs, "
            + "a run whose training loss is not below (1 - --restart-margin) times the best constant predictor's starts again from a new "
            + "initialization (default ${DEFAULT-VALUE}; 0: never, the published training)")
    double restartAt;
    @Option(names = "--restart-margin", defaultValue = "0.01", description = "the restart rule's margin below the constant predictor's loss (default ${DEFAULT-VALUE})")
    double restartMargin;
    @Option(names = "--max-restarts", defaultValue = "3", description = "at most this many restarts per run (default ${DEFAULT-VALUE})")
    int maxRestarts;
    @Option(names = "--seed", defaultValue = "1", description = "parameter and batch-order seed (default ${DEFAULT-VALUE})")
    long seed;
    @picocli.CommandLine.Mixin
    AsyncInferenceOptions async;
    @Option(names = "--out", defaultValue = "results/distributed-implicit", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--force", description = "replace an earlier results directory of Mycelium's")
    boolean force;

    @Override
    public Integer call() throws Exception {
        var ai = HogwildTable3Command.affine(init);
        List<String> ms = HogwildOptions.modelIds(models, quick ? List.of("ignn") : List.of("ignn", "gsdgnn"));
        for (String m : ms)
            if (!(Models.get(m).factory().create(1, 0, 1) instanceof ImplicitModel))
                throw new Main.UserError("--models: " + m + " is explicit; choose implicit models");
        List<String> ts = new ArrayList<>();
        if (folds != null && fold == null) throw new Main.UserError("--folds needs --fold K (one fold per run: test on fold K, train on the others)");
        int nf = folds == null ? 10 : folds;
        if (fold != null && nf < 2) throw new Main.UserError("--folds must be at least 2, got " + nf);
        if (fold != null && (fold < 0 || fold >= nf)) throw new Main.UserError("--fold must be between 0 and " + (nf - 1) + " (--folds " + nf + "), got " + fold);
        if (valFold != null && fold == null) throw new Main.UserError("--val-fold J needs --fold K (the outer test fold it keeps out of training)");
        if (valFold != null && (valFold < 0 || valFold >= nf || valFold.equals(fold)))
            throw new Main.UserError("--val-fold must be between 0 and " + (nf - 1) + " (--folds " + nf + ") and differ from --fold " + fold + ", got " + valFold);
        for (String t : tasks == null ? (fold != null ? List.of("mutag") : quick ? List.of("count") : List.of("count", "sum", "mutag")) : tasks) {
            String k = t.trim().toLowerCase(Locale.ROOT);
            if (k.equals("sums")) k = "sum";
            if (!List.of("count", "sum", "mutag").contains(k)) throw new Main.UserError("--tasks: '" + t + "' is not count, sum or mutag");
            if (!ts.contains(k)) ts.add(k);
        }
        List<Scheme> sc = new ArrayList<>();
        for (String s : schemes == null ? List.of("centralized", "d-amsgrad", "d-sgd") : schemes) {
            Scheme x = switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "centralized" -> Scheme.CENTRALIZED;
                case "centralized-adam" -> Scheme.CENTRALIZED_ADAM;
                case "d-amsgrad" -> Scheme.D_AMSGRAD;
                case "d-sgd" -> Scheme.D_SGD;
                default -> throw new Main.UserError("--schemes: '" + s + "' is not centralized, centralized-adam, d-amsgrad or d-sgd");
            };
            if (!sc.contains(x)) sc.add(x);
        }
        if (ms.isEmpty() || ts.isEmpty() || sc.isEmpty()) throw new Main.UserError("choose at least one model, task and scheme");
        if (fold != null && !ts.equals(List.of("mutag")))
            throw new Main.UserError("--fold picks a cross-validation fold of MUTAG; count and sum have none: run them without --fold, or --tasks mutag");
        String scl = scale == null ? (quick ? "quick" : "small") : scale.trim().toLowerCase(Locale.ROOT);
        HogwildTasks.Sizes sizes = switch (scl) {
            case "small" -> HogwildTasks.Sizes.small();
            case "quick" -> HogwildTasks.Sizes.quick();
            case "medium" -> HogwildTasks.Sizes.medium();
            case "paper" -> HogwildTasks.Sizes.paper();
            default -> throw new Main.UserError("--scale must be paper, medium, small or quick, got " + scale);
        };
        int e = epochs != null ? epochs : quick ? 5 : 100;
        if (e < 1 || maxIter < 1 || consensusRounds < 1) throw new Main.UserError("--epochs, --max-iter and --consensus-rounds must be at least 1");
        if (batchSize < 0) throw new Main.UserError("--batch-size must be at least 1, or 0 for full batch, got " + batchSize);
        if (!(lr > 0) || !(sgdLr > 0) || !(tol > 0)) throw new Main.UserError("--lr, --sgd-lr and --tol must be positive");
        if (!(restartAt >= 0 && restartAt < 1)) throw new Main.UserError("--restart-at must be a fraction in [0, 1), got " + restartAt);
        if (!(restartMargin >= 0 && restartMargin < 1)) throw new Main.UserError("--restart-margin must be in [0, 1), got " + restartMargin);
        if (maxRestarts < 0) throw new Main.UserError("--max-restarts must be at least 0, got " + maxRestarts);
        int restartCheck = (int) Math.round(restartAt * e);
        DistributedImplicitRun.Settings s = new DistributedImplicitRun.Settings(e, batchSize, lr, sgdLr, tol, maxIter, seed,
                async.settings(quick, 1e-8, 10 * maxIter), ai, placement(placement), consensusRounds,
                restartCheck >= 1 && restartCheck < e ? new DistributedImplicitRun.Restart(restartCheck, restartMargin, maxRestarts) : DistributedImplicitRun.Restart.NONE);
        OutputDir.Target target = OutputDir.Target.of(spec, out);
        OutputDir.validate(target, force);
        List<HogwildTask> taskList = new ArrayList<>();
        HogwildTask.Split foldSplit = null;
        for (String t : ts) {
            if (!t.equals("mutag")) {
                taskList.add(HogwildTasks.build(t, sizes, null, 1));
                continue;
            }
            TuDataset d = TuDataset.load(HogwildTable3Command.dataRoot(data, "--data").resolve("MUTAG"), "MUTAG", false);
            if (fold != null && nf > d.graphs().size()) throw new Main.UserError("--folds " + nf + " exceeds MUTAG's " + d.graphs().size() + " graphs");
            if (fold != null) foldSplit = valFold != null ? Table3.validationSplit(d, nf, fold, valFold) : Table3.foldSplit(d, nf, fold);
            taskList.add(Table3.task(d));
        }
        HogwildTask.Split fs = foldSplit;
        String split = fold == null ? "fold 0 of each task (seeded shuffle, 20% held out, per class for MUTAG: 150 training, 38 test graphs)"
                : valFold != null ? String.format(Locale.ROOT, "MUTAG validation fold %d of %d stratified folds (hogwild-table3's), test fold %d held out of "
                + "training and not evaluated: the 'test' columns are on the %d graphs of validation fold %d, the other %d train", valFold, nf, fold,
                fs.test().size(), valFold, fs.train().size())
                : String.format(Locale.ROOT, "MUTAG fold %d of %d stratified folds (hogwild-table3's: each class shuffled with Init.rng(0xF01D), dealt to folds "
                + "in turn): %d test graphs, the other %d train", fold, nf, fs.test().size(), fs.train().size());
        long t0 = System.nanoTime();
        List<DistributedImplicitRun.Trained> trained;
        try (ProgressBar bar = Progress.bar("distributed-implicit", (long) ms.size() * ts.size() * sc.size() * e)) {
            trained = DistributedImplicitRun.run(ms, taskList, t -> fs != null ? fs : DistributedImplicitRun.fixedSplit(t), sc, s, new DistributedImplicitRun.Listener() {
                @Override
                public void epochDone() { bar.step(); }

                @Override
                public void restarted(int epochs) { bar.maxHint(bar.getMax() + epochs); }
            });
        }
        List<DistributedImplicitRun.Row> rows = trained.stream().map(DistributedImplicitRun.Trained::row).toList();
        double wall = (System.nanoTime() - t0) / 1e9;
        String md = markdown(rows, s, scl, split, wall);
        try (OutputDir dir = OutputDir.open(target, force)) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.dir().resolve("results.csv")))) {
                w.println("model,task,scheme,devices,test_error,first_loss,final_loss,solve_rounds_per_batch,solve_bytes_per_batch,"
                        + "consensus_rounds_per_batch,consensus_bytes_per_batch,sync_error,async_change_mean,max_output_change,max_staleness,converged,seconds,"
                        + "train_error,averaged_train_error,averaged_test_error,disagreement_mean,disagreement_max,mixing_slem,constant_loss,restarts,check_losses,replaced_train_error,test_loss,averaged_test_loss");
                for (DistributedImplicitRun.Row x : rows)
                    w.printf(Locale.ROOT, "%s,%s,%s,%d,%.6f,%.6f,%.6f,%.3f,%.1f,%.3f,%.1f,%.6f,%.6f,%.6g,%d,%b,%.2f,%.6f,%.6f,%.6f,%.6g,%.6g,%.6f,%.6f,%d,%s,%.6f,%.6f,%.6f%n", x.model(),
                            x.task(), x.scheme(), x.devices(), x.testError(), x.firstLoss(), x.finalLoss(), x.solveRoundsPerBatch(), x.solveBytesPerBatch(),
                            x.consensusRoundsPerBatch(), x.consensusBytesPerBatch(), x.syncError(), x.meanAsyncChange(), x.maxOutputChange(),
                            x.maxStaleness(), x.converged(), x.seconds(), x.trainError(), x.averagedTrainError(), x.averagedTestError(),
                            last(x.disagreement()), x.disagreementMax(), x.mixingSlem(), x.constantLoss(), x.restarts(),
                            java.util.Arrays.stream(x.checkLosses()).mapToObj(v -> String.format(Locale.ROOT, "%.6f", v))
                                    .collect(java.util.stream.Collectors.joining(" ")), x.replacedTrainError(), x.testLoss(), x.averagedTestLoss());
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.dir().resolve("disagreement.csv")))) {
                w.println("model,task,scheme,epoch,disagreement_mean");
                for (DistributedImplicitRun.Row x : rows)
                    for (int k = 0; k < x.disagreement().length; k++)
                        w.printf(Locale.ROOT, "%s,%s,%s,%d,%.6g%n", x.model(), x.task(), x.scheme(), k + 1, x.disagreement()[k]);
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.dir().resolve("loss.csv")))) {
                w.println("model,task,scheme,epoch,loss,constant_loss,restarts");
                for (DistributedImplicitRun.Row x : rows)
                    for (int k = 0; k < x.epochLoss().length; k++)
                        w.printf(Locale.ROOT, "%s,%s,%s,%d,%.6g,%.6g,%d%n", x.model(), x.task(), x.scheme(), k + 1, x.epochLoss()[k], x.constantLoss(), x.restarts());
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.dir().resolve("disagreement-by-tensor.csv")))) {
                w.println("model,task,scheme,tensor,disagreement_mean");
                for (DistributedImplicitRun.Row x : rows)
                    for (var t : x.tensorDisagreement().entrySet())
                        w.printf(Locale.ROOT, "%s,%s,%s,%s,%.6g%n", x.model(), x.task(), x.scheme(), t.getKey(), t.getValue());
            }
            Files.writeString(dir.dir().resolve("results.md"), md);
            for (DistributedImplicitRun.Trained t : trained) writeModel(dir.dir().resolve("models"), t, s);
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("settings", s);
            cfg.put("models", ms);
            cfg.put("tasks", ts);
            cfg.put("scale", scl);
            cfg.put("schemes", sc.stream().map(Scheme::id).toList());
            cfg.put("devices", switch (s.placement()) {
                case IN_ORDER -> "node i of every graph runs on device i; consensus over the union of the training graphs' edges";
                case SHUFFLED -> "each graph's nodes run on distinct devices drawn at random once (seeded); consensus over the union of the training graphs' edges";
                case REDRAWN -> "each training graph's nodes run on distinct devices drawn afresh for every epoch (seeded by seed, epoch, graph), test graphs "
                        + "on devices drawn once; each step's consensus graph is its mini-batch's union on that epoch's devices";
            } + " (ours: the training paper's graphs share one node set), linked by a path over the device ids where it falls apart; "
                    + "Metropolis-Hastings weights, " + s.consensusRounds() + " round(s) per mini-batch");
            cfg.put("restartRule", s.restart().enabled()
                    ? "ours, every scheme alike (the training paper has none): after epoch " + s.restart().checkEpoch() + " a run whose training loss is not below "
                    + (1 - s.restart().margin()) + " x the best constant predictor's (class-share entropy; mean predictor) restarts from a new initialization, "
                    + "at most " + s.restart().maxRestarts() + " times; the kept run trains its full epochs (set on seeds 1-5's training losses)"
                    : "off");
            cfg.put("amsgradOrder", "tracker first (DAmsGrad.trackerFirst): the published order's first step alpha m / sqrt(eps) diverges here");
            cfg.put("localLoss", "device i's loss is its rows' share of the batch loss times the number of devices");
            cfg.put("solves", "plain iteration (no Anderson), warm-started; stopping test global (max-abs change <= tol); each iteration one counted round");
            cfg.put("split", split + "; count and sum targets standardized with the training split");
            cfg.put("models_saved", "models/<model>-<task>-<scheme>.myc: the trained copies (one per device for d-amsgrad / d-sgd, on the devices' consensus "
                    + "graph); count and sum predict targets standardized with the training split; MUTAG's per-device readouts are a custom model "
                    + "'" + PER_DEVICE_CLASSIFIER + "' (docs/model-files.md), the centralized one a graph model with its readout");
            cfg.put("wallSeconds", wall);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.dir().resolve("config.json").toFile(), cfg);
            dir.commit();
        }
        System.out.print(md);
        System.out.println("-> " + out);
        return 0;
    }

    /** The custom model type of a graph classifier whose every device holds its own copy of the model and of the readout. */
    static final String PER_DEVICE_CLASSIFIER = "per-device-graph-classifier";

    /**
     * One trained model as a .myc file: a graph model (with its graph readout when tied); per-device
     * copies of a graph classifier, which no graph model file describes (each device reads the graph
     * out with its own copy), as a custom model holding the model spec and the readout widths.
     */
    private static void writeModel(Path dir, DistributedImplicitRun.Trained t, DistributedImplicitRun.Settings s) throws IOException {
        Files.createDirectories(dir);
        DistributedImplicitRun.Row r = t.row();
        var training = new ModelFile.Training(r.scheme(), s.seed(), s.epochs(), "test error %", r.testError());
        Path f = dir.resolve(r.model() + "-" + r.task() + "-" + r.scheme() + ".myc");
        if (t.readout() == null) ModelFile.of(t.model(), t.params(), t.devices(), training).write(f);
        else if (t.params().isTied()) ModelFile.of(t.model(), t.readout(), t.params(), t.devices(), training).write(f);
        else {
            var cfg = new ObjectMapper().createObjectNode();
            cfg.set("model", ModelSpec.of(t.model()).toJson());
            var w = cfg.putArray("readoutWidths");
            for (int d : t.readout().widths()) w.add(d);
            new CustomModelFile(PER_DEVICE_CLASSIFIER, r.model() + " with a graph readout, one copy of both per device (" + r.scheme() + ")", cfg,
                    t.params(), GraphIdentity.of(t.devices()), training).write(f);
        }
    }

    private static io.mycelium.train.DistributedImplicit.Placement placement(String p) {
        return switch (p.trim().toLowerCase(Locale.ROOT)) {
            case "in-order" -> io.mycelium.train.DistributedImplicit.Placement.IN_ORDER;
            case "shuffled" -> io.mycelium.train.DistributedImplicit.Placement.SHUFFLED;
            case "redrawn" -> io.mycelium.train.DistributedImplicit.Placement.REDRAWN;
            default -> throw new Main.UserError("--placement: '" + p + "' is not redrawn, shuffled or in-order");
        };
    }

    private static double last(double[] a) { return a.length == 0 ? 0 : a[a.length - 1]; }

    static String markdown(List<DistributedImplicitRun.Row> rows, DistributedImplicitRun.Settings s, String scale, String split, double wall) {
        StringBuilder b = new StringBuilder("# Implicit GNNs trained fully distributed\n\n");
        b.append(String.format(Locale.ROOT, "Test error: relative RMSE (%%) for count and sum, classification error (%%) for MUTAG, on %s (pools: %s). %d epochs, batch %s, lr %s (D-SGD %s). "
                + "Traffic per mini-batch: solve rounds (forward + adjoint iterations) and bytes sent by all devices; consensus rounds and bytes. "
                + "Asynchronous change: test error of the trained copies under S = %d, D = %d minus synchronous (percentage points). "
                + "θ̄: the average of the copies on every device (Algorithm 1's output); disagreement: ‖θ_i − θ̄‖ / ‖θ̄‖ at the end, mean (largest) over devices; "
                + "slem: the consensus weights' second-largest eigenvalue modulus; re-placed: the copies' training error with every training graph on devices drawn afresh "
                + "(a diagnostic; tied copies: the train error); restarts: new initializations by the restart rule (%s). Wall time %.0f s.%n%n",
                split, scale, s.epochs(), s.batchSize() == 0 ? "full" : String.valueOf(s.batchSize()), s.lr(), s.sgdLr(), s.async().stagger(), s.async().history(),
                s.restart().enabled() ? String.format(Locale.ROOT, "after epoch %d, training loss not below %.2f × the constant predictor's, at most %d",
                        s.restart().checkEpoch(), 1 - s.restart().margin(), s.restart().maxRestarts()) : "off", wall));
        b.append("| model | task | scheme | test error | train error | re-placed train error | θ̄ test error | θ̄ train error | disagreement | slem | loss first → last | solve rounds | solve KB "
                + "| consensus rounds | consensus KB | async change | max output change | converged | restarts |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (DistributedImplicitRun.Row x : rows)
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.3g (%.3g) | %.4f | %.3f → %.3f | %.1f | %.1f | %.0f | %.1f | %+.2e | %.1e | %s | %d |%n",
                    x.model(), x.task(), x.scheme(), x.testError(), x.trainError(), x.replacedTrainError(), x.averagedTestError(), x.averagedTrainError(), last(x.disagreement()),
                    x.disagreementMax(), x.mixingSlem(), x.firstLoss(), x.finalLoss(), x.solveRoundsPerBatch(), x.solveBytesPerBatch() / 1024,
                    x.consensusRoundsPerBatch(), x.consensusBytesPerBatch() / 1024, x.meanAsyncChange(), x.maxOutputChange(), x.converged() ? "yes" : "no", x.restarts()));
        return b.toString();
    }
}
