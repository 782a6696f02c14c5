package io.mycelium.task.hogwild;

import io.mycelium.tensor.Init;
import io.mycelium.data.TuDataset;
import io.mycelium.engine.AsyncOptions;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.train.BatchContext;
import io.mycelium.tensor.Params;
import io.mycelium.train.GraphBatch;
import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphReadout;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Objective;
import io.mycelium.util.Futures;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Table 3 of the hogwild paper: graph classification accuracy on TU benchmarks (MUTAG, PROTEINS),
 * stratified k-fold cross-validation × parameter seeds (the paper: 10 folds × 5 seeds), and, as in
 * Table 2, the change of each trained model's test accuracy from synchronous to partially
 * asynchronous inference.
 *
 * <p>Architecture (Appendix G.2): the models of the synthetic experiments (Appendix F.1) produce one
 * prediction per node (their output MLP o_φ with layers (4, 4, 1)); the graph's prediction is the mean
 * of its nodes' predictions passed through a readout MLP with layers (4, 4, classes). The paper's
 * readout ends in two class scores under softmax cross-entropy; with two classes we use one logit
 * under binary cross-entropy, the same model class (the difference of two scores is one affine map).
 * Training: Adam with the paper's schedule ({@link GraphTrainer.Config#paper()}), epochs as set; by default
 * full batch (the paper names no batch size; see docs/reproductions/implicit.md for why not 32).
 */
public final class Table3 {
    private Table3() {}

    /** The published Table 3 (accuracy %, mean ± std), by model row and data set. */
    public static final Map<String, Map<String, double[]>> PAPER = Map.of(
            "Energy GNN edge-wise", Map.of("mutag", new double[] {87.6, 3.4}, "proteins", new double[] {72.5, 0.3}),
            "Energy GNN + Attention", Map.of("mutag", new double[] {79.5, 1.8}, "proteins", new double[] {72.5, 0.5}),
            "IGNN", Map.of("mutag", new double[] {73.0, 0.6}, "proteins", new double[] {71.8, 1.3}),
            "GSDGNN", Map.of("mutag", new double[] {78.4, 2.2}, "proteins", new double[] {72.8, 0.8}),
            "GCN", Map.of("mutag", new double[] {78.0, 1.4}, "proteins", new double[] {73.7, 0.5}),
            "GAT", Map.of("mutag", new double[] {76.1, 1.5}, "proteins", new double[] {71.7, 3.2}));

    /**
     * @param folds         cross-validation folds (paper 10)
     * @param foldsRun      how many of them are trained and tested (folds 0..foldsRun−1; the paper: all)
     * @param seeds         parameter seeds 1..seeds (paper 5)
     * @param epochs        epochs of the implicit models; {@code explicitEpochs} of GCN and GAT
     * @param batchSize     graphs per mini-batch; 0: all training graphs in one batch (full batch, one Adam step per epoch)
     * @param async         the asynchronous inference measured on each trained model's test fold
     * @param init          how every affine layer of the models and the graph readout starts (the paper names none;
     *                      {@link Init.Affine#TORCH_LINEAR} is PyTorch's default); the energy GNNs' PICNNs keep their own
     */
    public record Settings(int folds, int foldsRun, int seeds, int epochs, int explicitEpochs, int batchSize, double lr, double tol, int maxIter,
                           Table2.Settings async, Init.Affine init) {
        public Settings {
            if (folds < 2 || foldsRun < 1 || foldsRun > folds || seeds < 1 || epochs < 1 || explicitEpochs < 1 || batchSize < 0 || !(lr > 0) || !(tol > 0) || maxIter < 1)
                throw new IllegalArgumentException("invalid Table 3 settings: folds ≥ 2, 1 ≤ folds run ≤ folds, seeds, epochs, iterations ≥ 1, batch size ≥ 0 (0: full batch), lr and tol > 0");
            java.util.Objects.requireNonNull(init, "init");
        }
    }

    /**
     * One (model, data set, seed, fold): test accuracy after the last epoch, synchronous and under each
     * asynchronous schedule.
     *
     * @param bestTestAccuracy the highest test accuracy after any epoch: selected on the test fold, so
     *                         optimistic, but a common way to report these benchmarks
     * @param constant         the trained model predicts one class for every training graph
     */
    public record Run(String model, String dataset, long seed, int fold, double testAccuracy, double bestTestAccuracy, double trainAccuracy,
                      boolean constant, double syncAccuracy, double[] asyncAccuracies, double maxOutputChange, int maxStaleness,
                      boolean converged, double seconds) {
        /** Mean change of test accuracy (percentage points) from synchronous to asynchronous inference; negative is worse. */
        public double asyncChange() {
            double m = 0;
            for (double a : asyncAccuracies) m += (a - syncAccuracy) / asyncAccuracies.length;
            return m;
        }
    }

    /**
     * One cell of the table: ours over all runs, the paper's, and the asynchronous change.
     *
     * @param std      over all (seed, fold) runs
     * @param seedStd  over seeds of each seed's mean over folds (0 with one seed)
     * @param bestMean mean of the runs' best-epoch test accuracies (selected on the test fold)
     * @param constantRuns runs whose trained model predicts one class for every training graph
     */
    public record Cell(String model, String paperName, String dataset, double mean, double std, double seedStd, double bestMean,
                       double bestStd, int constantRuns, int runs, double[] paper,
                       double asyncChangeMean, double asyncChangeStd, double maxAbsAsyncChange, double maxOutputChange, int maxStaleness,
                       boolean allConverged) {}

    /** Every run, its trained parameters (graph network and readout; {@code params.get(i)} of {@code runs.get(i)}), and the cells. */
    public record Result(List<Run> runs, List<Params> params, List<Cell> cells) {}

    /** A run's trained parameters and its result: what a finished run leaves. */
    public record Trained(Run run, Params params) {}

    /**
     * Where runs keep their state, so an interrupted table continues where it stopped: a run whose
     * key has a {@link #finished} result of as many epochs is not repeated; one with a
     * {@link #resume} state (of an interrupted run, or of a finished run of fewer epochs) continues
     * from it, with the same bits as an uninterrupted run.
     */
    public interface Checkpoints {
        /** The state of a run after some epochs: the trainer's, the best test accuracy so far, whether every solve converged. */
        record Progress(GraphTrainer.Snapshot trainer, double bestTestAccuracy, boolean converged) {}

        /** The result of the run {@code key} trained for {@code epochs} epochs, or null. */
        Trained finished(String key, int epochs);

        /** The last state of the run {@code key} at no more than {@code epochs} epochs, or null to start afresh. */
        Progress resume(String key, int epochs);

        /** Whether the state after {@code epoch} (1-based) of {@code epochs} is to be saved. */
        boolean due(int epoch, int epochs);

        void save(String key, Progress p);

        /** The run ended: its result, and its state after the last epoch (before the final evaluations, which move warm starts). */
        void finish(String key, Trained t, Progress last);
    }

    /** The seed of the fold assignment ({@link #folds}): one split for every model and parameter seed. */
    public static final long FOLD_SEED = 0xF01DL;

    /** The key of a run in its checkpoints and file names: {@code model-dataset-s<seed>-f<fold>}. */
    public static String key(String model, String dataset, long seed, int fold) { return model + "-" + dataset + "-s" + seed + "-f" + fold; }

    /** The graph readout of every Table 3 model (Appendix G.2: layers (4, 4) on the mean of the node outputs). */
    public static GraphReadout readout(HogwildTask task, Init.Affine init) { return new GraphReadout(init, task.outputWidth(), 4, 4, 1); }

    /** The training graphs of {@code fold} (every graph not in it), in data set order. */
    public static List<GraphSample> trainingGraphs(TuDataset d, int[] foldOf, int fold) { return split(d, foldOf, fold, false); }

    /**
     * Fold {@code fold} of the {@code k} stratified folds this command deals ({@link #folds} with
     * {@link #FOLD_SEED}): its graphs are the test set, every other graph trains; both in data set order.
     */
    public static HogwildTask.Split foldSplit(TuDataset d, int k, int fold) {
        checkFold(d, k, fold);
        int[] foldOf = folds(d.labels(), k, FOLD_SEED);
        return new HogwildTask.Split(List.copyOf(trainingGraphs(d, foldOf, fold)), List.copyOf(split(d, foldOf, fold, true)));
    }

    /**
     * Validation inside cross-validation: fold {@code valFold}'s graphs are the validation set (the
     * split's test), every graph outside {@code testFold} and {@code valFold} trains; the outer test
     * fold is in neither. Both in data set order.
     */
    public static HogwildTask.Split validationSplit(TuDataset d, int k, int testFold, int valFold) {
        checkFold(d, k, testFold);
        if (valFold < 0 || valFold >= k || valFold == testFold)
            throw new IllegalArgumentException("validation fold " + valFold + ": need 0 ≤ fold < " + k + " and not the test fold " + testFold);
        int[] foldOf = folds(d.labels(), k, FOLD_SEED);
        List<GraphSample> train = new ArrayList<>();
        for (int g = 0; g < foldOf.length; g++) if (foldOf[g] != testFold && foldOf[g] != valFold) train.add(d.graphs().get(g));
        return new HogwildTask.Split(List.copyOf(train), List.copyOf(split(d, foldOf, valFold, true)));
    }

    private static void checkFold(TuDataset d, int k, int fold) {
        if (k < 2 || k > d.graphs().size() || fold < 0 || fold >= k)
            throw new IllegalArgumentException("fold " + fold + " of " + k + ": need 2 ≤ folds ≤ " + d.graphs().size() + " graphs and 0 ≤ fold < folds");
    }

    private static List<GraphSample> split(TuDataset d, int[] foldOf, int fold, boolean test) {
        List<GraphSample> out = new ArrayList<>();
        for (int g = 0; g < foldOf.length; g++) if ((foldOf[g] == fold) == test) out.add(d.graphs().get(g));
        return out;
    }

    /**
     * Stratified k-fold assignment: each class's graphs in a seeded random order, dealt to folds
     * 0, 1, ..., k−1 in turn, so every fold holds each class in proportion (± 1 graph).
     */
    public static int[] folds(int[] labels, int k, long seed) {
        int classes = 0;
        for (int l : labels) classes = Math.max(classes, l + 1);
        int[] fold = new int[labels.length];
        UniformRandomProvider r = Init.rng(seed);
        int next = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> idx = new ArrayList<>();
            for (int g = 0; g < labels.length; g++) if (labels[g] == c) idx.add(g);
            GraphTrainer.shuffle(idx, r);
            for (int i : idx) fold[i] = next++ % k;
        }
        return fold;
    }

    /** The data set as a task of the hogwild registry's models: graph-level binary classification. */
    public static HogwildTask task(TuDataset d) {
        if (d.classes().length != 2) throw new IllegalArgumentException(d.name() + " has " + d.classes().length + " classes; Table 3 runs binary data sets");
        return new HogwildTask(d.name().toLowerCase(java.util.Locale.ROOT), d.name(), d.graphs(), d.featureWidth(), 0,
                Objective.binaryClassification(true));
    }

    /** Epochs {@code m} trains on {@code d}: {@code epochs} for an implicit model, {@code explicitEpochs} for GCN and GAT. */
    public static int epochsFor(Models.Entry m, TuDataset d, Settings s) { return m.implicit(task(d)) ? s.epochs() : s.explicitEpochs(); }

    /** Trains one model on one fold with one seed, then measures synchronous and asynchronous test accuracy. */
    public static Run run(Models.Entry m, TuDataset d, int[] foldOf, long seed, int fold, Settings s, Runnable perEpoch) {
        return run(m, d, foldOf, seed, fold, s, perEpoch, AsyncOptions.defaults(), null).run();
    }

    /**
     * {@link #run(Models.Entry, TuDataset, int[], long, int, Settings, Runnable)} with engines
     * computing with {@code engines}, keeping its state in {@code ck} (null: none).
     */
    static Trained run(Models.Entry m, TuDataset d, int[] foldOf, long seed, int fold, Settings s, Runnable perEpoch, AsyncOptions engines,
                       Checkpoints ck) {
        HogwildTask task = task(d);
        int epochs = epochsFor(m, d, s);
        String key = key(m.id(), task.id(), seed, fold);
        Trained done = ck == null ? null : ck.finished(key, epochs);
        if (done != null) {
            if (perEpoch != null) for (int e = 0; e < epochs; e++) perEpoch.run();
            return done;
        }
        long t0 = System.nanoTime();
        List<GraphSample> train = trainingGraphs(d, foldOf, fold), test = split(d, foldOf, fold, true);
        GraphNet net = m.net(task, GraphNet.Solver.of(s.tol(), s.maxIter()), s.init());
        int batch = s.batchSize() == 0 ? train.size() : s.batchSize();
        GraphTrainer.Config cfg = GraphTrainer.Config.paper().withEpochs(epochs).withBatchSize(batch).withLr(s.lr()).withSeed(seed);
        GraphTrainer tr = new GraphTrainer(net, task.objective(), readout(task, s.init()), train, cfg);
        boolean[] conv = {true};
        List<BatchContext> testCtx = tr.contexts(test), trainCtx = tr.trainingBatches();
        double[] best = {0};
        Checkpoints.Progress saved = ck == null ? null : ck.resume(key, epochs);
        if (saved != null) {
            tr.restore(saved.trainer(), testCtx);
            best[0] = saved.bestTestAccuracy();
            conv[0] = saved.converged();
            if (perEpoch != null) for (int e = 0; e < saved.trainer().epoch(); e++) perEpoch.run();
        }
        Checkpoints.Progress[] last = {saved};
        tr.train(e -> {
            conv[0] &= e.converged();
            best[0] = Math.max(best[0], 100 - tr.evaluate(testCtx));
            if (ck != null && ck.due(e.epoch() + 1, epochs)) ck.save(key, last[0] = new Checkpoints.Progress(tr.snapshot(testCtx), best[0], conv[0]));
            if (perEpoch != null) perEpoch.run();
        });
        double testAcc = 100 - tr.evaluate(testCtx), trainAcc = 100 - tr.evaluate(trainCtx);
        boolean constant = constant(tr, trainCtx);
        for (BatchContext b : testCtx) conv[0] &= b.converged();

        // asynchronous inference of the test fold (or testGraphs of its graphs) as one disjoint union of graphs
        GraphBatch b = GraphBatch.of(spread(test, s.async().testGraphs()));
        Table2.Settings a = s.async();
        var model = m.create(task, s.init());
        AsyncRun sync = Table2.infer(model, tr, b, AsyncSchedule.synchronous(), engines, a.tol(), a.maxTicks());
        conv[0] &= sync.converged();
        double syncAcc = accuracy(tr, b, sync);
        double[] accs = new double[a.runs()];
        double maxOut = 0;
        int maxStale = 0;
        for (int r = 0; r < a.runs(); r++) {
            AsyncRun x = Table2.infer(model, tr, b, AsyncSchedule.of(a.stagger(), a.history(), r + 1), engines, a.tol(), a.asyncBudget(sync.ticks()));
            conv[0] &= x.converged() || !m.implicit(task);
            accs[r] = accuracy(tr, b, x);
            maxOut = Math.max(maxOut, x.output().maxAbsDiff(sync.output()));
            maxStale = Math.max(maxStale, x.maxStaleness());
        }
        Run run = new Run(m.id(), task.id(), seed, fold, testAcc, best[0], trainAcc, constant, syncAcc, accs, maxOut, maxStale, conv[0],
                (System.nanoTime() - t0) / 1e9);
        Trained t = new Trained(run, tr.params().copy());
        if (ck != null) ck.finish(key, t, last[0]);
        return t;
    }

    /**
     * {@code k} of the graphs spread evenly over the list (indices ⌊i·n/k⌋), all of them when k ≥ n: a
     * fold lists its graphs in data set order, which in the TU files is sorted by class, so its first
     * k graphs would be of one class.
     */
    static List<GraphSample> spread(List<GraphSample> graphs, int k) {
        int n = graphs.size();
        if (k >= n) return graphs;
        List<GraphSample> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(graphs.get((int) ((long) i * n / k)));
        return out;
    }

    /** Whether every graph of the batches gets the same class (one logit: the same sign). */
    private static boolean constant(GraphTrainer tr, List<BatchContext> ctxs) {
        int pos = 0, n = 0;
        for (BatchContext c : ctxs)
            for (double z : tr.predict(c).data()) {
                n++;
                if (z > 0) pos++;
            }
        return pos == 0 || pos == n;
    }

    private static double accuracy(GraphTrainer tr, GraphBatch b, AsyncRun run) {
        BatchContext ctx = new BatchContext(b, tr.params());
        return 100 - tr.metric(List.of(ctx), List.of(tr.readout(b, run.output())));
    }

    /** Every (model, data set, seed, fold) on {@code threads} threads, each keeping its state in {@code ck} (null: none). */
    public static Result run(List<String> models, List<TuDataset> data, Settings s, int threads, Runnable perEpoch, Checkpoints ck) throws Exception {
        List<Future<Trained>> fs = new ArrayList<>();
        AsyncOptions engines = AsyncOptions.defaults(); // one allowance of wavefront helpers (the cores beyond one) for all runs
        try (ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, threads))) {
            for (String id : models)
                for (TuDataset d : data) {
                    int[] foldOf = folds(d.labels(), s.folds(), FOLD_SEED);
                    for (int seed = 1; seed <= s.seeds(); seed++)
                        for (int f = 0; f < s.foldsRun(); f++) {
                            long sd = seed;
                            int fold = f;
                            fs.add(ex.submit(() -> run(Models.get(id), d, foldOf, sd, fold, s, perEpoch, engines, ck)));
                        }
                }
            List<Run> runs = new ArrayList<>();
            List<Params> params = new ArrayList<>();
            for (Trained t : Futures.all(fs, ex)) {
                runs.add(t.run());
                params.add(t.params());
            }
            return new Result(runs, params, cells(runs, models, data));
        }
    }

    static List<Cell> cells(List<Run> runs, List<String> models, List<TuDataset> data) {
        List<Cell> out = new ArrayList<>();
        for (String id : models) {
            Models.Entry m = Models.get(id);
            for (TuDataset d : data) {
                String ds = d.name().toLowerCase(java.util.Locale.ROOT);
                List<Run> rs = runs.stream().filter(r -> r.model().equals(m.id()) && r.dataset().equals(ds)).toList();
                double[] acc = rs.stream().mapToDouble(Run::testAccuracy).toArray();
                double[] best = rs.stream().mapToDouble(Run::bestTestAccuracy).toArray();
                double[] seedMeans = rs.stream().collect(java.util.stream.Collectors.groupingBy(Run::seed, java.util.TreeMap::new,
                        java.util.stream.Collectors.averagingDouble(Run::testAccuracy))).values().stream().mapToDouble(Double::doubleValue).toArray();
                double[] ch = rs.stream().mapToDouble(Run::asyncChange).toArray();
                double maxAbs = 0, maxOut = 0;
                int stale = 0;
                boolean conv = true;
                for (Run r : rs) {
                    for (double a : r.asyncAccuracies()) maxAbs = Math.max(maxAbs, Math.abs(a - r.syncAccuracy()));
                    maxOut = Math.max(maxOut, r.maxOutputChange());
                    stale = Math.max(stale, r.maxStaleness());
                    conv &= r.converged();
                }
                Map<String, double[]> p = PAPER.get(m.paperName());
                out.add(new Cell(m.id(), m.paperName(), ds, Table1.mean(acc), Table1.std(acc), Table1.std(seedMeans), Table1.mean(best),
                        Table1.std(best), (int) rs.stream().filter(Run::constant).count(), acc.length, p == null ? null : p.get(ds),
                        Table1.mean(ch), Table1.std(ch), maxAbs, maxOut, stale, conv));
            }
        }
        return out;
    }
}
