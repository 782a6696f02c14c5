package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.optim.Adam;
import io.mycelium.tensor.Tensor;
import io.mycelium.util.Checks;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Centralized training of a GNN on a set of small graphs (the hogwild paper's synthetic tasks):
 * tied parameters, fixed mini-batches (each a disjoint union of graphs, so implicit models can warm
 * start every batch from its previous epoch's fixed point), Adam with decoupled weight decay and
 * the paper's schedule (Appendix F.2: learning rate 0.002 decayed by 0.98 every 200 epochs), and the
 * model's projection after every step.
 */
public final class GraphTrainer {
    /**
     * @param weightDecay decoupled (AdamW) weight decay; the paper uses "Adam with weight decay"
     *                    without a value, we use optax's AdamW default 1e-4
     */
    public record Config(int epochs, int batchSize, double lr, double decayRate, int decayEvery, double weightDecay, long seed) {
        public Config {
            Checks.atLeast("epochs", epochs, 0);
            Checks.atLeast("batchSize", batchSize, 1);
            Checks.positive("lr", lr);
            if (!(decayRate > 0 && decayRate <= 1)) throw new IllegalArgumentException("decayRate must be in (0, 1], got " + decayRate);
            Checks.atLeast("decayEvery", decayEvery, 1);
            if (!(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }

        public static Config paper() { return new Config(5000, 32, 0.002, 0.98, 200, 1e-4, 1); }

        public Config withEpochs(int e) { return new Config(e, batchSize, lr, decayRate, decayEvery, weightDecay, seed); }

        public Config withSeed(long s) { return new Config(epochs, batchSize, lr, decayRate, decayEvery, weightDecay, s); }

        public Config withBatchSize(int b) { return new Config(epochs, b, lr, decayRate, decayEvery, weightDecay, seed); }

        public Config withLr(double l) { return new Config(epochs, batchSize, l, decayRate, decayEvery, weightDecay, seed); }

        /** Learning rate in epoch {@code e} (0-based): exponential decay, {@code lr · rate^(e / every)}. */
        public double lrAt(int e) { return lr * Math.pow(decayRate, (double) e / decayEvery); }
    }

    /** One epoch: mean training loss, learning rate, solver iterations summed over batches. */
    public record EpochStats(int epoch, double loss, double lr, long forwardIterations, long adjointIterations, boolean converged) {}

    private final GraphNet net;
    private final Objective objective;
    private final GraphReadout head;
    private final Config cfg;
    private final Params params = new Params();
    private final List<BatchContext> batches;
    private final Map<String, Object> optState = new HashMap<>();
    private final UniformRandomProvider order;
    private int epoch;

    /** @param head graph-level readout for graph-level objectives, else null */
    public GraphTrainer(GraphNet net, Objective objective, GraphReadout head, List<GraphSample> train, Config cfg) {
        if (objective.graphLevel() != (head != null))
            throw new IllegalArgumentException(objective.graphLevel() ? "a graph-level objective needs a graph readout" : "a node-level objective takes no graph readout");
        if (cfg.batchSize() < 1) throw new IllegalArgumentException("batch size must be at least 1");
        this.net = net;
        this.objective = objective;
        this.head = head;
        this.cfg = cfg;
        UniformRandomProvider init = Init.rng(cfg.seed());
        net.init(params, init);
        if (head != null) head.init(params, init);
        net.project(params);
        UniformRandomProvider shuffle = Init.rng(cfg.seed() * 0x9E3779B97F4A7C15L + 1);
        this.order = Init.rng(cfg.seed() * 0x9E3779B97F4A7C15L + 2);
        List<GraphSample> shuffled = new ArrayList<>(train);
        shuffle(shuffled, shuffle);
        this.batches = contexts(shuffled);
    }

    public Params params() { return params; }

    public GraphNet net() { return net; }

    public Config config() { return cfg; }

    public int epochsDone() { return epoch; }

    /**
     * The training batches this trainer steps on (in their fixed shuffled order). Evaluating on these,
     * rather than on new contexts of the same graphs, reuses their warm starts and their engines:
     * every context keeps its engine's tape, so a second set over the same graphs doubles what stays
     * allocated (on PROTEINS, hundreds of MB).
     */
    public List<BatchContext> trainingBatches() { return java.util.Collections.unmodifiableList(batches); }

    /** Batches of {@code samples} in order, bound to this trainer's live parameters. */
    public List<BatchContext> contexts(List<GraphSample> samples) {
        List<BatchContext> out = new ArrayList<>();
        for (int s = 0; s < samples.size(); s += cfg.batchSize())
            out.add(new BatchContext(GraphBatch.of(samples.subList(s, Math.min(samples.size(), s + cfg.batchSize()))), params));
        return out;
    }

    /** This epoch's batch order: a Fisher–Yates draw from the trainer's order stream. */
    private int[] batchOrder() {
        int[] idx = new int[batches.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        for (int i = idx.length - 1; i > 0; i--) {
            int j = order.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /**
     * Everything the rest of training depends on after {@code epoch} epochs: the parameters, the
     * optimizer's state, and the warm starts (last forward solution and adjoint, null when none) of
     * the training batches followed by those of {@code others} (contexts the caller evaluates on,
     * e.g. a test fold: their warm starts decide the bits of later evaluations). The batch order
     * stream is not stored: {@link #restore} replays it, one draw per epoch done.
     */
    public record Snapshot(int epoch, Params params, Map<String, Object> optimizerState, List<Tensor[]> warmStarts) {}

    /** A copy of the state after the epochs done so far; see {@link Snapshot}. */
    public Snapshot snapshot(List<BatchContext> others) {
        Map<String, Object> opt = new HashMap<>();
        copyState(optState, opt);
        List<Tensor[]> warm = new ArrayList<>();
        for (List<BatchContext> cs : List.of(batches, others))
            for (BatchContext c : cs) warm.add(new Tensor[] {copyOrNull(c.h), copyOrNull(c.adjoint)});
        return new Snapshot(epoch, params.copy(), opt, warm);
    }

    /** Puts a copy of the optimizer state {@code from} into {@code to}: its moments copied, its scalars as they are. */
    private static void copyState(Map<String, Object> from, Map<String, Object> to) {
        for (Map.Entry<String, Object> e : from.entrySet())
            to.put(e.getKey(), e.getValue() instanceof Params p ? p.copy() : e.getValue());
    }

    private static Tensor copyOrNull(Tensor t) { return t == null ? null : t.copy(); }

    /**
     * Continues from {@code s}, taken by {@link #snapshot} of a trainer of the same configuration and
     * data with the same {@code others}: afterwards this trainer computes the same bits as that one.
     */
    public void restore(Snapshot s, List<BatchContext> others) {
        if (epoch != 0) throw new IllegalStateException("restore into a fresh trainer, not one " + epoch + " epochs in");
        if (s.warmStarts().size() != batches.size() + others.size())
            throw new IllegalArgumentException("the snapshot has warm starts of " + s.warmStarts().size() + " batches, this trainer and its others "
                    + (batches.size() + others.size()));
        if (!s.params().names().equals(params.names()))
            throw new IllegalArgumentException("the snapshot has parameters " + s.params().names() + ", this model " + params.names());
        for (String n : params.names()) {
            Tensor to = params.get(n), from = s.params().get(n);
            if (!java.util.Arrays.equals(to.shape(), from.shape()))
                throw new IllegalArgumentException("parameter '" + n + "' is " + java.util.Arrays.toString(from.shape()) + " in the snapshot, "
                        + java.util.Arrays.toString(to.shape()) + " here");
            System.arraycopy(from.data(), 0, to.data(), 0, to.size());   // in place: the batches' engines hold these tensors
        }
        optState.clear();
        copyState(s.optimizerState(), optState);
        int i = 0;
        for (List<BatchContext> cs : List.of(batches, others))
            for (BatchContext c : cs) {
                Tensor[] w = s.warmStarts().get(i++);
                c.h = copyOrNull(w[0]);
                c.adjoint = copyOrNull(w[1]);
            }
        for (int e = 0; e < s.epoch(); e++) batchOrder();
        epoch = s.epoch();
    }

    /** One pass over the training batches in a seeded random order, one Adam step per batch. */
    public EpochStats epoch() {
        double lr = cfg.lrAt(epoch);
        Adam adam = Adam.centralized(lr);
        int[] idx = batchOrder();
        double loss = 0;
        long fwd = 0, adj = 0;
        boolean conv = true;
        for (int pos = 0; pos < idx.length; pos++) {
            BatchContext ctx = batches.get(idx[pos]);
            Params grads = new Params();
            double l = lossAndGradient(ctx, grads);
            if (!Double.isFinite(l)) throw new TrainingDiverged(net.getClass().getSimpleName(), epoch + 1, pos + 1, idx.length, "training loss", l, lr);
            loss += l;
            fwd += ctx.forwardIterations;
            adj += ctx.adjointIterations;
            conv &= ctx.converged();
            if (cfg.weightDecay() > 0) for (Tensor p : params.asMap().values()) {
                double[] d = p.data();
                double f = 1 - lr * cfg.weightDecay();
                for (int k = 0; k < d.length; k++) d[k] *= f;
            }
            adam.step(params, optState, grads, List.of());
            net.project(params);
        }
        return new EpochStats(epoch++, loss / batches.size(), lr, fwd, adj, conv);
    }

    /** Loss of one batch; puts its parameter gradients into {@code into} (an empty Params). */
    public double lossAndGradient(BatchContext ctx, Params into) {
        GraphBatch b = ctx.batch();
        Tensor out = net.forward(ctx);
        Tensor pred = head == null ? out : head.forward(b, out, params);
        Tensor dPred = Tensor.zeros(pred.shape());
        double loss = objective.loss(b, pred, dPred);
        Params headGrads = head == null ? null : params.zerosLike();
        Tensor dOut = head == null ? dPred : head.backward(b, out, dPred, params, headGrads);
        Params g = net.backward(ctx, dOut);
        for (String n : params.names()) {
            Tensor t = g.has(n) ? g.get(n) : Tensor.zeros(params.get(n).shape());
            if (headGrads != null) {
                double[] d = t.data(), h = headGrads.get(n).data();
                for (int k = 0; k < d.length; k++) d[k] += h[k];
            }
            into.add(n, t);
        }
        return loss;
    }

    /** Predictions (node rows, or graph rows with a graph readout) of a batch under the current parameters. */
    public Tensor predict(BatchContext ctx) {
        Tensor out = net.forward(ctx);
        return head == null ? out : head.forward(ctx.batch(), out, params);
    }

    /** Predictions from given node outputs of a batch (e.g. an asynchronous run's): the graph readout applied when there is one. */
    public Tensor readout(GraphBatch b, Tensor nodeOut) { return head == null ? nodeOut : head.forward(b, nodeOut, params); }

    /** The objective's metric (percent) over the batches. */
    public double evaluate(List<BatchContext> ctxs) {
        double[] acc = new double[2];
        for (BatchContext c : ctxs) objective.accumulate(c.batch(), predict(c), acc);
        return objective.finish(acc);
    }

    /** The objective's metric of given predictions (one tensor per batch). */
    public double metric(List<BatchContext> ctxs, List<Tensor> predictions) {
        double[] acc = new double[2];
        for (int i = 0; i < ctxs.size(); i++) objective.accumulate(ctxs.get(i).batch(), predictions.get(i), acc);
        return objective.finish(acc);
    }

    /** Trains up to {@code cfg.epochs()} epochs (from those already done), calling {@code progress} after each. */
    public List<EpochStats> train(java.util.function.Consumer<EpochStats> progress) {
        List<EpochStats> out = new ArrayList<>();
        while (epoch < cfg.epochs()) {
            EpochStats s = epoch();
            out.add(s);
            if (progress != null) progress.accept(s);
        }
        return out;
    }

    /** Fisher–Yates from the end, one {@code nextInt(i + 1)} per position: the project's one seeded shuffle. */
    public static <T> void shuffle(List<T> xs, UniformRandomProvider rng) {
        for (int i = xs.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = xs.get(i);
            xs.set(i, xs.get(j));
            xs.set(j, t);
        }
    }
}
