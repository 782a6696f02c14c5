package io.mycelium.wireless;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fig. 2(b) of the training paper: UWMMSE trained without labels to maximize the sum rate,
 * centralized and fully distributed, against WMMSE (100 iterations) and WMMSE-Tr (4), on the
 * authors' channels (wireless spec B). All schemes start from the same parameters and see the
 * same mini-batches in the same order; the test set is evaluated before training (epoch 0) and
 * after every epoch, each distributed node using its own copy.
 */
public final class PowerAllocation {
    private PowerAllocation() {}

    /**
     * @param trainLocations mini-batches per epoch (the authors: 10,000; fewer is the spec's labelled reduced mode)
     * @param seed           seed of the initialization and of each epoch's shuffle (the channels come from RandomState(0))
     */
    public record Config(int epochs, int trainLocations, int testLocations, double lr, long seed, List<PowerScheme> schemes) {
        public static Config paper() {
            return new Config(10, 10_000, 100, 1e-2, 1, List.of(PowerScheme.ADAM, PowerScheme.GC_ADAM, PowerScheme.D_ADAM, PowerScheme.D_AMSGRAD));
        }

        /** Every choice where the paper and the authors' code differ, and what runs here. */
        public Map<String, Object> choices() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", "authors' channels regenerated from numpy RandomState(0): training locations 0.." + (trainLocations - 1)
                    + ", test locations 10000.." + (10_000 + testLocations - 1) + " (spec B.3; paper says 100 location realizations)");
            m.put("epoch", trainLocations + " mini-batches of 64 CSI samples, one location each, order reshuffled every epoch"
                    + (trainLocations == 10_000 ? " (the authors' epoch)" : " (reduced mode: the authors' epoch is 10,000)"));
            m.put("distributed_optimizer", "gc-adam = the authors' D-Adam (per-sample gradient consensus x N, local Adam, no parameter consensus);"
                    + " d-adam / d-amsgrad = the paper's eq. (17) family");
            m.put("parameter_consensus_graph", "d-adam / d-amsgrad mix θ once per mini-batch over the communication graph of the batch's last sample");
            m.put("communication_graph", "i~j when H_ij and H_ji both survive the cut-off (authors' gen_cmtx); Metropolis-Hastings weights");
            m.put("aggregation_weights", "receiver-side Θ1 (paper eq. 10; the authors' code uses the sender's)");
            m.put("biases", "two per layer (c1 and c0) as in the authors' code, each initialised to 0.1");
            m.put("init", "Glorot-uniform weights drawn per GCNN (the authors' TF1 seeds likely made the GCNNs start equal)");
            m.put("shadowing_db", Channels.SHADOWING_DB + " clipped at ±2σ (3GPP lists 7.8; the authors' code uses 7.2)");
            m.put("mu", "0, the clip to [0, √Pmax] replaces the Lagrange multiplier (authors' learnable μ is commented out)");
            m.put("y_axis", "bit/s/Hz in summary.json; the figure plots Mbit/s = bit/s/Hz × 5 MHz as the paper does");
            m.put("min_distance_m", Channels.MIN_DISTANCE_M);
            m.put("lr", lr);
            m.put("adam", "β1 0.9, β2 0.999, ε 1e-8 (TF1 defaults)");
            return m;
        }
    }

    /** One scheme's curve: test mean sum rate at epochs 0..E and the training average of each epoch; its trained parameters. */
    public record Curve(PowerScheme scheme, double[] test, double[] trainAverage, Traffic traffic, Params params) {
        public double last() { return test[test.length - 1]; }
    }

    /** Messages of one mini-batch (64 samples), counted on the engine's {@link Comm} by running the model's program. */
    public record Traffic(long rounds, long floats, long bytes) {}

    public record Result(Config config, PowerBaselines.Result wmmse, PowerBaselines.Result truncated, double untrained, List<Curve> curves,
                         double trainSeconds, double samplesPerSecond, double setupSeconds) {}

    /** Progress: called with a short phase name and the number of units just finished. */
    public interface Progress {
        void advance(String phase, long units);
    }

    /**
     * Everything the rest of a run depends on after {@code epoch} epochs: each scheme's state, the
     * mini-batch order (each epoch reshuffles the previous one) and the shuffling generator.
     */
    public record Snapshot(int epoch, List<SchemeState> schemes, int[] order, byte[] shuffle) {}

    /** One scheme's parameters, optimizer state and curve so far ({@code test[e]}, {@code train[e]} for e = 0..epoch; train[0] is NaN). */
    public record SchemeState(PowerScheme scheme, Params params, Map<String, Object> optimizer, double[] test, double[] train) {}

    public static Result run(Config cfg, Progress progress) { return run(cfg, 10_000, progress, null); }

    /** {@link #run(Config, Progress)}, continuing from and saving checkpoints after every epoch ({@code ck} may be null). */
    public static Result run(Config cfg, Progress progress, Checkpoints<Snapshot> ck) { return run(cfg, 10_000, progress, ck); }

    /** {@link #run(Config, Progress, Checkpoints)} with the test locations starting at {@code testOffset} (10,000 for the authors' test set). */
    public static Result run(Config cfg, int testOffset, Progress progress, Checkpoints<Snapshot> ck) {
        long t0 = System.nanoTime();
        ChannelSet set = new ChannelSet(0, cfg.trainLocations(), testOffset, cfg.testLocations(), () -> progress.advance("channels", 1));
        PowerBaselines.Result full = PowerBaselines.testSumRate(set, Wmmse.FULL);
        progress.advance("wmmse", 1);
        PowerBaselines.Result tr = PowerBaselines.testSumRate(set, Wmmse.TRUNCATED);
        progress.advance("wmmse", 1);
        double setup = (System.nanoTime() - t0) / 1e9;

        int n = Channels.LINKS, s = cfg.schemes().size();
        Params init = Uwmmse.init(Init.rng(cfg.seed()));
        List<Run> runs = new ArrayList<>();
        for (PowerScheme sc : cfg.schemes()) runs.add(new Run(sc, sc.distributed() ? init.perNode(n) : init.copy(), cfg.lr(), cfg.epochs()));
        UwmmseKernel kernel = new UwmmseKernel(Channels.SAMPLES);
        double untrained = evaluate(set, kernel, runs.getFirst());
        for (Run r : runs) r.test[0] = evaluate(set, kernel, r);

        double[] h = new double[Channels.SAMPLES * Channels.SIZE], next = new double[h.length];
        set.train(0, h);
        for (Run r : runs) r.traffic = traffic(h, r.scheme, r.params);

        UniformRandomProvider shuffle = Init.rng(cfg.seed() + 1);
        int[] order = new int[cfg.trainLocations()];
        for (int q = 0; q < order.length; q++) order[q] = q;
        int done = ck == null ? 0 : resume(ck.resume(), runs, order, shuffle);
        progress.advance("train", (long) done * order.length);
        long t1 = System.nanoTime();
        // the next mini-batch is drawn on another thread while the schemes train on this one
        try (ExecutorService drawer = Executors.newSingleThreadExecutor()) {
            for (int e = done + 1; e <= cfg.epochs(); e++) {
                for (int q = order.length - 1; q > 0; q--) {
                    int k = shuffle.nextInt(q + 1), t = order[q];
                    order[q] = order[k];
                    order[k] = t;
                }
                double[] trainSum = new double[s];
                double[] first = next;
                Future<?> pending = drawer.submit(() -> set.train(order[0], first));
                for (int mb = 0; mb < order.length; mb++) {
                    await(pending);
                    double[] t = h;
                    h = next;
                    next = t;
                    if (mb + 1 < order.length) {
                        double[] into = next;
                        int loc = order[mb + 1];
                        pending = drawer.submit(() -> set.train(loc, into));
                    }
                    kernel.load(h);
                    for (int q = 0; q < s; q++) trainSum[q] += runs.get(q).step(kernel, h);
                    progress.advance("train", 1);
                }
                for (int q = 0; q < s; q++) {
                    Run r = runs.get(q);
                    r.train[e] = trainSum[q] / order.length;
                    r.test[e] = evaluate(set, kernel, r);
                }
                if (ck != null) {
                    int epoch = e;
                    ck.save(new Snapshot(e, runs.stream().map(r -> new SchemeState(r.scheme, r.params, r.state, Arrays.copyOf(r.test, epoch + 1),
                            Arrays.copyOf(r.train, epoch + 1))).toList(), order.clone(), Checkpoints.stateOf(shuffle)));
                }
            }
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        double samples = (double) (cfg.epochs() - done) * cfg.trainLocations() * Channels.SAMPLES * s;
        List<Curve> curves = runs.stream().map(r -> new Curve(r.scheme, r.test, r.train, r.traffic, r.params)).toList();
        return new Result(cfg, full, tr, untrained, curves, seconds, samples / seconds, setup);
    }

    /** Puts the runs, the order and the shuffle where {@code from} left them; returns the epochs done (0 without a snapshot). */
    private static int resume(Snapshot from, List<Run> runs, int[] order, UniformRandomProvider shuffle) {
        if (from == null) return 0;
        if (from.schemes().size() != runs.size() || from.order().length != order.length)
            throw new IllegalArgumentException("the snapshot holds " + from.schemes().size() + " schemes and " + from.order().length
                    + " locations; the run has " + runs.size() + " and " + order.length);
        for (int q = 0; q < runs.size(); q++) {
            Run r = runs.get(q);
            SchemeState st = from.schemes().get(q);
            if (st.scheme() != r.scheme) throw new IllegalArgumentException("the snapshot's scheme " + q + " is " + st.scheme().id() + ", not " + r.scheme.id());
            for (String name : r.params.names()) {
                double[] to = r.params.get(name).data(), saved = st.params().get(name).data();
                if (to.length != saved.length) throw new IllegalArgumentException("parameter " + name + " has another size in the snapshot");
                System.arraycopy(saved, 0, to, 0, to.length);
            }
            r.state.putAll(st.optimizer());
            System.arraycopy(st.test(), 0, r.test, 0, st.test().length);
            System.arraycopy(st.train(), 0, r.train, 0, st.train().length);
        }
        System.arraycopy(from.order(), 0, order, 0, order.length);
        Checkpoints.restore(shuffle, from.shuffle());
        return from.epoch();
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("drawing a mini-batch failed", e.getCause());
        }
    }

    /** Mean over the test locations of the mean sum rate of their samples. */
    static double evaluate(ChannelSet set, UwmmseKernel kernel, Run r) {
        double total = 0;
        for (int l = 0; l < set.testLocations(); l++) {
            kernel.load(set.test(l));
            total += kernel.forward(r.theta(), r.copies());
        }
        return total / set.testLocations();
    }

    /** One scheme's parameters and optimizer state. */
    static final class Run {
        final PowerScheme scheme;
        final Params params;
        final Params grads;
        final Optimizer optimizer;
        final Map<String, Object> state = new HashMap<>();
        final double[] test, train;
        Traffic traffic;

        Run(PowerScheme scheme, Params params, double lr, int epochs) {
            this.scheme = scheme;
            this.params = params;
            this.grads = params.zerosLike();
            this.optimizer = scheme.optimizer(lr);
            this.test = new double[epochs + 1];
            this.train = new double[epochs + 1];
            this.train[0] = Double.NaN;
        }

        double[] theta() { return params.get(Uwmmse.THETA).data(); }

        int copies() { return params.copies(); }

        /** One mini-batch on the loaded batch {@code h}: returns its mean sum rate before the update. */
        double step(UwmmseKernel k, double[] h) {
            double rate = k.forward(theta(), copies());
            k.backward(theta(), copies());
            double[] g = grads.get(Uwmmse.THETA).data();
            switch (scheme) {
                case ADAM -> k.reduceTied(g);
                case GC_ADAM -> k.reduceConsensus(g);
                case D_ADAM, D_AMSGRAD -> k.reducePerNode(g);
            }
            List<Tensor> mixed = List.of();
            if (scheme.parameterConsensus()) {
                List<Tensor> shared = optimizer.shared(params, state);
                Interference last = Interference.of(h, (Channels.SAMPLES - 1) * Channels.SIZE);
                Tensor[] into = shared.stream().map(t -> Tensor.zeros(t.shape())).toArray(Tensor[]::new);
                Exchange.consensus(Comm.local(Partition.whole(last.links())), last.consensus(), shared.toArray(Tensor[]::new), into);
                mixed = List.of(into);
            }
            optimizer.step(params, state, grads, mixed);
            return rate;
        }
    }

    /**
     * Messages of one mini-batch, counted by running the model's program ({@link Uwmmse#program})
     * sample by sample on each sample's interference graph, plus the scheme's consensus rounds.
     * Centralized training is charged for its forward rounds only (the convention of Table I).
     */
    static Traffic traffic(double[] h, PowerScheme scheme, Params params) {
        long rounds = 0, floats = 0;
        for (int b = 0; b < Channels.SAMPLES; b++) {
            int o = b * Channels.SIZE;
            Interference s = Interference.of(h, o);
            Comm comm = Comm.local(Partition.whole(s.graph()));
            Tape t = new Tape(comm, params);
            Var rate = Uwmmse.program(t, s, h, o);
            if (scheme.distributed()) t.vjp(rate, Tensor.full(-1.0 / Channels.SAMPLES, Channels.LINKS, 1));
            rounds += comm.counters().rounds();
            floats += comm.counters().floats();
            if (scheme == PowerScheme.GC_ADAM) {
                Comm c = Comm.local(Partition.whole(s.links()));
                Exchange.consensus(c, s.consensus(), Tensor.zeros(Channels.LINKS, Uwmmse.PARAMS));
                rounds += c.counters().rounds();
                floats += c.counters().floats();
            }
        }
        if (scheme.parameterConsensus()) {
            Interference last = Interference.of(h, (Channels.SAMPLES - 1) * Channels.SIZE);
            Comm c = Comm.local(Partition.whole(last.links()));
            List<Tensor> shared = scheme.optimizer(1).shared(params, new HashMap<>());
            Exchange.consensus(c, last.consensus(), shared.stream().map(Tensor::copy).toArray(Tensor[]::new));
            rounds += c.counters().rounds();
            floats += c.counters().floats();
        }
        return new Traffic(rounds, floats, floats * Double.BYTES);
    }
}
