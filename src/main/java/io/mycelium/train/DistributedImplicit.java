package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.comm.Counters;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.ImplicitModel;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fully distributed training of an implicit GNN (IGNN, GSDGNN, energy GNNs) on a set of graphs:
 * every device keeps its own copy θ_i of every parameter, solves its part of the forward fixed point
 * and of the adjoint by message passing with its neighbours, and updates θ_i with a decentralized
 * optimizer of the training paper (D-SGD, D-AMSGrad: one consensus round on the shared tensors).
 *
 * <p><b>Devices.</b> The graphs of a graph-set task are different networks over time on one fleet of
 * devices: node i of every graph is hosted by device i (the chains of the count and sum tasks: the
 * i-th device along the chain), with {@link Placement#SHUFFLED} each graph's nodes by distinct
 * devices drawn at random once, or with {@link Placement#REDRAWN} by distinct devices drawn afresh
 * for every epoch. There are as many devices as the largest graph has nodes. A
 * mini-batch is a disjoint union of graphs; each of its rows runs with its device's copy, and the
 * device's gradient is the sum over its rows. The consensus graph over which devices mix their
 * parameters is the union of the training graphs' edges (linked by a path over the device ids where
 * that union is disconnected), with Metropolis–Hastings weights (eq. 16); with {@link Placement#REDRAWN}
 * it is each step's own: the union of that mini-batch's edges on that epoch's devices, its weights
 * recomputed (the training paper's time-varying G(t)).
 *
 * <p><b>Losses.</b> Device i's local loss J_i is its rows' share of the batch loss times the number
 * of devices, so the devices' average gradient is the centralized gradient (the centralized objective
 * is the average of the local ones, as in D-SGD's analysis): D-SGD's mean iterate then follows
 * centralized SGD with the same step. With tied copies, the sum of the device gradients divided by
 * the number of devices is the centralized implicit gradient (a test checks it to 1e-8).
 *
 * <p><b>Solves.</b> Plain fixed-point and adjoint iterations (no Anderson acceleration: its inner
 * products are global), warm-started from the batch's previous solution. Each iteration is one
 * round of message passing, counted by the engine; the stopping test (no entry changes by more than
 * the tolerance) is global here, where a deployment would run the counted number of rounds.
 */
public final class DistributedImplicit {
    /** How the parameters are held and stepped. */
    public enum Method {
        /** One tied copy (centralized training) with the optimizer's centralized form; no consensus. */
        CENTRALIZED,
        /** Per-device copies with one consensus round per mini-batch. */
        DISTRIBUTED
    }

    /** Where a graph's nodes run. */
    public enum Placement {
        /** Node i of every graph on device i (the i-th device along a chain; the i-th atom of a molecule's file). */
        IN_ORDER,
        /** Each graph's nodes on distinct devices drawn at random (seeded, once per graph): no device is tied to a position. */
        SHUFFLED,
        /**
         * Each training graph's nodes on distinct devices drawn afresh for every epoch, from (seed, epoch,
         * the graph's index in the training list): every presentation of a graph is a new sample over the
         * device set, as the training paper's G(t) over one V; graphs not trained on are placed as with SHUFFLED.
         */
        REDRAWN
    }

    /** Rounds and floats of one epoch: solves (forward and adjoint iterations) and consensus. */
    public record EpochStats(int epoch, double loss, long solveRounds, long solveFloats, long consensusRounds, long consensusFloats,
                             int batches, boolean converged) {}

    private final ImplicitModel model;
    private final Objective objective;
    private final Optimizer optimizer;
    private final Method method;
    private final GraphNet.Implicit net;
    private final int devices;
    private final Params params;            // [1, ...] tied or [devices, ...]
    private Operator mixing;                // null when centralized; each step's own with REDRAWN
    private Graph consensus;
    private final Placement placement;
    private final UniformRandomProvider placeRng;
    private final long placeSeed;
    private final Map<GraphSample, Integer> trainIndex = new java.util.IdentityHashMap<>();
    private int placeEpoch;                 // the epoch whose REDRAWN placement the training graphs are on
    private final Map<GraphSample, int[]> placed = new java.util.IdentityHashMap<>();
    private final DeviceGraphReadout head;  // graph-level objectives only
    private final List<Batch> batches = new ArrayList<>();
    private final Map<String, Object> state = new HashMap<>();
    private final UniformRandomProvider order;
    private int epoch;
    private int rounds = 1;

    /** One mini-batch: the union graph, its device of each row, its row-wise parameter copies and warm starts. */
    private final class Batch {
        final GraphBatch graph;
        int[] device;                       // redrawn every epoch with REDRAWN
        final Params rows;
        final BatchContext ctx;

        Batch(GraphBatch g) {
            graph = g;
            device = devicesOf(g);
            rows = method == Method.CENTRALIZED ? params : gatherShape(g.n());
            ctx = new BatchContext(g, rows);
        }
    }

    /**
     * @param train  training graphs, in the order they are batched (shuffle before when needed)
     * @param model  the implicit model (one instance: its parameters live in {@link #params()})
     */
    public DistributedImplicit(ImplicitModel model, Objective objective, Optimizer optimizer, Method method, List<GraphSample> train,
                               int batchSize, double tol, int maxIter, long seed) {
        this(model, objective, optimizer, method, train, 0, batchSize, tol, maxIter, seed);
    }

    public DistributedImplicit(ImplicitModel model, Objective objective, Optimizer optimizer, Method method, List<GraphSample> train,
                               int devices, int batchSize, double tol, int maxIter, long seed) {
        this(model, objective, optimizer, method, train, devices, batchSize, tol, maxIter, seed, Init.Affine.GLOROT_ZERO, Placement.IN_ORDER);
    }

    /**
     * @param devices     the fleet's size: at least the largest training graph's node count (0: exactly
     *                    that); graphs evaluated later may use devices that no training graph reached
     * @param readoutInit how the graph readout's layers start (graph-level objectives)
     * @param placement   which device runs which node of each graph
     */
    public DistributedImplicit(ImplicitModel model, Objective objective, Optimizer optimizer, Method method, List<GraphSample> train,
                               int devices, int batchSize, double tol, int maxIter, long seed, Init.Affine readoutInit, Placement placement) {
        this(model, objective, optimizer, method, train, devices, batchSize, tol, maxIter, seed, seed, readoutInit, placement);
    }

    /**
     * As above, with the parameters drawn from {@code initSeed} and the batch order and placement from
     * {@code seed}: a restart from a new initialization keeps the same batches, order and devices.
     */
    public DistributedImplicit(ImplicitModel model, Objective objective, Optimizer optimizer, Method method, List<GraphSample> train,
                               int devices, int batchSize, double tol, int maxIter, long seed, long initSeed, Init.Affine readoutInit,
                               Placement placement) {
        if (train.isEmpty()) throw new IllegalArgumentException("train: no graphs");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        if (!(tol > 0) || maxIter < 1) throw new IllegalArgumentException("tol must be positive and maxIter at least 1");
        this.model = model;
        this.objective = objective;
        this.optimizer = optimizer;
        this.method = method;
        this.net = (GraphNet.Implicit) GraphNet.implicit(g -> model, new GraphNet.Solver(tol, maxIter, tol, maxIter, true, 0));
        int d = 0;
        for (GraphSample g : train) d = Math.max(d, g.n());
        if (devices != 0 && devices < d) throw new IllegalArgumentException("devices: " + devices + " for graphs of up to " + d + " nodes");
        this.devices = Math.max(d, devices);
        UniformRandomProvider init = Init.rng(initSeed);
        Params tied = model.init(init);
        this.head = objective.graphLevel() ? new DeviceGraphReadout(new GraphReadout(readoutInit, objective.outputWidth(), 4, 4, 1)) : null;
        if (head != null) {
            if (objective.outputWidth() != 1) throw new IllegalArgumentException("objective: graph-level training takes one logit per graph");
            head.mlp().init(tied, init);
        }
        this.params = method == Method.CENTRALIZED ? tied : tied.perNode(this.devices);
        this.placement = java.util.Objects.requireNonNull(placement, "placement");
        this.placeRng = Init.rng(seed * 0x9E3779B97F4A7C15L + 3);
        this.placeSeed = seed * 0x9E3779B97F4A7C15L + 4;
        for (int i = 0; i < train.size(); i++) trainIndex.putIfAbsent(train.get(i), i);
        this.consensus = consensusGraph(train);
        this.mixing = method == Method.CENTRALIZED ? null : ShiftOperator.metropolisHastings(consensus);
        this.order = Init.rng(seed * 0x9E3779B97F4A7C15L + 2);
        for (int s = 0; s < train.size(); s += batchSize) batches.add(new Batch(GraphBatch.of(train.subList(s, Math.min(train.size(), s + batchSize)))));
    }

    /**
     * Consensus rounds per mini-batch (eq. 15 repeated K times before the step; 1, the default, is
     * D-SGD and D-AMSGrad as published; more is a diagnostic of how far one round leaves the copies apart).
     */
    public DistributedImplicit consensusRounds(int k) {
        if (k < 1) throw new IllegalArgumentException("consensus rounds must be at least 1, got " + k);
        rounds = k;
        return this;
    }

    /**
     * The training loss of the best constant predictor, the level a collapsed run sits at: for graph
     * labels the entropy of the class shares of {@code train} (the loss of the constant logit
     * log(p / (1 − p))); otherwise the objective's loss of output 0, which is the training mean where
     * the objective was standardized on {@code train} ({@link Objective#fitTo}).
     */
    public double constantLoss(List<GraphSample> train) {
        GraphBatch b = GraphBatch.of(train);
        if (head == null) return objective.loss(b, Tensor.zeros(b.n(), objective.outputWidth()), Tensor.zeros(b.n(), objective.outputWidth()));
        double p = 0;
        for (double y : b.y().data()) p += y / b.graphs();
        return p <= 0 || p >= 1 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    }

    /** Devices (the largest graph's node count). */
    public int devices() { return devices; }

    /** The parameter copies: {@code [1, ...]} centralized, {@code [devices, ...]} distributed. */
    public Params params() { return params; }

    public ImplicitModel model() { return model; }

    /** The graph readout every device holds a copy of (its parameters are in {@link #params}), or null for node-level objectives. */
    public GraphReadout readout() { return head == null ? null : head.mlp(); }

    /**
     * The devices' consensus graph: the union of the training graphs' edges over device ids, linked by a
     * path where it falls apart; with {@link Placement#REDRAWN} the last step's (its mini-batch's union
     * on that epoch's devices).
     */
    public Graph consensusGraph() { return consensus; }

    private Graph consensusGraph(List<GraphSample> graphs) {
        java.util.TreeSet<Long> pairs = new java.util.TreeSet<>();
        for (GraphSample g : graphs) {
            int[] off = g.graph().offsets(), nb = g.graph().neighbours(), at = placeOf(g);
            for (int i = 0; i < g.n(); i++)
                for (int p = off[i]; p < off[i + 1]; p++) {
                    int a = at[i], b = at[nb[p]];
                    if (a < b) pairs.add((long) a * devices + b);
                }
        }
        Graph u = fromPairs(pairs, devices);
        if (!u.isConnected()) {
            for (int i = 0; i + 1 < devices; i++) pairs.add((long) i * devices + i + 1);
            u = fromPairs(pairs, devices);
        }
        return u;
    }

    private static Graph fromPairs(java.util.Set<Long> pairs, int n) {
        int[] a = new int[pairs.size()], b = new int[pairs.size()];
        int k = 0;
        for (long p : pairs) {
            a[k] = (int) (p / n);
            b[k++] = (int) (p % n);
        }
        return Graph.fromEdges(n, a, b);
    }

    /** One pass over the batches in a seeded random order: solves, device gradients, one optimizer step per batch. */
    public EpochStats epoch() {
        int[] idx = new int[batches.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        for (int i = idx.length - 1; i > 0; i--) {
            int j = order.nextInt(i + 1), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        if (placement == Placement.REDRAWN) {
            placeEpoch = epoch;
            for (Batch b : batches) b.device = devicesOf(b.graph);
        }
        double loss = 0;
        long solveRounds = 0, solveFloats = 0, consRounds = 0, consFloats = 0;
        boolean conv = true;
        for (int bi : idx) {
            Batch b = batches.get(bi);
            if (placement == Placement.REDRAWN && method == Method.DISTRIBUTED) {   // this step's G(t)
                consensus = consensusGraph(b.graph.samples());
                mixing = ShiftOperator.metropolisHastings(consensus);
            }
            Counters before = b.ctx.host().comm().counters().snapshot();
            Params g = params.emptyLike();
            loss += deviceGradients(b, g);
            Counters used = b.ctx.host().comm().counters().since(before);
            solveRounds += used.rounds();
            solveFloats += used.floats();
            conv &= b.ctx.converged();
            Params grads = method == Method.CENTRALIZED ? g : scaled(g, devices);
            List<Tensor> shared = optimizer.shared(params, state);
            List<Tensor> mixed = new ArrayList<>(shared.size());
            for (Tensor t : shared) {
                Tensor x = method == Method.CENTRALIZED ? t.copy() : t;   // mix returns a fresh tensor
                if (method != Method.CENTRALIZED)
                    for (int k = 0; k < rounds; k++) {
                        x = mix(x);
                        consFloats += (long) devices * t.rowSize();
                    }
                mixed.add(x);
            }
            if (!shared.isEmpty() && method != Method.CENTRALIZED) consRounds += rounds;
            optimizer.step(params, state, grads, mixed);
            model.project(params);
        }
        return new EpochStats(epoch++, loss / batches.size(), solveRounds, solveFloats, consRounds, consFloats, batches.size(), conv);
    }

    /** Batch loss; puts the per-device (or tied) parameter gradients into {@code into}, an empty Params shaped like {@link #params()}. */
    double deviceGradients(Batch b, Params into) {
        if (method == Method.DISTRIBUTED) gather(b);
        Tensor out = net.forward(b.ctx);
        Tensor dOut = Tensor.zeros(out.shape());
        Params headGrads = b.rows.emptyLike();
        double loss = head == null ? objective.loss(b.graph, out, dOut) : head.lossAndGradient(b.graph, b.rows, out, dOut, headGrads);
        if (!Double.isFinite(loss)) throw new ArithmeticException("distributed implicit training diverged at epoch " + epoch + ": loss " + loss);
        Params rowGrads = net.backward(b.ctx, dOut);
        for (String n : params.names()) {
            Tensor p = params.get(n);
            Tensor r = headGrads.has(n) ? headGrads.get(n) : rowGrads.has(n) ? rowGrads.get(n) : null;
            if (method == Method.CENTRALIZED) {
                into.add(n, r == null ? Tensor.zeros(p.shape()) : r);
                continue;
            }
            Tensor d = Tensor.zeros(p.shape());
            if (r != null) {
                int w = p.rowSize();
                double[] dd = d.data(), rd = r.data();
                for (int row = 0; row < b.device.length; row++) {
                    int o = b.device[row] * w, s = row * w;
                    for (int k = 0; k < w; k++) dd[o + k] += rd[s + k];
                }
            }
            into.add(n, d);
        }
        return loss;
    }

    /**
     * The loss of {@code graphs} as one batch (cold-started solves) and its gradient with respect to
     * every copy, unscaled (the sum over devices is the centralized gradient when the copies are tied).
     */
    public double lossAndGradient(List<GraphSample> graphs, Params into) { return deviceGradients(new Batch(GraphBatch.of(graphs)), into); }

    /** The device of every row of a batch. */
    private int[] devicesOf(GraphBatch g) {
        int[] d = new int[g.n()];
        for (int q = 0; q < g.graphs(); q++) System.arraycopy(placeOf(g.samples().get(q)), 0, d, g.first()[q], g.size(q));
        return d;
    }

    /** The devices of a graph's nodes now (a copy): where it trains this epoch, or where an evaluation runs it. */
    int[] placement(GraphSample g) { return placeOf(g).clone(); }

    /**
     * The devices of a graph's nodes: drawn once per graph for {@link Placement#SHUFFLED} (in the order
     * graphs are first met); for {@link Placement#REDRAWN}, a training graph's are drawn from (seed, epoch,
     * graph index) for the current epoch (after training: the last one's), other graphs' as with SHUFFLED.
     */
    private int[] placeOf(GraphSample g) {
        if (placement == Placement.IN_ORDER) {
            int[] d = new int[g.n()];
            for (int i = 0; i < d.length; i++) d[i] = i;
            return d;
        }
        Integer k = placement == Placement.REDRAWN ? trainIndex.get(g) : null;
        if (k != null) return draw(g.n(), Init.rng(placeSeed + placeEpoch * 0xC2B2AE3D27D4EB4FL + (k + 1L) * 0x165667B19E3779F9L));
        return placed.computeIfAbsent(g, x -> draw(x.n(), placeRng));
    }

    /** n distinct devices drawn at random (the first n of a partial Fisher–Yates shuffle). */
    private int[] draw(int n, UniformRandomProvider rng) {
        int[] all = new int[devices];
        for (int i = 0; i < devices; i++) all[i] = i;
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(devices - i), t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    private Params gatherShape(int rows) {
        Params p = Params.untied();
        for (String n : params.names()) {
            int[] s = params.get(n).shape();
            s[0] = rows;
            p.add(n, Tensor.zeros(s));
        }
        return p;
    }

    /** Copies each row's device copy into the batch's row-wise parameters (in place: the batch's engine holds them). */
    private void gather(Batch b) {
        for (String n : params.names()) {
            Tensor src = params.get(n), dst = b.rows.get(n);
            int w = src.rowSize();
            for (int r = 0; r < b.device.length; r++) System.arraycopy(src.data(), b.device[r] * w, dst.data(), r * w, w);
        }
    }

    /** Σ_j W_ij x_j over the consensus graph, row by row. */
    private Tensor mix(Tensor x) {
        Graph g = mixing.graph();
        int w = x.rowSize();
        int[] off = g.offsets(), nb = g.neighbours();
        double[] in = x.data(), out = new double[in.length];
        for (int i = 0; i < devices; i++) {
            double s = mixing.self()[i];
            for (int k = 0; k < w; k++) out[i * w + k] = s * in[i * w + k];
            for (int p = off[i]; p < off[i + 1]; p++) {
                double c = mixing.weights()[p];
                int j = nb[p] * w;
                for (int k = 0; k < w; k++) out[i * w + k] += c * in[j + k];
            }
        }
        return new Tensor(out, x.shape());
    }

    private static Params scaled(Params g, double f) {
        for (Tensor t : g.asMap().values()) {
            double[] d = t.data();
            for (int k = 0; k < d.length; k++) d[k] *= f;
        }
        return g;
    }

    /** How far the copies are from their average θ̄: ‖θ_i − θ̄‖ / ‖θ̄‖ over all parameters, mean and largest over devices. */
    public record Disagreement(double mean, double max) {}

    /** The copies' disagreement now (zero for one tied copy). */
    public Disagreement disagreement() {
        if (method == Method.CENTRALIZED) return new Disagreement(0, 0);
        double[] dev = new double[devices];
        double norm = 0;
        for (Spread t : spreads().values()) {
            norm += t.norm2();
            for (int i = 0; i < devices; i++) dev[i] += t.dev2()[i];
        }
        double mean = 0, max = 0, scale = Math.sqrt(norm);
        for (double d : dev) {
            mean += Math.sqrt(d) / scale / devices;
            max = Math.max(max, Math.sqrt(d) / scale);
        }
        return new Disagreement(mean, max);
    }

    /** Per parameter tensor: ‖θ_i − θ̄‖ / ‖θ̄‖ of that tensor, mean over devices (zero for one tied copy; infinite where θ̄ is 0 and a copy is not). */
    public Map<String, Double> disagreementByTensor() {
        Map<String, Double> r = new java.util.LinkedHashMap<>();
        spreads().forEach((n, t) -> {
            double mean = 0;
            for (double d : t.dev2()) mean += (d == 0 ? 0 : Math.sqrt(d / t.norm2())) / t.dev2().length; // a tensor at zero on every copy agrees
            r.put(n, mean);
        });
        return r;
    }

    /** One tensor's ‖θ̄‖² and, per copy i, ‖θ_i − θ̄‖². */
    private record Spread(double norm2, double[] dev2) {}

    private Map<String, Spread> spreads() {
        Map<String, Spread> r = new java.util.LinkedHashMap<>();
        Params avg = params.mean();
        for (String n : params.names()) {
            double[] c = params.get(n).data(), a = avg.get(n).data(), dev2 = new double[c.length / a.length];
            double norm2 = 0;
            for (double v : a) norm2 += v * v;
            for (int i = 0; i < dev2.length; i++)
                for (int k = 0; k < a.length; k++) {
                    double d = c[i * a.length + k] - a[k];
                    dev2[i] += d * d;
                }
            r.put(n, new Spread(norm2, dev2));
        }
        return r;
    }

    /**
     * The second-largest eigenvalue modulus of the consensus weights W (with {@link Placement#REDRAWN}
     * the last step's): one round shrinks the copies' disagreement by at most this factor (0 for one
     * tied copy). Power iteration on W − 11ᵀ/n.
     */
    public double mixingSlem() {
        if (mixing == null) return 0;
        double[] x = new double[devices];
        for (int i = 0; i < devices; i++) x[i] = Math.sin(1.0 + i) + 0.5 * Math.cos(3.0 * i);
        double rate = 0;
        for (int it = 0; it < 20_000; it++) {
            double[] y = mixOnce(mixOnce(x));
            double nx = Math.sqrt(dot(x, x)), ny = Math.sqrt(dot(y, y));
            if (ny == 0) return 0;
            rate = Math.sqrt(ny / nx);
            for (int i = 0; i < devices; i++) x[i] = y[i] / ny;
        }
        return rate;
    }

    private double[] mixOnce(double[] x) {
        double[] y = mix(new Tensor(x.clone(), devices, 1)).data();
        double m = 0;
        for (double v : y) m += v / devices;
        for (int i = 0; i < devices; i++) y[i] -= m;
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /**
     * Node outputs of {@code graphs} under the trained copies (each row with its device's copy; a
     * graph larger than the fleet is refused), solved to {@code tol}; with the batch and its row-wise
     * parameters, for asynchronous inference on the same copies.
     */
    public Evaluation evaluate(List<GraphSample> graphs, double tol, int maxIter) { return evaluate(graphs, tol, maxIter, false); }

    /**
     * As {@link #evaluate}, with the average copy θ̄ = (1/|V|) Σ θ_i deployed on every device: the
     * model Algorithm 1 of the training paper returns (line 15). For one tied copy, the same as {@link #evaluate}.
     */
    public Evaluation evaluateAveraged(List<GraphSample> graphs, double tol, int maxIter) { return evaluate(graphs, tol, maxIter, true); }

    /**
     * As {@link #evaluate}, with each graph's nodes on distinct devices drawn afresh from {@code seed}
     * instead of where the graph ran before (its training placement is kept for training): a
     * diagnostic of how much of the copies' fit to their training graphs rides on which devices
     * hosted each graph. For one tied copy, the same as {@link #evaluate}.
     */
    public Evaluation evaluateReplaced(List<GraphSample> graphs, double tol, int maxIter, long seed) {
        fits(graphs);
        UniformRandomProvider rng = Init.rng(seed);
        GraphBatch g = GraphBatch.of(graphs);
        int[] dev = new int[g.n()];
        for (int q = 0; q < g.graphs(); q++) System.arraycopy(draw(g.size(q), rng), 0, dev, g.first()[q], g.size(q));
        return evaluate(g, dev, tol, maxIter, false);
    }

    private void fits(List<GraphSample> graphs) {
        for (GraphSample s : graphs)
            if (s.n() > devices) throw new IllegalArgumentException("a graph of " + s.n() + " nodes does not fit the " + devices + " devices");
    }

    private Evaluation evaluate(List<GraphSample> graphs, double tol, int maxIter, boolean averaged) {
        fits(graphs);
        GraphBatch g = GraphBatch.of(graphs);
        return evaluate(g, devicesOf(g), tol, maxIter, averaged);
    }

    private Evaluation evaluate(GraphBatch g, int[] dev, double tol, int maxIter, boolean averaged) {
        Params rows;
        if (method == Method.CENTRALIZED) rows = params;
        else if (averaged) rows = params.mean();
        else {
            rows = gatherShape(g.n());
            for (String n : params.names()) {
                Tensor src = params.get(n), dst = rows.get(n);
                int w = src.rowSize();
                for (int r = 0; r < dev.length; r++) System.arraycopy(src.data(), dev[r] * w, dst.data(), r * w, w);
            }
        }
        BatchContext ctx = new BatchContext(g, rows);
        GraphNet.Implicit solve = (GraphNet.Implicit) GraphNet.implicit(x -> model, new GraphNet.Solver(tol, maxIter, tol, maxIter, false, 0));
        Tensor out = solve.forward(ctx);
        return new Evaluation(g, rows, out, ctx.forwardIterations(), ctx.converged(), objective, head);
    }

    /** Outputs of a set of graphs under the trained copies, and the metric of any outputs of the same batch. */
    public record Evaluation(GraphBatch batch, Params rows, Tensor output, int iterations, boolean converged, Objective objective,
                             DeviceGraphReadout head) {
        /** The metric (%) of node outputs of this batch: the objective's, or for graph labels the per-node decisions' error. */
        public double metric(Tensor out) {
            if (head != null) return head.error(batch, rows, out);
            double[] acc = new double[2];
            objective.accumulate(batch, out, acc);
            return objective.finish(acc);
        }

        public double metric() { return metric(output); }

        /** The loss of these outputs: the objective's, or for graph labels the devices' readout loss (training's). */
        public double loss() {
            Tensor dOut = Tensor.zeros(output.shape());
            return head != null ? head.lossAndGradient(batch, rows, output, dOut, rows.emptyLike()) : objective.loss(batch, output, dOut);
        }
    }
}
