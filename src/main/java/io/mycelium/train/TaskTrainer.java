package io.mycelium.train;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.model.HiddenMapped;
import io.mycelium.model.Model;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.util.Checks;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Centralized training of any GNN ({@link GraphNet}: explicit or implicit) on labelled graphs with a
 * per-row loss: node regression (mean squared error), node classification or, with a
 * {@link GraphReadout}, graph classification (cross-entropy of the softmax over the output width,
 * and accuracy). An {@link Item} scores all rows of its graph or only some of them (a node split such
 * as Planetoid's, where the test nodes are part of the training graph but not of the loss).
 *
 * <p>One epoch visits the items in a seeded random order in mini-batches of {@code batch} items (a
 * batch is their disjoint union), one optimizer step per batch on the mean loss of its scored rows
 * plus the L2 penalty (λ/2)‖θ‖² (of all parameters, or of those named), then the model's projection. The order of epoch e is drawn from a
 * generator seeded with (seed, e), so a run continued from a checkpoint after epoch e draws what the
 * uninterrupted run draws. Implicit models are solved from zero in every batch (no warm starts), so
 * nothing but the parameters and the optimizer's state carries over between batches.
 */
public final class TaskTrainer {
    /** The per-row loss and metric. */
    public enum Loss {
        /** Mean over scored rows and output columns of (out − y)²; targets are {@code [rows, width]}. */
        MSE,
        /** −log softmax(out)_y averaged over scored rows; targets are {@code [rows, 1]} class numbers; metric: accuracy. */
        CROSS_ENTROPY
    }

    /** A labelled graph and the rows its loss covers (node ids, ascending), or null for all of them. */
    public record Item(GraphSample sample, int[] rows) {}

    /** Mean loss over the scored rows (without the L2 penalty), and the fraction of them classified right (NaN for MSE). */
    public record Metrics(double loss, double accuracy) {}

    private final GraphNet net;
    private final GraphReadout head;
    private final Loss loss;
    private final Scheme scheme;
    private final double lr;
    private final Optimizer optimizer;
    private final List<Item> train;
    private final int batch;
    private final double weightDecay, dropout;
    private final List<String> decayed;
    /** The net when its models take hidden dropout (dropout on, explicit, {@link HiddenMapped}); else null. */
    private final GraphNet.Explicit hiddenDropped;
    private final long seed;
    private final Params params = new Params();
    private final Map<String, Object> state = new HashMap<>();
    private int epoch;

    /**
     * @param head        graph-level readout (targets one row per graph), or null for node-level targets
     * @param scheme      a centralized scheme (sgd, adam)
     * @param weightDecay λ of the L2 penalty, 0 for none
     * @param decayOn     prefixes of the names of the parameters the penalty covers (each must name one), empty for all
     * @param dropout     probability that a training batch's input feature (and, for a layered model, an entry of the
     *                    embedding entering each layer after the first) is zeroed, the others scaled by 1/(1−p); 0 for none
     */
    public TaskTrainer(GraphNet net, GraphReadout head, Loss loss, Scheme scheme, double lr, List<Item> train, int batch, double weightDecay,
                       List<String> decayOn, double dropout, long seed) {
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (train.isEmpty()) throw new IllegalArgumentException("no training items");
        if (!scheme.centralized()) throw new IllegalArgumentException(scheme + " keeps a copy per node; TaskTrainer trains tied parameters (sgd, adam)");
        Checks.atLeast("batch", batch, 1);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
        this.net = net;
        this.head = head;
        this.loss = loss;
        this.scheme = scheme;
        this.lr = lr;
        this.optimizer = scheme.optimizer(lr);
        this.train = List.copyOf(train);
        this.batch = batch;
        this.weightDecay = weightDecay;
        this.decayed = List.copyOf(decayOn);
        this.dropout = dropout;
        this.hiddenDropped = dropout > 0 && net instanceof GraphNet.Explicit ex && ex.model(GraphNet.ONE_NODE) instanceof HiddenMapped ? ex : null;
        this.seed = seed;
        UniformRandomProvider init = Init.rng(seed);
        net.init(params, init);
        if (head != null) head.init(params, init);
        net.project(params);
        for (String pre : decayed)
            if (params.names().stream().noneMatch(n -> n.startsWith(pre)))
                throw new IllegalArgumentException("no parameter name starts with '" + pre + "'; the model's are " + params.names());
    }

    /** The live parameters (tied). */
    public Params params() { return params; }

    /** The optimizer's state (moments, step count), for checkpoints. */
    public Map<String, Object> optimizerState() { return state; }

    public int epochsDone() { return epoch; }

    /** Continues from a checkpoint: parameters, optimizer state and the number of epochs done. */
    public void restore(Params saved, Map<String, Object> savedState, int epochsDone) {
        if (!saved.names().equals(params.names())) throw new IllegalArgumentException("the checkpoint's parameters are " + saved.names() + ", the model's " + params.names());
        for (String n : params.names()) {
            Tensor to = params.get(n), from = saved.get(n);
            if (!java.util.Arrays.equals(to.shape(), from.shape()))
                throw new IllegalArgumentException("parameter " + n + " is " + java.util.Arrays.toString(from.shape()) + " in the checkpoint, "
                        + java.util.Arrays.toString(to.shape()) + " in the model");
            System.arraycopy(from.data(), 0, to.data(), 0, to.size());
        }
        state.clear();
        state.putAll(savedState);
        epoch = epochsDone;
    }

    /** One epoch; returns the mean over batches of the batch loss (without the penalty). */
    public double epoch() {
        int[] idx = new int[train.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        UniformRandomProvider order = Init.rng(seed * 0x9E3779B97F4A7C15L + epoch + 1);
        for (int i = idx.length - 1; i > 0; i--) {
            int j = order.nextInt(i + 1), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        UniformRandomProvider drop = dropout > 0 ? Init.rng(seed * 0x9E3779B97F4A7C15L - epoch - 1) : null;
        double sum = 0;
        int batches = 0;
        for (int s = 0; s < idx.length; s += batch) {
            List<Item> items = new ArrayList<>();
            for (int q = s; q < Math.min(idx.length, s + batch); q++) items.add(train.get(idx[q]));
            GraphBatch gb = GraphBatch.of(items.stream().map(Item::sample).toList());
            GraphNet net = this.net;
            if (drop != null) {
                gb = dropped(gb, drop);
                if (hiddenDropped != null) {
                    long masks = drop.nextLong();
                    net = GraphNet.explicit(g -> new HiddenDropout((HiddenMapped) hiddenDropped.model(g), dropout, masks));
                }
            }
            BatchContext ctx = new BatchContext(gb, params);
            Tensor out = net.forward(ctx);
            Tensor pred = head == null ? out : head.forward(ctx.batch(), out, params);
            Tensor dPred = Tensor.zeros(pred.shape());
            double l = lossAndGradient(ctx.batch(), items, pred, dPred, null);
            if (!Double.isFinite(l)) throw new TrainingDiverged(scheme.id(), epoch + 1, batches + 1, (idx.length + batch - 1) / batch, "training loss", l, lr);
            Params headGrads = head == null ? null : params.zerosLike();
            Tensor dOut = head == null ? dPred : head.backward(ctx.batch(), out, dPred, params, headGrads);
            Params g = net.backward(ctx, dOut), grads = new Params();
            for (String n : params.names()) {
                Tensor t = g.has(n) ? g.get(n) : Tensor.zeros(params.get(n).shape());
                double[] d = t.data(), p = params.get(n).data();
                if (headGrads != null && n.startsWith(GraphReadout.PREFIX)) {
                    double[] h = headGrads.get(n).data();
                    for (int k = 0; k < d.length; k++) d[k] += h[k];
                }
                if (weightDecay > 0 && (decayed.isEmpty() || decayed.stream().anyMatch(n::startsWith))) for (int k = 0; k < d.length; k++) d[k] += weightDecay * p[k];
                grads.add(n, t);
            }
            optimizer.step(params, state, grads, List.of());
            net.project(params);
            sum += l;
            batches++;
        }
        epoch++;
        return sum / batches;
    }

    /**
     * A layered model (GCN, GAT) or the GCNN with inverted dropout on the embeddings that enter its
     * layers after the first (the input features are dropped by {@link #dropped}), as Kipf and Welling
     * drop the input of every layer. The masks are drawn from {@code seed} on every recording, so the
     * forward pass and the backward pass's recording see the same ones.
     */
    private record HiddenDropout(HiddenMapped m, double p, long seed) implements Model {
        @Override
        public void init(Params params, UniformRandomProvider rng) { m.init(params, rng); }

        @Override
        public void project(Params params) { m.project(params); }

        @Override
        public int rounds() { return m.rounds(); }

        @Override
        public Var forward(Tape t, Var x) {
            UniformRandomProvider rng = Init.rng(seed);
            return m.forward(t, x, h -> mask(t, h, p, rng));
        }
    }

    /** {@code h} with each entry zeroed with probability p and the others scaled by 1/(1−p). */
    private static Var mask(Tape t, Var h, double p, UniformRandomProvider rng) {
        double[] mask = new double[h.value().size()];
        for (int k = 0; k < mask.length; k++) mask[k] = rng.nextDouble() < p ? 0 : 1 / (1 - p);
        return t.mul(h, t.constant(new Tensor(mask, h.value().shape())));
    }

    /** The batch with each input feature zeroed with probability p and the others scaled by 1/(1−p) (inverted dropout). */
    private GraphBatch dropped(GraphBatch b, UniformRandomProvider rng) {
        double[] x = b.x().data().clone();
        double keep = 1 / (1 - dropout);
        for (int k = 0; k < x.length; k++) x[k] = rng.nextDouble() < dropout ? 0 : x[k] * keep;
        return new GraphBatch(b.graph(), new Tensor(x, b.x().shape()), b.edges(), b.y(), b.first(), b.graphOf(), b.samples());
    }

    /** Loss and accuracy of the current parameters over {@code items}, in batches of the training batch size. */
    public Metrics evaluate(List<Item> items) {
        double[] acc = new double[3];   // loss sum, rows right, rows
        for (int s = 0; s < items.size(); s += batch) {
            List<Item> part = items.subList(s, Math.min(items.size(), s + batch));
            BatchContext ctx = new BatchContext(GraphBatch.of(part.stream().map(Item::sample).toList()), params);
            Tensor out = net.forward(ctx);
            Tensor pred = head == null ? out : head.forward(ctx.batch(), out, params);
            lossAndGradient(ctx.batch(), part, pred, null, acc);
        }
        return new Metrics(acc[0] / acc[2], loss == Loss.MSE ? Double.NaN : acc[1] / acc[2]);
    }

    /**
     * {@link #evaluate} of several parts; parts that are all one item of the same graph (a node
     * split such as Planetoid's) share one forward pass.
     */
    public Metrics[] evaluateParts(List<List<Item>> parts) {
        Metrics[] r = new Metrics[parts.size()];
        boolean shared = parts.stream().allMatch(p -> p.size() == 1 && p.getFirst().sample() == parts.getFirst().getFirst().sample());
        if (!shared) {
            for (int i = 0; i < r.length; i++) r[i] = evaluate(parts.get(i));
            return r;
        }
        BatchContext ctx = new BatchContext(GraphBatch.of(List.of(parts.getFirst().getFirst().sample())), params);
        Tensor out = net.forward(ctx);
        Tensor pred = head == null ? out : head.forward(ctx.batch(), out, params);
        for (int i = 0; i < r.length; i++) {
            double[] acc = new double[3];
            lossAndGradient(ctx.batch(), parts.get(i), pred, null, acc);
            r[i] = new Metrics(acc[0] / acc[2], loss == Loss.MSE ? Double.NaN : acc[1] / acc[2]);
        }
        return r;
    }

    /** Predictions (node rows, or graph rows with a readout) of the given graphs as one batch. */
    public Tensor predict(List<GraphSample> graphs) {
        BatchContext ctx = new BatchContext(GraphBatch.of(graphs), params);
        Tensor out = net.forward(ctx);
        return head == null ? out : head.forward(ctx.batch(), out, params);
    }

    /**
     * The mean loss of the scored rows of {@code items} (as batched in {@code b}); writes its
     * gradient into {@code dPred} when given, and adds (loss sum, rows right, rows) into {@code acc}
     * when given.
     */
    double lossAndGradient(GraphBatch b, List<Item> items, Tensor pred, Tensor dPred, double[] acc) {
        List<Integer> rows = new ArrayList<>();
        for (int q = 0; q < items.size(); q++) {
            int[] r = items.get(q).rows();
            if (head != null) rows.add(q);
            else if (r == null) for (int i = b.first()[q]; i < b.first()[q + 1]; i++) rows.add(i);
            else for (int i : r) rows.add(b.first()[q] + i);
        }
        int w = pred.dim(1), m = rows.size();
        double[] o = pred.data(), y = b.y().data(), g = dPred == null ? null : dPred.data();
        int yw = b.y().dim(1);
        double total = 0;
        for (int row : rows) {
            double l;
            if (loss == Loss.MSE) {
                if (yw != w) throw new IllegalArgumentException("targets have " + yw + " columns, the model outputs " + w);
                l = 0;
                for (int k = 0; k < w; k++) {
                    double d = o[row * w + k] - y[row * yw + k];
                    l += d * d;
                    if (g != null) g[row * w + k] = 2 * d / (m * (double) w);
                }
                l /= w;
            } else {
                int c = (int) y[row * yw];
                if (c < 0 || c >= w) throw new IllegalArgumentException("class " + c + " of row " + row + " is not below the output width " + w);
                double max = Double.NEGATIVE_INFINITY;
                int best = 0;
                for (int k = 0; k < w; k++) if (o[row * w + k] > max) { max = o[row * w + k]; best = k; }
                double z = 0;
                for (int k = 0; k < w; k++) z += Math.exp(o[row * w + k] - max);
                l = Math.log(z) + max - o[row * w + c];
                if (g != null) for (int k = 0; k < w; k++) g[row * w + k] = (Math.exp(o[row * w + k] - max) / z - (k == c ? 1 : 0)) / m;
                if (acc != null && best == c) acc[1]++;
            }
            total += l;
        }
        if (acc != null) {
            acc[0] += total;
            acc[2] += m;
        }
        return total / m;
    }
}
