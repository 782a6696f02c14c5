package io.mycelium.task;

import io.mycelium.autodiff.Init;
import io.mycelium.autodiff.Params;
import io.mycelium.engine.Engine;
import io.mycelium.train.Scheme;
import io.mycelium.train.Trainer;
import io.mycelium.train.Traffic;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains the node-regression student with one scheme. Updates use the batched schedule; the
 * communication per mini-batch is measured once by running the paper's per-sample schedule on a
 * copy (the topology is static, so every mini-batch sends the same).
 */
public final class NodeRegressionRun {
    private NodeRegressionRun() {}

    /** One row of metrics.csv. */
    public record Epoch(int epoch, long minibatches, long rounds, long bytes, double trainMse, double testMse) {}

    public record Result(Scheme scheme, List<Epoch> epochs, Traffic perMinibatch, double seconds) {
        public Epoch last() { return epochs.getLast(); }

        /**
         * The same parameter trajectory under another scheme that does the same arithmetic and
         * only sends differently (D-naive and D-naive-PB): its own measured traffic, same MSEs.
         */
        public Result as(Scheme other, Traffic traffic) {
            List<Epoch> es = epochs.stream().map(e -> new Epoch(e.epoch(), e.minibatches(), e.minibatches() * traffic.rounds(),
                    e.minibatches() * traffic.bytes(), e.trainMse(), e.testMse())).toList();
            return new Result(other, es, traffic, seconds);
        }
    }

    public static Result run(NodeRegression.Problem p, Scheme scheme, Runnable afterEpoch) {
        NodeRegression.Config c = p.config();
        long t0 = System.nanoTime();
        Traffic perBatch = measureTraffic(p, scheme);
        Trainer trainer = new Trainer(Engine.synchronous(p.graph(), params(p, scheme)), p.student(), scheme, c.lr(), p.consensus(), c.consensusRounds());
        // every scheme sees the same sequence of mini-batches
        UniformRandomProvider shuffle = Init.rng(c.seed() * 31 + 7);
        int n = c.trainSamples();
        int[] order = new int[n];
        for (int q = 0; q < n; q++) order[q] = q;
        int batches = (n + c.batch() - 1) / c.batch();
        List<Epoch> out = new ArrayList<>(c.epochs() + 1);
        out.add(new Epoch(0, 0, 0, 0, trainer.meanSquaredError(p.train()), trainer.meanSquaredError(p.test())));
        long mb = 0;
        for (int e = 1; e <= c.epochs(); e++) {
            for (int q = n - 1; q > 0; q--) {
                int r = shuffle.nextInt(q + 1), tmp = order[q];
                order[q] = order[r];
                order[r] = tmp;
            }
            double sse = 0;
            for (int b = 0; b < batches; b++) {
                int[] batch = Arrays.copyOfRange(order, b * c.batch(), Math.min(n, (b + 1) * c.batch()));
                sse += trainer.batched(p.train(), batch).sumSquaredError();
                mb++;
            }
            double train = sse / ((double) n * p.graph().n());
            out.add(new Epoch(e, mb, mb * perBatch.rounds(), mb * perBatch.bytes(), train, trainer.meanSquaredError(p.test())));
            if (afterEpoch != null) afterEpoch.run();
        }
        return new Result(scheme, out, perBatch, (System.nanoTime() - t0) / 1e9);
    }

    static Params params(NodeRegression.Problem p, Scheme s) {
        return s.centralized() ? p.init().copy() : p.init().perNode(p.graph().n());
    }

    /** Rounds and bytes of one mini-batch of the paper's per-sample schedule, measured on a throwaway copy. */
    public static Traffic measureTraffic(NodeRegression.Problem p, Scheme s) {
        NodeRegression.Config c = p.config();
        Trainer t = new Trainer(Engine.synchronous(p.graph(), params(p, s)), p.student(), s, c.lr(), p.consensus(), c.consensusRounds());
        int[] first = new int[c.batch()];
        for (int q = 0; q < first.length; q++) first[q] = q;
        return t.perSample(p.train(), first).traffic();
    }
}
