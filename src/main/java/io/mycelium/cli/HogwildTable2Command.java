package io.mycelium.cli;

import io.mycelium.task.hogwild.HogwildConfig;
import io.mycelium.task.hogwild.HogwildTask;
import io.mycelium.task.hogwild.Table1;
import io.mycelium.task.hogwild.Table2;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "hogwild-table2", mixinStandardHelpOptions = true,
        description = {"Reproduces Table 2 of the hogwild paper: how much asynchronous inference changes each model's error.",
                "One trained instance of every model on every task; the change of the test error (percentage points) from synchronous to partially asynchronous inference on the asynchronous engine (stagger S, history D, Algorithm 1's views: largest age S + D = 7 as in the paper), mean ± std over asynchronous runs. Writes table2.csv, table2.md, runs.csv, config.json and the trained models (models/<model>-<task>.myc) into --out."})
final class HogwildTable2Command implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Mixin
    HogwildOptions opts;
    @Mixin
    RunCheckpointOptions ck;
    @Option(names = "--out", defaultValue = "results/hogwild-table2", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--stagger", defaultValue = "4", description = "S: next update 1..S ticks after the last (default ${DEFAULT-VALUE})")
    int stagger;
    @Option(names = "--history", defaultValue = "3", description = "D: each update views a neighbour as of a tick at most D back, never moving back (Algorithm 1) (default ${DEFAULT-VALUE})")
    int history;
    @Option(names = "--runs", defaultValue = "5", description = "asynchronous runs per model and task (default ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--test-graphs", defaultValue = "10", description = "test graphs in the sub-sample (default ${DEFAULT-VALUE})")
    int testGraphs;
    @Option(names = "--inference-tol", description = "implicit models' convergence tolerance at inference (default 1e-7; quick 1e-6)")
    Double inferenceTol;
    @Option(names = "--max-ticks", description = "tick budget of an implicit model's synchronous inference (default 10 × --max-iter); each asynchronous run gets 2(S + 1) times the synchronous run's ticks, at most this")
    Integer maxTicks;

    @Override
    public Integer call() throws Exception {
        // Raw targets, as the paper trains (Appendix F.2): standardizing puts the targets' mean and scale in a
        // node-local affine map outside the network, which asynchrony cannot touch, so the network itself only
        // computes the residual. And explicit models trained for long enough: a network still near the mean
        // predictor (or with every ReLU dead) ignores its messages, and so it "survives" asynchrony.
        HogwildConfig c = opts.config(new HogwildOptions.Defaults(false, 1000));
        if (stagger < 1 || history < 0) throw new Main.UserError("--stagger must be at least 1 and --history at least 0");
        int budget = maxTicks != null ? maxTicks : (int) Math.min(Integer.MAX_VALUE, 10L * c.maxIter());
        if (runs < 1 || testGraphs < 1 || budget < 1) throw new Main.UserError("--runs, --test-graphs and --max-ticks must be at least 1");
        double tol = inferenceTol != null ? inferenceTol : opts.quick ? 1e-6 : 1e-7;
        if (!(tol > 0)) throw new Main.UserError("--inference-tol must be positive");
        Table2.Settings s = new Table2.Settings(stagger, history, runs, testGraphs, tol, budget);
        OutputDir.Target target = ck.target(spec, out);
        boolean replace = ck.replace(target, opts.force);
        OutputDir.validate(target, replace);
        TableCheckpoints<Table2.Row> checkpoints = new TableCheckpoints<>(target.path(), ck.every, ck.resume, Map.of("config", c, "table2", s),
                Table2.Row.class, Table2.Row::trained, Table2.Row::withTrained, "mycelium reproduce hogwild-table2");
        long t0 = System.nanoTime();
        Map<String, HogwildTask> tasks = Table1.tasks(c);
        List<Table2.Row> rows;
        int pairs = 0;
        long units = 0;
        for (String m : c.models())
            for (String t : c.tasks())
                if (checkpoints.earlier(m + "-" + t, c.epochsFor(io.mycelium.task.hogwild.Models.get(m), tasks.get(t))) == null) {
                    pairs++;
                    units += Table2.units(c, s, io.mycelium.task.hogwild.Models.get(m), tasks.get(t));
                }
        int taken = c.models().size() * c.tasks().size() - pairs;
        if (taken > 0) System.err.println("resuming: " + taken + " finished row(s) taken from " + ck.resume.resolve(TableCheckpoints.DIR));
        // one bar over training epochs and inferences (1 synchronous + runs per model and task): the
        // inferences of implicit models can outlast the training, so the bar must not sit at 100% then
        try (ProgressBar bar = Progress.bar("hogwild-table2", units)) {
            rows = Table2.run(c, tasks, s, opts.threads(), new BarProgress(bar, pairs * (1 + runs)), checkpoints);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String md = markdown(rows, c, s, wall);
        try (OutputDir dir = OutputDir.open(target, replace || ck.active())) {   // checkpoints written into it are ours
            checkpoints.copyInto(dir.dir());
            writeRows(dir.dir().resolve("table2.csv"), rows);
            writeRuns(dir.dir().resolve("runs.csv"), rows);
            Path models = Files.createDirectories(dir.dir().resolve(HogwildTable1Command.MODELS));
            for (Table2.Row x : rows) x.trained().write(models.resolve(x.fileName()));
            Files.writeString(dir.dir().resolve("table2.md"), md);
            HogwildTable1Command.writeConfig(dir.dir().resolve("config.json"), c, tasks, wall, opts.threads(),
                    RunFiles.ordered("table2", s, "scheduleSeeds", java.util.stream.LongStream.rangeClosed(1, runs).boxed().toList(),
                            "trainedInstance", "parameter seed 1, fold 0"));
            dir.commit();
        }
        System.out.print(md);
        System.out.println("-> " + out);
        return 0;
    }

    /** Steps the bar; its message counts inferences and names any that spent its tick budget. */
    static final class BarProgress implements Table2.Progress {
        private final ProgressBar bar;
        private final int inferences;
        private int done, exhausted;

        BarProgress(ProgressBar bar, int inferences) {
            this.bar = bar;
            this.inferences = inferences;
        }

        @Override
        public void epoch() { bar.step(); }

        @Override
        public synchronized void inference(String model, String task, int ticks, boolean converged) {
            done++;
            if (!converged) exhausted++;
            bar.setExtraMessage(String.format(Locale.ROOT, "inferences %d/%d%s", done, inferences,
                    exhausted == 0 ? "" : ", " + exhausted + " out of ticks (last " + model + "/" + task + ")"));
            bar.step();
        }
    }

    static String markdown(List<Table2.Row> rows, HogwildConfig c, Table2.Settings s, double wall) {
        StringBuilder b = new StringBuilder();
        b.append("# Table 2: change in test error (percentage points) from synchronous to asynchronous inference\n\n");
        b.append(String.format(Locale.ROOT, "Increase of classification error (chains, MNIST) or relative RMSE (count, sum, coordinates); "
                + "mean ± std over %d asynchronous runs (stagger S = %d, history D = %d, Algorithm 1's views: largest age S + D = %d) on up to %d test graphs, "
                + "one instance per model trained %d epochs (GCN, GAT %d), lr %s, batch %d, %s regression targets. "
                + "Adam with decoupled weight decay 1e-4 (ours: Appendix F.2 gives no value). Paper's numbers in parentheses. Wall time %.0f s.%n%n",
                s.runs(), s.stagger(), s.history(), s.stagger() + s.history(), s.testGraphs(), c.epochs(), c.explicitEpochs(), c.lr(), c.batchSize(),
                c.standardizeTargets() ? "standardized" : "raw", wall));
        HogwildOptions.markdownTable(b, c, rows, Table2.Row::model, Table2.Row::paperName,
                x -> String.format(Locale.ROOT, "%.2f ± %.2f (%s)", x.meanChange(), x.stdChange(), HogwildOptions.pm(x.paper())));
        b.append("\nSynchronous test error of the same instances (%):\n\n");
        HogwildOptions.markdownTable(b, c, rows, Table2.Row::model, Table2.Row::paperName,
                x -> String.format(Locale.ROOT, "%.1f", x.syncError()));
        b.append(String.format(Locale.ROOT, "%nTicks of the synchronous inference / mean of the asynchronous runs (implicit models: until no node "
                + "changes by %.0e for two staleness bounds; budgets %d ticks synchronous, 2(S + 1) × its ticks asynchronous):%n%n", s.tol(), s.maxTicks()));
        HogwildOptions.markdownTable(b, c, rows, Table2.Row::model, Table2.Row::paperName,
                x -> String.format(Locale.ROOT, "%d / %.0f%s", x.syncTicks(), x.meanAsyncTicks(),
                        x.exhausted() == 0 ? "" : " (" + x.exhausted() + " out of ticks)"));
        return b.toString();
    }

    private static void writeRows(Path f, List<Table2.Row> rows) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            w.println("model,paper_name,task,implicit,sync_error,mean_change,std_change,max_output_change,mean_staleness,max_staleness,converged,paper_mean,paper_std,trainer_error,model_file");
            for (Table2.Row x : rows)
                w.printf(Locale.ROOT, "%s,%s,%s,%b,%.6f,%.6f,%.6f,%.6g,%.3f,%d,%b,%s,%s,%.6f,%s%n", x.model(), x.paperName(), x.task(), x.implicit(),
                        x.syncError(), x.meanChange(), x.stdChange(), x.maxOutputChange(), x.meanStaleness(), x.maxStaleness(), x.allConverged(),
                        x.paper() == null ? "" : x.paper()[0], x.paper() == null ? "" : x.paper()[1], x.trainedTestError(),
                        HogwildTable1Command.MODELS + "/" + x.fileName());
        }
    }

    private static void writeRuns(Path f, List<Table2.Row> rows) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            w.println("model,task,schedule_seed,sync_error,async_error,change,sync_ticks,sync_converged,ticks,converged,seconds");
            for (Table2.Row x : rows)
                for (int r = 0; r < x.asyncErrors().length; r++)
                    w.printf(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%.6f,%d,%b,%d,%b,%.3f%n", x.model(), x.task(), r + 1, x.syncError(), x.asyncErrors()[r],
                            x.asyncErrors()[r] - x.syncError(), x.syncTicks(), x.syncConverged(), x.asyncTicks()[r], x.asyncConverged()[r],
                            x.asyncSeconds()[r]);
        }
    }
}
