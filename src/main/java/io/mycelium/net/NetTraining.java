package io.mycelium.net;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.comm.Partition;
import io.mycelium.engine.Engine;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.train.Scheme;
import io.mycelium.train.Trainer;
import io.mycelium.train.Traffic;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link TrainingRun}'s loop (static graph) on an engine that may hold only some of the graph's
 * partitions, returning that engine's shares of the squared errors instead of the mean squared
 * errors. The coordinator adds the partitions' shares in partition order, which is how the
 * in-process partitioned engine combines its hosts, so {@link #assemble} gives the in-process
 * partitioned run's metrics bit for bit. Every host draws the same mini-batch order from the seed.
 */
public final class NetTraining {
    private NetTraining() {}

    /**
     * One engine's shares: the training set's squared error before training, the test set's after
     * every epoch (epoch 0 first), and each mini-batch's training loss in order.
     */
    public record Share(double train0, double[] test, double[] batches) {}

    /** Called after every epoch with the shares so far (filled up to that epoch). */
    public interface EpochHook {
        void after(int epoch, Share soFar);
    }

    /** Runs every epoch from scratch on {@code engine}. */
    public static Share run(TrainingRun.Setup s, Scheme scheme, Engine engine, EpochHook afterEpoch) {
        return run(s, scheme, engine, null, 0, afterEpoch);
    }

    /**
     * Runs epochs {@code from + 1 ..} on {@code engine}, whose hosts already hold the parameters and
     * optimizer state after epoch {@code from}; {@code start} holds the shares up to it (null when
     * {@code from} is 0). The mini-batch order of the skipped epochs is drawn and discarded, so the
     * rest sees the same order as an uninterrupted run.
     */
    public static Share run(TrainingRun.Setup s, Scheme scheme, Engine engine, Share start, int from, EpochHook afterEpoch) {
        Trainer trainer = new Trainer(engine, s.model(), scheme, s.lr(), ShiftOperator.metropolisHastings(engine.graph()), s.consensusRounds());
        // the same mini-batch order as TrainingRun: one Fisher–Yates shuffle per epoch from seed·31 + 7
        UniformRandomProvider shuffle = Init.rng(s.seed() * 31 + 7);
        int n = s.train().samples(), batches = (n + s.batch() - 1) / s.batch();
        int[] order = new int[n];
        for (int q = 0; q < n; q++) order[q] = q;
        Share sh = start != null ? new Share(start.train0(), start.test().clone(), start.batches().clone())
                : new Share(trainer.sumSquaredError(s.train()), new double[s.epochs() + 1], new double[s.epochs() * batches]);
        if (start == null) sh.test()[0] = trainer.sumSquaredError(s.test());
        for (int e = 1; e <= s.epochs(); e++) {
            for (int q = n - 1; q > 0; q--) {
                int r = shuffle.nextInt(q + 1), tmp = order[q];
                order[q] = order[r];
                order[r] = tmp;
            }
            if (e <= from) continue;
            for (int b = 0; b < batches; b++)
                sh.batches()[(e - 1) * batches + b] = trainer.batched(s.train(), Arrays.copyOfRange(order, b * s.batch(), Math.min(n, (b + 1) * s.batch()))).sumSquaredError();
            sh.test()[e] = trainer.sumSquaredError(s.test());
            if (afterEpoch != null) afterEpoch.after(e, sh);
        }
        return sh;
    }

    /** The parameters an engine for this scheme starts from (tied for a centralized scheme). */
    public static Params params(TrainingRun.Setup s, Scheme scheme) {
        return scheme.centralized() ? s.init().copy() : s.init().perNode(s.graph().n());
    }

    /** Doubles per {@link Wire.Trained} chunk: well inside an Artery frame ({@link NetSystem#FRAME_BYTES}), at 9 bytes a double in CBOR. */
    static final int CHUNK = 16_000;

    /** Every tensor's data, in the parameters' (insertion) order. */
    static double[] flatten(Params p) {
        double[] out = new double[p.asMap().values().stream().mapToInt(t -> t.data().length).sum()];
        int at = 0;
        for (Tensor t : p.asMap().values()) {
            System.arraycopy(t.data(), 0, out, at, t.data().length);
            at += t.data().length;
        }
        return out;
    }

    /**
     * The trained parameters of the whole graph from each host's {@link #flatten}ed parameters (in
     * partition order): its rows of the per-node copies, or, for a centralized scheme, partition
     * 0's tied ones. As {@code Engine.params()} gathers its hosts' rows in process.
     */
    public static Params trained(TrainingRun.Setup s, Scheme scheme, List<Partition> parts, List<double[]> flat) {
        Params all = params(s, scheme);
        for (int p = 0; p < flat.size(); p++) {
            Params local = scheme.centralized() ? all : all.slice(parts.get(p).nodes());
            int at = 0;
            for (Tensor t : local.asMap().values()) {
                System.arraycopy(flat.get(p), at, t.data(), 0, t.data().length);
                at += t.data().length;
            }
            if (at != flat.get(p).length) throw new IllegalStateException("partition " + p + " sent " + flat.get(p).length + " parameters, expected " + at);
            if (!scheme.centralized()) all.writeBack(parts.get(p).nodes(), local);
        }
        return all;
    }

    /**
     * The run's metrics from every partition's share (in partition order), as {@link TrainingRun}
     * computes them: losses and squared errors added over partitions from 0, then over mini-batches;
     * rounds and bytes from {@code perBatch} (the paper's per-sample schedule, measured in process).
     */
    public static TrainingRun.Result assemble(TrainingRun.Setup s, Scheme scheme, List<Share> shares, Traffic perBatch, double seconds) {
        int n = s.train().samples(), batches = (n + s.batch() - 1) / s.batch();
        double nodes = s.graph().n();
        List<TrainingRun.Epoch> out = new ArrayList<>(s.epochs() + 1);
        double train0 = 0, test0 = 0;
        for (Share sh : shares) {
            train0 += sh.train0();
            test0 += sh.test()[0];
        }
        out.add(new TrainingRun.Epoch(0, 0, 0, 0, train0 / ((double) s.train().nodes() * n), test0 / ((double) s.test().nodes() * s.test().samples())));
        // as TrainingRun charges them: full mini-batches at perBatch, a short last one at its own measured traffic
        int shortSize = n % s.batch();
        Traffic last = shortSize == 0 ? perBatch
                : TrainingRun.measureTraffic(s, scheme, s.model(), ShiftOperator.metropolisHastings(s.graph()), shortSize);
        long mb = 0, rounds = 0, floats = 0;
        for (int e = 1; e <= s.epochs(); e++) {
            double sse = 0;
            for (int b = 0; b < batches; b++) {
                double step = 0;
                for (Share sh : shares) step += sh.batches()[(e - 1) * batches + b];
                sse += step;
                mb++;
                Traffic t = b == batches - 1 ? last : perBatch;
                rounds += t.rounds();
                floats += t.floats();
            }
            double test = 0;
            for (Share sh : shares) test += sh.test()[e];
            out.add(new TrainingRun.Epoch(e, mb, rounds, floats * Double.BYTES, sse / (n * nodes),
                    test / ((double) s.test().nodes() * s.test().samples())));
        }
        return new TrainingRun.Result(scheme, out, new Traffic(perBatch.rounds(), perBatch.messages(), perBatch.floats(), List.of()), seconds, 1);
    }
}
