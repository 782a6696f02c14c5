package io.mycelium.task.hogwild;

import io.mycelium.artifact.ModelFile;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Objective;
import io.mycelium.util.Futures;
import io.mycelium.util.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Table 1 of the hogwild paper: every model trained on every task, test error as mean ± std over
 * parameter seeds and train/test folds, inference synchronous.
 */
public final class Table1 {
    private Table1() {}

    /**
     * One training run; {@code solverConverged}: every forward and adjoint solve of training and every
     * evaluation solve met the tolerance; {@code trained}: the trained model, as a model file holds it.
     */
    public record Run(String model, String task, long seed, int fold, double testError, double trainError, double finalLoss,
                      double seconds, boolean solverConverged, ModelFile trained) {
        /** The run's id, {@code <model>-<task>-s<seed>-f<fold>}. */
        public String id() { return id(model, task, seed, fold); }

        static String id(String model, String task, long seed, int fold) { return model + "-" + task + "-s" + seed + "-f" + fold; }

        /** The name its model file takes in a results directory: {@code <id>.myc}. */
        public String fileName() { return id() + ".myc"; }

        /** This run with its trained model {@code m} (a run read back from a checkpoint gets its model this way). */
        public Run withTrained(ModelFile m) {
            return new Run(model, task, seed, fold, testError, trainError, finalLoss, seconds, solverConverged, m);
        }
    }

    /** One cell: our mean ± std over runs, and the paper's (null when it has none). */
    public record Cell(String model, String paperName, String task, double mean, double std, int runs, double[] paper) {}

    public record Result(List<Run> runs, List<Cell> cells) {}

    /** Trains one model on one fold of a task with one seed, and measures the test (and training) error. */
    public static Run run(Models.Entry m, HogwildTask task, long seed, int fold, HogwildConfig c, Runnable perEpoch) {
        return run(m, task, seed, fold, c, perEpoch, FinishedRuns.none());
    }

    /** As above, continuing from and saving its training state in {@code ck}. */
    static Run run(Models.Entry m, HogwildTask task, long seed, int fold, HogwildConfig c, Runnable perEpoch, FinishedRuns<Run> ck) {
        long t0 = System.nanoTime();
        HogwildTask.Split sp = task.split(fold, c.testFraction());
        Objective objective = c.objective(task, sp.train());
        int epochs = c.epochsFor(m, task);
        GraphTrainer tr = new GraphTrainer(m.net(task, c.solver()), objective, null, sp.train(), c.trainer(seed, epochs));
        FinishedRuns.Progress last = ck.train(Run.id(m.id(), task.id(), seed, fold), tr, epochs, perEpoch);
        boolean[] conv = {last.converged()};
        List<io.mycelium.train.BatchContext> testCtx = tr.contexts(sp.test()), trainCtx = tr.contexts(sp.train());
        double test = tr.evaluate(testCtx);
        double train = tr.evaluate(trainCtx);
        // the evaluation solves start cold; an ill-conditioned trained energy can run out of budget there too
        for (io.mycelium.train.BatchContext b : testCtx) conv[0] &= b.converged();
        for (io.mycelium.train.BatchContext b : trainCtx) conv[0] &= b.converged();
        return new Run(m.id(), task.id(), seed, fold, test, train, last.lastLoss(), (System.nanoTime() - t0) / 1e9, conv[0],
                trained(m, task, tr, objective, seed, epochs, test));
    }

    /**
     * The trained model of a run as a model file: tied parameters (one model for every node), no
     * graph identity (it was trained over a pool of graphs), the output scale of standardized
     * regression targets, and the test metric it reached.
     */
    static ModelFile trained(Models.Entry m, HogwildTask task, GraphTrainer tr, Objective o, long seed, int epochs, double testMetric) {
        ModelFile.OutputScale scale = o instanceof Objective.Regression r && (r.center() != 0 || r.scale() != 1)
                ? new ModelFile.OutputScale(r.center(), r.scale()) : null;
        return ModelFile.ofTied(m.create(task), tr.params().copy(),
                new ModelFile.Training("adam", seed, epochs, "test " + o.metricName(), testMetric), scale);
    }

    /** All runs of the configuration on {@code threads} threads; {@code perEpoch} ticks once per trained epoch. */
    public static Result run(HogwildConfig c, Map<String, HogwildTask> tasks, int threads, Runnable perEpoch) throws Exception {
        return run(c, tasks, threads, perEpoch, FinishedRuns.none());
    }

    /** As above; the runs {@code done} has from earlier are taken from it, the others trained and handed to it as they finish. */
    public static Result run(HogwildConfig c, Map<String, HogwildTask> tasks, int threads, Runnable perEpoch, FinishedRuns<Run> done)
            throws Exception {
        List<Models.Entry> models = c.models().stream().map(Models::get).toList();
        List<Future<Run>> fs = new ArrayList<>();
        try (ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, threads))) {
            for (Models.Entry m : models)
                for (String t : c.tasks())
                    for (int s = 1; s <= c.seeds(); s++)
                        for (int f = 0; f < c.folds(); f++) {
                            long seed = s;
                            int fold = f;
                            String id = Run.id(m.id(), t, seed, fold);
                            Run earlier = done.earlier(id, c.epochsFor(m, tasks.get(t)));
                            fs.add(earlier != null ? java.util.concurrent.CompletableFuture.completedFuture(earlier) : ex.submit(() -> {
                                Run r = run(m, tasks.get(t), seed, fold, c, perEpoch, done);
                                done.finished(id, r);
                                return r;
                            }));
                        }
            List<Run> runs = Futures.all(fs, ex);
            return new Result(runs, cells(runs, models, c.tasks()));
        }
    }

    static List<Cell> cells(List<Run> runs, List<Models.Entry> models, List<String> tasks) {
        List<Cell> out = new ArrayList<>();
        for (Models.Entry m : models)
            for (String t : tasks) {
                double[] v = runs.stream().filter(r -> r.model().equals(m.id()) && r.task().equals(t)).mapToDouble(Run::testError).toArray();
                out.add(new Cell(m.id(), m.paperName(), t, mean(v), std(v), v.length, PaperTables.lookup(PaperTables.TABLE1, m.paperName(), t)));
            }
        return out;
    }

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Sample standard deviation (0 for a single value). */
    public static double std(double[] v) {
        return Stats.sampleStd(v, mean(v));
    }

    /** Builds the configured tasks once (they are immutable and shared by all runs). */
    public static Map<String, HogwildTask> tasks(HogwildConfig c) {
        Map<String, HogwildTask> m = new LinkedHashMap<>();
        for (String t : c.tasks()) m.put(t, HogwildTasks.build(t, c.sizes(), java.nio.file.Path.of(c.mnistDir()), c.dataSeed()));
        return m;
    }
}
