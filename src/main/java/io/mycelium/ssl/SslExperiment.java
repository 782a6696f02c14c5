package io.mycelium.ssl;

import io.mycelium.task.Planetoid;
import io.mycelium.util.Stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The reproduction: every trainer on one dataset, several seeds, each checked by the linear probe every
 * {@code evalEvery} rounds. A method's accuracy for a seed is the test accuracy at the checkpoint with
 * the best validation accuracy (training length chosen on validation, the rule for CiteSeer,
 * applied to every method alike); mean ± std are over seeds.
 */
public final class SslExperiment {
    /** The methods, in report order. */
    public static final String DECENTRALIZED = "decentralized", FAULTS = "decentralized_faults", CENTRALIZED = "centralized",
            END_TO_END = "end_to_end", RANDOM_INIT = "random_init", RAW = "raw_features";

    /**
     * @param decLr       learning rate of the decentralized copies (the other trainers use {@code ssl}'s)
     * @param faultChurn  churn of the faults run (fraction offline), {@code faultLoss} its message loss
     * @param rounds      training length of a trained method by name (its schedule: the rate reaches 0 at
     *                    {@code ssl.lrZeroAt()} of it; PROGRESSIVE: each layer's window is rounds / layers);
     *                    a method not in the map trains {@code ssl.epochs()} rounds
     */
    public record Options(SslConfig ssl, DecentralizedConfig dec, double decLr, int seeds, int evalEvery, double faultChurn, double faultLoss, boolean endToEnd,
                          Map<String, Integer> rounds) {
        public Options {
            if (seeds < 1) throw new IllegalArgumentException("seeds must be at least 1, got " + seeds);
            if (evalEvery < 1) throw new IllegalArgumentException("evalEvery must be at least 1, got " + evalEvery);
            rounds = Map.copyOf(rounds);
            rounds.forEach((m, t) -> {
                if (t < 1) throw new IllegalArgumentException("rounds of " + m + " must be at least 1, got " + t);
            });
        }

        /** Every method trains {@code ssl.epochs()} rounds. */
        public Options(SslConfig ssl, DecentralizedConfig dec, double decLr, int seeds, int evalEvery, double faultChurn, double faultLoss, boolean endToEnd) {
            this(ssl, dec, decLr, seeds, evalEvery, faultChurn, faultLoss, endToEnd, Map.of());
        }

        /** The training length of {@code method}. */
        public int roundsOf(String method) { return rounds.getOrDefault(method, ssl.epochs()); }

        /** Whether a faults run (churn or message loss) is trained beside the lossless one. */
        public boolean faults() { return faultChurn > 0 || faultLoss > 0; }

        /** The methods {@link #run} trains, in report order. */
        public List<String> trainedMethods() {
            List<String> m = new ArrayList<>(List.of(CENTRALIZED));
            if (endToEnd) m.add(END_TO_END);
            m.add(DECENTRALIZED);
            if (faults()) m.add(FAULTS);
            return m;
        }
    }

    /** A checkpoint: round, mean test and validation accuracy over seeds, mean bytes sent per node so far. */
    public record Point(int round, double test, double val, double bytesPerNode) {}

    /** One method: per-seed test accuracy (at the chosen checkpoint), the chosen rounds, the curve. */
    public record Method(String name, double[] test, int[] chosenRound, List<Point> curve) {
        public double mean() { return Arrays.stream(test).average().orElse(Double.NaN); }

        /** Sample standard deviation over seeds (0 for one seed). */
        public double std() {
            return Stats.sampleStd(test, mean());
        }
    }

    /** Traffic and staleness of one decentralized run (the first seed). */
    public record RunInfo(Traffic traffic, DecentralizedSsl.Stats stats, int rounds, int nodes, double seconds) {
        public double bytesPerNodePerRound(Traffic.Kind k) { return (double) traffic.bytes(k) / nodes / rounds; }

        public double messagesPerNodePerRound(Traffic.Kind k) { return (double) traffic.messages(k) / nodes / rounds; }
    }

    /**
     * @param models for every trained method, the first seed's parameters ({@code [l]}: W then b) at its chosen
     *               checkpoint; the decentralized runs': the mean of the nodes' copies
     */
    public record Result(Map<String, Method> methods, RunInfo lossless, RunInfo faults, double[] exportEmbedding, int embeddingDim,
                         Map<String, double[][]> models) {}

    private SslExperiment() {}

    /** Runs everything; {@code tick} receives one call per training round of any method. */
    public static Result run(Planetoid p, SslGraph data, Options o, IntConsumer tick) {
        Map<String, Method> methods = new LinkedHashMap<>();
        int dim = o.ssl().embeddingDim();
        double raw = LinearProbe.evaluate(p.rowNormalizedFeatures(), p.featureCount(), p.labels(), p.classes(), p.train(), p.val(), p.test()).testAccuracy();
        methods.put(RAW, new Method(RAW, new double[] {raw}, new int[] {0}, List.of()));
        double[] rnd = new double[o.seeds()];
        for (int s = 0; s < o.seeds(); s++) rnd[s] = probe(p, new CentralizedLayerwise(data, seed(o, s)).embedding(), dim).testAccuracy();
        methods.put(RANDOM_INIT, new Method(RANDOM_INIT, rnd, new int[o.seeds()], List.of()));

        Map<String, double[][]> models = new LinkedHashMap<>();
        methods.put(CENTRALIZED, centrally(CENTRALIZED, p, o, dim, tick, models, s -> {
            CentralizedLayerwise cl = new CentralizedLayerwise(data, config(o, CENTRALIZED, s));
            return new Central() {
                public void step() { cl.round(); }
                public double[] embedding() { return cl.embedding(); }
                public double[][] parameters() { return cl.parameters(); }
            };
        }));
        if (o.endToEnd()) methods.put(END_TO_END, centrally(END_TO_END, p, o, dim, tick, models, s -> {
            EndToEnd e = new EndToEnd(data, config(o, END_TO_END, s));
            return new Central() {
                public void step() { e.epoch(); }
                public double[] embedding() { return e.embedding(); }
                public double[][] parameters() { return e.parameters(); }
            };
        }));

        Tracker dec = new Tracker(DECENTRALIZED, o.seeds());
        RunInfo lossless = decentralized(p, data, o, DECENTRALIZED, o.dec(), dec, tick);
        methods.put(DECENTRALIZED, dec.method());
        models.put(DECENTRALIZED, dec.bestParams);
        RunInfo faulty = null;
        if (o.faults()) {
            Tracker f = new Tracker(FAULTS, o.seeds());
            faulty = decentralized(p, data, o, FAULTS, o.dec().withFaults(o.faultChurn(), o.faultLoss()), f, tick);
            methods.put(FAULTS, f.method());
            models.put(FAULTS, f.bestParams);
        }
        return new Result(methods, lossless, faulty, dec.bestOfFirstSeed, dim, models);
    }

    /** A trainer with one copy of the parameters: a step per round, embeddings any time. */
    private interface Central {
        void step();

        double[] embedding();

        double[][] parameters();
    }

    private static Method centrally(String name, Planetoid p, Options o, int dim, IntConsumer tick, Map<String, double[][]> models,
                                    java.util.function.IntFunction<Central> make) {
        Tracker tr = new Tracker(name, o.seeds());
        int rounds = o.roundsOf(name);
        for (int s = 0; s < o.seeds(); s++) {
            Central t = make.apply(s);
            tr.params = t::parameters;
            tr.check(p, s, 0, t.embedding(), 0, dim);
            for (int r = 1; r <= rounds; r++) {
                t.step();
                tick.accept(1);
                if (r % o.evalEvery() == 0 || r == rounds) tr.check(p, s, r, t.embedding(), 0, dim);
            }
        }
        if (tr.bestParams != null) models.put(name, tr.bestParams);
        return tr.method();
    }

    private static RunInfo decentralized(Planetoid p, SslGraph data, Options o, String name, DecentralizedConfig dc, Tracker tr, IntConsumer tick) {
        RunInfo first = null;
        DecentralizedConfig d = dc.schedule() == DecentralizedConfig.Schedule.PROGRESSIVE ? dc.withWindow(Math.max(1, o.roundsOf(name) / o.ssl().layers())) : dc;
        for (int s = 0; s < o.seeds(); s++) {
            RunInfo info = decentralizedSeed(p, data, o, name, d, tr, tick, s);
            if (s == 0) first = info;
        }
        return first;
    }

    /** One seed's run, in its own frame so that its parameter copies are garbage before the next seed's are built. */
    private static RunInfo decentralizedSeed(Planetoid p, SslGraph data, Options o, String name, DecentralizedConfig dc, Tracker tr, IntConsumer tick, int s) {
        long t0 = System.nanoTime();
        DecentralizedSsl sim = new DecentralizedSsl(data, config(o, name, s).withLr(o.decLr()), dc);
        tr.params = sim::consensusParameters;
        int rounds = sim.rounds(), every = o.evalEvery();
        tr.check(p, s, 0, sim.embedding(), (double) sim.traffic().totalBytes() / data.n(), o.ssl().embeddingDim());
        sim.run((r, x) -> {
            tick.accept(1);
            if (r % every == 0 || r == rounds)
                tr.check(p, s, r, x.embedding(), (double) x.traffic().totalBytes() / data.n(), o.ssl().embeddingDim());
        });
        tr.params = null; // the supplier holds the simulator: let its copies go before the next seed's are built
        return new RunInfo(sim.traffic(), sim.stats(), rounds, data.n(), (System.nanoTime() - t0) / 1e9);
    }

    static SslConfig seed(Options o, int s) { return o.ssl().withSeed(o.ssl().seed() + s); }

    /** The configuration of {@code method}'s run for seed index {@code s}: its own training length. */
    static SslConfig config(Options o, String method, int s) { return seed(o, s).withEpochs(o.roundsOf(method)); }

    static LinearProbe.Result probe(Planetoid p, double[] emb, int dim) {
        return LinearProbe.evaluate(emb, dim, p.labels(), p.classes(), p.train(), p.val(), p.test());
    }

    /** Probes checkpoints of every seed, keeps each seed's best-validation checkpoint and the mean curve. */
    private static final class Tracker {
        final String name;
        final double[] bestVal, bestTest;
        final int[] bestRound;
        final Map<Integer, double[]> sums = new java.util.TreeMap<>();
        double[] bestOfFirstSeed;
        double[][] bestParams;
        java.util.function.Supplier<double[][]> params;

        Tracker(String name, int seeds) {
            this.name = name;
            bestVal = new double[seeds];
            bestTest = new double[seeds];
            bestRound = new int[seeds];
            Arrays.fill(bestVal, -1);
        }

        void check(Planetoid p, int s, int round, double[] emb, double bytesPerNode, int dim) {
            LinearProbe.Result r = probe(p, emb, dim);
            if (r.valAccuracy() > bestVal[s]) {
                bestVal[s] = r.valAccuracy();
                bestTest[s] = r.testAccuracy();
                bestRound[s] = round;
                if (s == 0) {
                    bestOfFirstSeed = emb;
                    if (params != null) bestParams = params.get();
                }
            }
            double[] acc = sums.computeIfAbsent(round, k -> new double[4]);
            acc[0] += r.testAccuracy();
            acc[1] += r.valAccuracy();
            acc[2] += bytesPerNode;
            acc[3]++;
        }

        Method method() {
            List<Point> curve = new ArrayList<>();
            sums.forEach((round, a) -> curve.add(new Point(round, a[0] / a[3], a[1] / a[3], a[2] / a[3])));
            return new Method(name, bestTest.clone(), bestRound.clone(), curve);
        }
    }
}
