package io.mycelium.task.hogwild;

import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncOptions;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.BatchContext;
import io.mycelium.train.GraphBatch;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
import io.mycelium.util.Futures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Table 2 of the hogwild paper: for one trained instance of every model on every task, the change
 * of the test error from synchronous to partially asynchronous inference on a sub-sample of the test
 * graphs, mean ± std over asynchronous runs with different schedules.
 *
 * <p>Both inferences run on the asynchronous engine: the synchronous one with
 * {@link AsyncSchedule#synchronous()} (every node every tick with its neighbours' latest values,
 * which is the synchronous computation exactly), the asynchronous ones with stagger S and history D
 * (Algorithm 1's views; the largest age of a value read is S + D = 7, the paper's bound). Implicit models iterate until no node changes by the
 * tolerance for a staleness window; explicit models run each node through its L layers with
 * whatever (possibly stale) neighbour values it holds. The change is in percentage points of the
 * metric (classification error or relative RMSE): positive means worse.
 */
public final class Table2 {
    private Table2() {}

    /**
     * @param stagger  S: a node's next update comes 1..S ticks after its last
     * @param history  D: an update views each neighbour as of a tick at most D back (Algorithm 1)
     * @param runs     asynchronous runs (schedule seeds 1..runs); the paper: 5
     * @param testGraphs test graphs in the sub-sample; the paper: 10
     * @param tol      implicit models' convergence tolerance at inference
     * @param maxTicks tick budget of an implicit model's synchronous run; the asynchronous runs get
     *                 {@link #asyncBudget} of the ticks the synchronous one took
     */
    public record Settings(int stagger, int history, int runs, int testGraphs, double tol, int maxTicks) {
        public Settings {
            if (stagger < 1 || history < 0 || runs < 1 || testGraphs < 1 || !(tol > 0) || maxTicks < 1)
                throw new IllegalArgumentException("invalid Table 2 settings");
        }

        public static Settings paper() { return new Settings(4, 3, 5, 10, 1e-7, 30_000); }

        /**
         * Tick budget of an asynchronous run of an implicit model whose synchronous run took
         * {@code syncTicks}: a node updates every (S + 1) / 2 ticks on average, so a contraction
         * needs about that factor more ticks (measured: 2.5× at S = 4); four times that, plus two
         * stopping windows, and never more than {@code maxTicks}. A run that does not converge then
         * costs a bounded multiple of the synchronous one instead of the whole budget.
         */
        public int asyncBudget(int syncTicks) {
            long b = 2L * (stagger + 1) * syncTicks + 4L * (stagger + history);
            return (int) Math.min(maxTicks, b);
        }
    }

    /** One (model, task): the trained model's synchronous error and the errors of the asynchronous runs. */
    public record Row(String model, String paperName, String task, boolean implicit, double trainedTestError, double syncError,
                      double[] asyncErrors, double meanChange, double stdChange, double maxOutputChange, double meanStaleness,
                      int maxStaleness, boolean allConverged, double[] paper, int syncTicks, boolean syncConverged, int[] asyncTicks,
                      boolean[] asyncConverged, double[] asyncSeconds, io.mycelium.artifact.ModelFile trained) {
        /** The row's id, {@code <model>-<task>}. */
        public String id() { return model + "-" + task; }

        /** The name its model file takes in a results directory: {@code <id>.myc}. */
        public String fileName() { return id() + ".myc"; }

        /** This row with its trained model {@code m} (a row read back from a checkpoint gets its model this way). */
        public Row withTrained(io.mycelium.artifact.ModelFile m) {
            return new Row(model, paperName, task, implicit, trainedTestError, syncError, asyncErrors, meanChange, stdChange, maxOutputChange,
                    meanStaleness, maxStaleness, allConverged, paper, syncTicks, syncConverged, asyncTicks, asyncConverged, asyncSeconds, m);
        }

        /** Inferences (the synchronous one and the runs) that ended with their tick budget spent. */
        public int exhausted() {
            int e = syncConverged ? 0 : 1;
            for (boolean c : asyncConverged) if (!c) e++;
            return e;
        }

        public double meanAsyncTicks() {
            double m = 0;
            for (int t : asyncTicks) m += (double) t / asyncTicks.length;
            return m;
        }
    }

    /**
     * What a run reports as it goes: each training epoch, and each inference (the synchronous one and
     * every asynchronous run) when it ends — inferences of implicit models can take longer than the
     * whole training.
     */
    public interface Progress {
        void epoch();

        /** One inference ended after {@code ticks} ticks, converged or with its budget spent. */
        void inference(String model, String task, int ticks, boolean converged);

        Progress NONE = new Progress() {
            @Override
            public void epoch() {}

            @Override
            public void inference(String model, String task, int ticks, boolean converged) {}
        };
    }

    /** Units of {@link Progress} one (model, task) reports: its epochs, then 1 + runs inferences. */
    public static long units(HogwildConfig c, Settings s, Models.Entry m, HogwildTask task) { return c.epochsFor(m, task) + 1L + s.runs(); }

    /** Units of {@link Progress} the whole run reports. */
    public static long units(HogwildConfig c, Settings s, Map<String, HogwildTask> tasks) {
        long u = 0;
        for (String id : c.models())
            for (String t : c.tasks()) u += units(c, s, Models.get(id), tasks.get(t));
        return u;
    }

    /** Trains (seed 1, fold 0) and measures one model on one task. */
    public static Row row(Models.Entry m, HogwildTask task, HogwildConfig c, Settings s, Progress progress) {
        return row(m, task, c, s, progress, AsyncOptions.defaults(), FinishedRuns.none());
    }

    /**
     * One row, its engines computing with {@code engines} (rows run side by side share its helper
     * threads), its training continued from and saved in {@code ck}.
     */
    static Row row(Models.Entry m, HogwildTask task, HogwildConfig c, Settings s, Progress progress, AsyncOptions engines, FinishedRuns<Row> ck) {
        HogwildTask.Split sp = task.split(0, c.testFraction());
        io.mycelium.train.Objective objective = c.objective(task, sp.train());
        GraphTrainer tr = new GraphTrainer(m.net(task, c.solver()), objective, null, sp.train(), c.trainer(1, c.epochsFor(m, task)));
        ck.train(m.id() + "-" + task.id(), tr, c.epochsFor(m, task), progress::epoch);
        List<GraphSample> sub = sp.test().subList(0, Math.min(s.testGraphs(), sp.test().size()));
        GraphBatch b = GraphBatch.of(sub);
        BatchContext ctx = new BatchContext(b, tr.params());
        double trained = tr.metric(List.of(ctx), List.of(tr.predict(ctx)));
        Trainable model = m.create(task);
        AsyncRun sync = infer(model, tr, b, AsyncSchedule.synchronous(), engines, s.tol(), s.maxTicks());
        progress.inference(m.id(), task.id(), sync.ticks(), sync.converged());
        double syncErr = metric(tr, b, sync.output());
        double[] errs = new double[s.runs()], change = new double[s.runs()], secs = new double[s.runs()];
        int[] ticks = new int[s.runs()];
        boolean[] convs = new boolean[s.runs()];
        double maxOut = 0, stale = 0;
        int maxStale = 0;
        boolean conv = sync.converged();
        for (int r = 0; r < s.runs(); r++) {
            AsyncRun a = infer(model, tr, b, AsyncSchedule.of(s.stagger(), s.history(), r + 1), engines, s.tol(), s.asyncBudget(sync.ticks()));
            progress.inference(m.id(), task.id(), a.ticks(), a.converged());
            errs[r] = metric(tr, b, a.output());
            change[r] = errs[r] - syncErr;
            maxOut = Math.max(maxOut, a.output().maxAbsDiff(sync.output()));
            stale += a.meanStaleness() / s.runs();
            maxStale = Math.max(maxStale, a.maxStaleness());
            conv &= a.converged();
            ticks[r] = a.ticks();
            convs[r] = a.converged();
            secs[r] = a.seconds();
        }
        return new Row(m.id(), m.paperName(), task.id(), model instanceof ImplicitModel, trained, syncErr, errs, Table1.mean(change),
                Table1.std(change), maxOut, stale, maxStale, conv, PaperTables.lookup(PaperTables.TABLE2, m.paperName(), task.id()),
                sync.ticks(), sync.converged(), ticks, convs, secs, Table1.trained(m, task, tr, objective, 1, c.epochsFor(m, task), trained));
    }

    static AsyncRun infer(Trainable model, GraphTrainer tr, GraphBatch b, AsyncSchedule sched, AsyncOptions engines, double tol, int maxTicks) {
        AsyncEngine eng = new AsyncEngine(b.graph(), tr.params(), sched, engines);
        return switch (model) {
            case ImplicitModel im -> eng.runImplicit(im, b.x(), b.edges(), null, tol, maxTicks);
            case Model explicit -> eng.runExplicit(explicit, b.x());
        };
    }

    static double metric(GraphTrainer tr, GraphBatch b, Tensor out) {
        return tr.metric(List.of(new BatchContext(b, tr.params())), List.of(out));
    }

    /** Every configured (model, task) on {@code threads} threads. */
    public static List<Row> run(HogwildConfig c, Map<String, HogwildTask> tasks, Settings s, int threads, Progress progress) throws Exception {
        return run(c, tasks, s, threads, progress, FinishedRuns.none());
    }

    /** As above; the rows {@code done} has from earlier are taken from it, the others trained and handed to it as they finish. */
    public static List<Row> run(HogwildConfig c, Map<String, HogwildTask> tasks, Settings s, int threads, Progress progress, FinishedRuns<Row> done)
            throws Exception {
        List<Future<Row>> fs = new ArrayList<>();
        AsyncOptions engines = AsyncOptions.defaults(); // one allowance of wavefront helpers (the cores beyond one) for all rows
        try (ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, threads))) {
            for (String id : c.models())
                for (String t : c.tasks()) {
                    Row earlier = done.earlier(id + "-" + t, c.epochsFor(Models.get(id), tasks.get(t)));
                    fs.add(earlier != null ? java.util.concurrent.CompletableFuture.completedFuture(earlier) : ex.submit(() -> {
                        Row r = row(Models.get(id), tasks.get(t), c, s, progress, engines, done);
                        done.finished(r.id(), r);
                        return r;
                    }));
                }
            return Futures.all(fs, ex);
        }
    }
}
