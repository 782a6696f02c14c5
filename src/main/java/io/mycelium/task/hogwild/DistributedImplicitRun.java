package io.mycelium.task.hogwild;

import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.model.ImplicitModel;
import io.mycelium.optim.Adam;
import io.mycelium.optim.DAmsGrad;
import io.mycelium.optim.DSgd;
import io.mycelium.optim.Optimizer;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Params;
import io.mycelium.train.DistributedImplicit;
import io.mycelium.train.GraphReadout;
import io.mycelium.train.GraphTrainer;
import io.mycelium.tensor.Init;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Implicit GNNs trained where they run: each (model, task) trained centrally (one tied copy, AMSGrad)
 * and fully distributed (a copy per device, D-SGD or D-AMSGrad with one consensus round per
 * mini-batch; forward and adjoint solves as counted message passing), then the distributed-trained
 * copies inferred synchronously and under partial asynchrony (the Table 2 change), each device with
 * its own copy. See {@link DistributedImplicit} for how graphs map to devices.
 */
public final class DistributedImplicitRun {
    private DistributedImplicitRun() {}

    /** How a model is trained. */
    public enum Scheme {
        CENTRALIZED("centralized AMSGrad"), CENTRALIZED_ADAM("centralized Adam"), D_SGD("D-SGD"), D_AMSGRAD("D-AMSGrad");

        public final String label;

        Scheme(String label) { this.label = label; }

        public String id() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        /**
         * D-SGD, or (D-)AMSGrad in Mycelium's tracker-first order ({@link DAmsGrad#trackerFirst}): in the
         * published order the first step is α m / √ε, 10⁴ times an ordinary step at ε = 10⁻⁸, which
         * throws an implicit model's parameters far off (measured on count, quick pools, IGNN: first-epoch
         * loss 5.7·10¹⁰ and test error 2422% against 0.95 and 46% in this order).
         */
        Optimizer optimizer(double lr) {
            return switch (this) {
                case D_SGD -> new DSgd(lr);
                case CENTRALIZED_ADAM -> Adam.centralized(lr);
                case CENTRALIZED, D_AMSGRAD -> DAmsGrad.trackerFirst(lr);
            };
        }

        /**
         * Centralized AMSGrad (tied copy, D-AMSGrad's optimizer without consensus) or centralized Adam
         * (tied copy, bias-corrected: the hogwild paper's optimizer, Appendix F.2, without its decay
         * schedule and weight decay); the others keep one copy per device.
         */
        DistributedImplicit.Method method() {
            return this == CENTRALIZED || this == CENTRALIZED_ADAM ? DistributedImplicit.Method.CENTRALIZED : DistributedImplicit.Method.DISTRIBUTED;
        }
    }

    /**
     * @param batchSize graphs per mini-batch; 0: full batch (every training graph in one batch)
     * @param lr     AMSGrad's and D-AMSGrad's step; D-SGD's is {@code sgdLr}
     * @param async  the asynchronous inference of the trained copies (stagger, history, runs, tolerance, ticks)
     * @param init   how the model's affine layers and the graph readout start (as Table 3's {@code --init})
     */
    public record Settings(int epochs, int batchSize, double lr, double sgdLr, double tol, int maxIter, long seed, Table2.Settings async,
                           Init.Affine init, DistributedImplicit.Placement placement, int consensusRounds, Restart restart) {
        public Settings {
            java.util.Objects.requireNonNull(restart, "restart");
            if (epochs < 1 || batchSize < 0 || !(lr > 0) || !(sgdLr > 0) || !(tol > 0) || maxIter < 1)
                throw new IllegalArgumentException("invalid settings: epochs, iterations ≥ 1; batch size ≥ 0 (0: full batch); lr, sgdLr, tol > 0");
            java.util.Objects.requireNonNull(init, "init");
            java.util.Objects.requireNonNull(placement, "placement");
            if (consensusRounds < 1) throw new IllegalArgumentException("consensus rounds must be at least 1");
        }
    }

    /**
     * The restart rule, the same for every scheme: after {@code checkEpoch} epochs, a run whose
     * training loss (every training graph solved with the devices' own copies) is not below
     * (1 − margin) times the best constant predictor's ({@link DistributedImplicit#constantLoss}) starts
     * again from a new initialization (the same batches, order and placement), at most
     * {@code maxRestarts} times; the run that is kept then trains its full epochs. A deployment needs
     * the devices' average training loss for it (one averaging of a scalar; taken exactly here).
     * {@link #NONE} never restarts.
     */
    public record Restart(int checkEpoch, double margin, int maxRestarts) {
        public static final Restart NONE = new Restart(0, 0, 0);

        public Restart {
            if (checkEpoch < 0 || maxRestarts < 0 || !(margin >= 0 && margin < 1))
                throw new IllegalArgumentException("restart: check epoch and restarts ≥ 0, margin in [0, 1)");
        }

        public boolean enabled() { return checkEpoch > 0 && maxRestarts > 0; }

        /** The initialization seed of attempt k (k = 0: the run's seed, as without restarts). */
        static long initSeed(long seed, int attempt) { return attempt == 0 ? seed : seed + attempt * 0x632BE59BD9B4E019L; }
    }

    /**
     * One (model, task, scheme): test error (the task's metric, %), training loss, traffic per
     * mini-batch (solve rounds and bytes: forward and adjoint iterations; consensus rounds and bytes),
     * the change of the test error under asynchronous inference of the trained copies; and how far
     * the copies are from one model: the training and test error of their average θ̄ deployed on every
     * device (Algorithm 1's output), the copies' training error with every training graph re-placed on
     * devices drawn afresh (a diagnostic: how much of their fit rides on the training placement), their disagreement ‖θ_i − θ̄‖ / ‖θ̄‖ after every epoch (mean over
     * devices) and at the end (largest), and the consensus weights' second-largest eigenvalue modulus.
     * {@code testLoss} and {@code averagedTestLoss}: the objective's mean test loss (MUTAG: the
     * cross-entropy, each device reading its graph out with its own copy) of the copies and of θ̄, finer
     * than the error on a few graphs (what a step chosen on a validation fold compares).
     */
    public record Row(String model, String task, String scheme, int devices, double testError, double firstLoss, double finalLoss,
                      double solveRoundsPerBatch, double solveBytesPerBatch, double consensusRoundsPerBatch, double consensusBytesPerBatch,
                      double syncError, double[] asyncErrors, double maxOutputChange, int maxStaleness, boolean converged, double seconds,
                      double trainError, double averagedTrainError, double averagedTestError, double replacedTrainError, double[] disagreement, double disagreementMax,
                      double mixingSlem, java.util.Map<String, Double> tensorDisagreement, double[] epochLoss, double constantLoss, int restarts,
                      double[] checkLosses, double testLoss, double averagedTestLoss) {
        public double meanAsyncChange() {
            double m = 0;
            for (double e : asyncErrors) m += (e - syncError) / asyncErrors.length;
            return m;
        }
    }

    /**
     * A trained (model, task, scheme): its row, and what a model file needs: the model, the trained
     * copies ({@code [1, ...]} centralized, one row per device distributed; graph readout included for
     * graph-level tasks), the readout (null for node-level tasks) and the devices' consensus graph.
     */
    public record Trained(Row row, ImplicitModel model, Params params, GraphReadout readout, Graph devices) {}

    /** What a run reports as it goes: each epoch trained, and each restart, which adds {@code epochs} more to train. */
    public interface Listener {
        void epochDone();

        default void restarted(int epochs) {}
    }

    /** The task's fixed split: fold 0 of its seeded random splits, 20% held out ({@link HogwildTask#split}). */
    public static HogwildTask.Split fixedSplit(HogwildTask task) { return task.split(0, 0.2); }

    /** One (model, task, scheme) on the task's {@link #fixedSplit}. */
    public static Trained run(Models.Entry entry, HogwildTask task, Scheme scheme, Settings s, Listener progress) {
        return run(entry, task, fixedSplit(task), scheme, s, progress);
    }

    /** One (model, task, scheme), trained on {@code sp.train()} and tested on {@code sp.test()}. */
    public static Trained run(Models.Entry entry, HogwildTask task, HogwildTask.Split sp, Scheme scheme, Settings s, Listener progress) {
        long t0 = System.nanoTime();
        if (!(entry.create(task, s.init()) instanceof ImplicitModel model))
            throw new IllegalArgumentException("model " + entry.id() + " is explicit; distributed implicit training needs an implicit model");
        Objective obj = task.objective().fitTo(sp.train());
        int devices = 0;
        for (GraphSample g : task.pool()) devices = Math.max(devices, g.n());
        // batches of a seeded shuffle, as GraphTrainer makes them: a classification split lists its
        // training graphs class by class, and batches of one class pull the readout to that class in turn
        List<GraphSample> train = new ArrayList<>(sp.train());
        GraphTrainer.shuffle(train, Init.rng(s.seed() * 0x9E3779B97F4A7C15L + 1));
        double[] loss = new double[s.epochs()], disagreement = new double[s.epochs()];
        List<Double> checks = new ArrayList<>();
        double constant = Double.NaN;
        DistributedImplicit tr;
        DistributedImplicit.Disagreement apart = null;
        long rounds, floats, cr, cf, batches;
        boolean conv;
        int attempt = 0;
        attempts:
        while (true) {   // each attempt trains from its own initialization; the restart rule may end it at its check epoch
            tr = new DistributedImplicit(model, obj, scheme.optimizer(scheme == Scheme.D_SGD ? s.sgdLr() : s.lr()), scheme.method(),
                    train, devices, s.batchSize() == 0 ? train.size() : s.batchSize(), s.tol(), s.maxIter(), s.seed(), Restart.initSeed(s.seed(), attempt), s.init(),
                    s.placement()).consensusRounds(s.consensusRounds());
            if (attempt == 0) constant = tr.constantLoss(train);
            rounds = floats = cr = cf = batches = 0;
            conv = true;
            for (int e = 0; e < s.epochs(); e++) {
                DistributedImplicit.EpochStats st = tr.epoch();
                apart = tr.disagreement();
                disagreement[e] = apart.mean();
                loss[e] = st.loss();
                rounds += st.solveRounds();
                floats += st.solveFloats();
                cr += st.consensusRounds();
                cf += st.consensusFloats();
                batches += st.batches();
                conv &= st.converged();
                if (progress != null) progress.epochDone();
                if (e + 1 == s.restart().checkEpoch() && s.restart().enabled() && attempt < s.restart().maxRestarts()) {
                    double l = tr.evaluate(train, s.tol(), s.maxIter()).loss();
                    checks.add(l);
                    if (!(l < (1 - s.restart().margin()) * constant)) {
                        if (progress != null) progress.restarted(e + 1);
                        attempt++;
                        continue attempts;
                    }
                }
            }
            break;
        }
        double first = loss[0], last = loss[s.epochs() - 1];
        Table2.Settings a = s.async();
        DistributedImplicit.Evaluation ev = tr.evaluate(sp.test(), a.tol(), a.maxTicks());
        conv &= ev.converged();
        double trainErr = tr.evaluate(sp.train(), a.tol(), a.maxTicks()).metric();
        double avgTrain = tr.evaluateAveraged(sp.train(), a.tol(), a.maxTicks()).metric();
        DistributedImplicit.Evaluation avgEv = tr.evaluateAveraged(sp.test(), a.tol(), a.maxTicks());
        double avgTest = avgEv.metric();
        double replacedTrain = tr.evaluateReplaced(sp.train(), a.tol(), a.maxTicks(), s.seed() * 0x9E3779B97F4A7C15L + 5).metric();
        AsyncRun sync = new AsyncEngine(ev.batch().graph(), ev.rows(), AsyncSchedule.synchronous())
                .runImplicit(model, ev.batch().x(), ev.batch().edges(), null, a.tol(), a.maxTicks());
        conv &= sync.converged();
        double syncErr = ev.metric(sync.output());
        double[] errs = new double[a.runs()];
        double maxOut = 0;
        int stale = 0;
        for (int r = 0; r < a.runs(); r++) {
            AsyncRun x = new AsyncEngine(ev.batch().graph(), ev.rows(), AsyncSchedule.of(a.stagger(), a.history(), r + 1))
                    .runImplicit(model, ev.batch().x(), ev.batch().edges(), null, a.tol(), a.asyncBudget(sync.ticks()));
            conv &= x.converged();
            errs[r] = ev.metric(x.output());
            maxOut = Math.max(maxOut, x.output().maxAbsDiff(sync.output()));
            stale = Math.max(stale, x.maxStaleness());
        }
        double b = Math.max(1, batches);
        Row row = new Row(entry.id(), task.id(), scheme.id(), tr.devices(), ev.metric(), first, last, rounds / b, floats * 8.0 / b, cr / b, cf * 8.0 / b,
                syncErr, errs, maxOut, stale, conv, (System.nanoTime() - t0) / 1e9, trainErr, avgTrain, avgTest, replacedTrain, disagreement,
                apart.max(), tr.mixingSlem(), tr.disagreementByTensor(), loss, constant, attempt,
                checks.stream().mapToDouble(Double::doubleValue).toArray(), ev.loss(), avgEv.loss());
        return new Trained(row, model, tr.params().copy(), tr.readout(), tr.consensusGraph());
    }

    /** Every (model, task, scheme), each task on the split {@code splits} gives it. */
    public static List<Trained> run(List<String> models, List<HogwildTask> tasks, java.util.function.Function<HogwildTask, HogwildTask.Split> splits,
                                    List<Scheme> schemes, Settings s, Listener progress) {
        List<Trained> rows = new ArrayList<>();
        for (String id : models)
            for (HogwildTask t : tasks) {
                HogwildTask.Split sp = splits.apply(t);
                for (Scheme sc : schemes) rows.add(run(Models.get(id), t, sp, sc, s, progress));
            }
        return rows;
    }
}
