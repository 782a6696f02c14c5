package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Model;
import io.mycelium.model.Rewirable;
import io.mycelium.util.Checks;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Algorithm 1 end to end for one scheme: epochs of shuffled mini-batches, the training and test MSE
 * after every epoch, and the communication charged. A NaN or infinite loss stops the run with
 * {@link TrainingDiverged}. Updates use the batched schedule (the same
 * arithmetic as the paper's per-sample one, see {@link Trainer}); the rounds and bytes of a
 * mini-batch are not counted on that path but measured by running the per-sample schedule on a
 * throwaway copy, for a full mini-batch and, when B does not divide the samples, for the short
 * last one (counted as short), once for a static graph and again for every new graph of a dynamic
 * topology.
 */
public final class TrainingRun {
    private TrainingRun() {}

    /**
     * Everything a run needs. {@code model} lives on {@code graph}; for a dynamic topology the same
     * architecture is rebuilt on each new graph with {@code shift}, and W with Metropolis–Hastings.
     */
    public record Setup(Graph graph, ShiftOperator shift, Model model, Params init, Dataset train, Dataset test,
                        int batch, double lr, int epochs, int consensusRounds, long seed) {
        public Setup {
            if (train.nodes() != graph.n() || test.nodes() != graph.n())
                throw new IllegalArgumentException("data have " + train.nodes() + " nodes, the graph " + graph.n());
            if (batch < 1 || batch > train.samples()) throw new IllegalArgumentException("batch size must be in 1.." + train.samples() + ", got " + batch);
            if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0");
            Checks.positive("lr", lr);
            Checks.atLeast("consensusRounds", consensusRounds, 1);
        }
    }

    /** One row of metrics.csv: cumulative mini-batches, rounds and bytes after {@code epoch}, and the MSEs. */
    public record Epoch(int epoch, long minibatches, long rounds, long bytes, double trainMse, double testMse) {}

    /**
     * A finished run and its trained model: {@code model} (on the last graph) with {@code params}
     * (tied or per node as the scheme keeps them). {@code perMinibatch}: a full mini-batch's traffic on a static graph, the mean
     * over mini-batches (rounded down) on a dynamic topology; the epochs' totals are exact.
     */
    public record Result(Scheme scheme, List<Epoch> epochs, Traffic perMinibatch, double seconds, int topologies, Model model, Params params) {
        /** A result without the trained model (a run whose parameters stay on its hosts). */
        public Result(Scheme scheme, List<Epoch> epochs, Traffic perMinibatch, double seconds, int topologies) {
            this(scheme, epochs, perMinibatch, seconds, topologies, null, null);
        }

        public Epoch last() { return epochs.getLast(); }
    }

    /**
     * The state of a static run after {@code epoch} epochs, all a continued run needs to end with the
     * same bits: the parameters of every copy, the optimizer's state (the synchronous host's state
     * without its {@code train.*} caches), the metrics so far and the cumulative counters. The
     * shuffle's position is the epoch count (the continued run replays the shuffles).
     */
    public record Snapshot(int epoch, Params params, Map<String, Object> optimizerState, List<Epoch> epochs, long minibatches, long rounds,
                           long messages, long floats) {}

    /** Where a run continues from ({@code resume}, null: the start) and where its state goes after every epoch. */
    public interface Checkpoints {
        Snapshot resume();

        void save(Snapshot s);
    }

    /** A static run. */
    public static Result run(Setup s, Scheme scheme, Runnable afterEpoch) { return run(s, scheme, null, afterEpoch); }

    /**
     * @param topology where each mini-batch's graph comes from; {@code null} for the static graph
     */
    public static Result run(Setup s, Scheme scheme, Topology topology, Runnable afterEpoch) { return run(s, scheme, topology, afterEpoch, null); }

    /** A run that continues from and saves checkpoints ({@code ck} may be null; static graphs only). */
    public static Result run(Setup s, Scheme scheme, Topology topology, Runnable afterEpoch, Checkpoints ck) {
        if (ck != null && topology != null) throw new IllegalArgumentException("checkpoints cover static graphs only");
        long t0 = System.nanoTime();
        Graph current = s.graph();
        Operator w = ShiftOperator.metropolisHastings(current);
        Trainer trainer = new Trainer(Engine.synchronous(current, params(s, scheme)), s.model(), scheme, s.lr(), w, s.consensusRounds());
        Model onGraph = s.model();
        Traffic perBatch = measureTraffic(s, scheme, onGraph, w, s.batch()), first = perBatch, shortBatch = null;
        // every scheme sees the same sequence of mini-batches
        UniformRandomProvider shuffle = Init.rng(s.seed() * 31 + 7);
        int n = s.train().samples();
        int[] order = new int[n];
        for (int q = 0; q < n; q++) order[q] = q;
        int batches = (n + s.batch() - 1) / s.batch();
        List<Epoch> out = new ArrayList<>(s.epochs() + 1);
        long mb = 0, rounds = 0, messages = 0, floats = 0;
        Snapshot from = ck == null ? null : ck.resume();
        Map<String, Object> hostState = trainer.engine().hosts().getFirst().state();
        if (from != null) {
            Params live = trainer.engine().params();
            if (!live.names().equals(from.params().names())) throw new IllegalArgumentException("the checkpoint's parameters are " + from.params().names());
            for (String name : live.names()) {
                Tensor to = live.get(name), saved = from.params().get(name);
                if (!Arrays.equals(to.shape(), saved.shape())) throw new IllegalArgumentException("parameter " + name + " has another shape in the checkpoint");
                System.arraycopy(saved.data(), 0, to.data(), 0, to.size());
            }
            hostState.putAll(from.optimizerState());
            out.addAll(from.epochs());
            mb = from.minibatches();
            rounds = from.rounds();
            messages = from.messages();
            floats = from.floats();
            for (int e = 1; e <= from.epoch(); e++) shuffle(order, shuffle);   // the shuffle where the run stopped
        } else out.add(new Epoch(0, 0, 0, 0, trainer.meanSquaredError(s.train()), trainer.meanSquaredError(s.test())));
        int topologies = 1;
        double nodes = s.graph().n();
        for (int e = from == null ? 1 : from.epoch() + 1; e <= s.epochs(); e++) {
            shuffle(order, shuffle);
            double sse = 0;
            for (int b = 0; b < batches; b++) {
                if (topology != null) {
                    Graph g = topology.next();
                    if (g != current) {
                        // Algorithm 1, lines 3–4: a new graph, its shift operator and its W
                        current = g;
                        onGraph = rewired(s.model()).on(s.shift().of(g));
                        w = ShiftOperator.metropolisHastings(g);
                        trainer.topology(onGraph, w);
                        perBatch = measureTraffic(s, scheme, onGraph, w, s.batch());
                        shortBatch = null;
                        topologies++;
                    }
                }
                int[] batch = Arrays.copyOfRange(order, b * s.batch(), Math.min(n, (b + 1) * s.batch()));
                double loss = trainer.batched(s.train(), batch).sumSquaredError();
                if (!Double.isFinite(loss)) throw new TrainingDiverged(scheme.id(), e, b + 1, batches, "training loss", loss, s.lr());
                sse += loss;
                mb++;
                Traffic t = perBatch;
                if (batch.length < s.batch()) {
                    if (shortBatch == null) shortBatch = measureTraffic(s, scheme, onGraph, w, batch.length);
                    t = shortBatch;
                }
                rounds += t.rounds();
                messages += t.messages();
                floats += t.floats();
            }
            double test = trainer.meanSquaredError(s.test());
            if (!Double.isFinite(test)) throw new TrainingDiverged(scheme.id(), e, 0, batches, "test MSE", test, s.lr());
            out.add(new Epoch(e, mb, rounds, floats * Double.BYTES, sse / (n * nodes), test));
            if (ck != null) {
                Map<String, Object> opt = new LinkedHashMap<>();
                for (Map.Entry<String, Object> en : hostState.entrySet()) if (!en.getKey().startsWith("train.")) opt.put(en.getKey(), en.getValue());
                ck.save(new Snapshot(e, trainer.engine().params(), opt, List.copyOf(out), mb, rounds, messages, floats));
            }
            if (afterEpoch != null) afterEpoch.run();
        }
        Traffic mean = topology == null || mb == 0 ? first : new Traffic(rounds / mb, messages / mb, floats / mb, List.of());
        return new Result(scheme, out, mean, (System.nanoTime() - t0) / 1e9, topologies, onGraph, trainer.engine().params().copy());
    }

    /** One epoch's Fisher–Yates pass over the sample order (every scheme draws the same sequence). */
    private static void shuffle(int[] order, UniformRandomProvider rng) {
        for (int q = order.length - 1; q > 0; q--) {
            int r = rng.nextInt(q + 1), tmp = order[q];
            order[q] = order[r];
            order[r] = tmp;
        }
    }

    /** The model as one that can move to another graph, or a clear refusal. */
    private static Rewirable rewired(Model m) {
        if (m instanceof Rewirable r) return r;
        throw new IllegalArgumentException("a dynamic topology needs a model that can be rebuilt on another graph ("
                + m.getClass().getSimpleName() + " does not implement Rewirable)");
    }

    static Params params(Setup s, Scheme scheme) {
        return scheme.centralized() ? s.init().copy() : s.init().perNode(s.graph().n());
    }

    /** Rounds and bytes of one full mini-batch of the paper's per-sample schedule on {@code w}'s graph, measured on a throwaway copy. */
    public static Traffic measureTraffic(Setup s, Scheme scheme, Model model, Operator w) { return measureTraffic(s, scheme, model, w, s.batch()); }

    /** The same for a mini-batch of {@code size} samples (a short last one). */
    public static Traffic measureTraffic(Setup s, Scheme scheme, Model model, Operator w, int size) {
        Trainer t = new Trainer(Engine.synchronous(w.graph(), params(s, scheme)), model, scheme, s.lr(), w, s.consensusRounds());
        int[] first = new int[size];
        for (int q = 0; q < first.length; q++) first[q] = q;
        return t.perSample(s.train(), first).traffic();
    }

    /** The static graph's traffic per mini-batch. */
    public static Traffic measureTraffic(Setup s, Scheme scheme) {
        return measureTraffic(s, scheme, s.model(), ShiftOperator.metropolisHastings(s.graph()));
    }
}
