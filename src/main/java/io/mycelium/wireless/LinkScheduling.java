package io.mycelium.wireless;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.optim.Adam;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fig. 2(c) of the training paper: GCN-LGS link scheduling (wireless spec C). An actor GCNN rescales
 * the vertex weights that the local greedy solver sees; a critic GCNN, trained on one LGS rollout per
 * sample, stands in for the non-differentiable utility, and the actor follows its gradient
 * (deterministic policy gradient). Each mini-batch is one Erdős–Rényi conflict graph with B fresh
 * weight vectors; every sample takes one Adam step of the actor and one of the critic, all computed
 * with the parameters the mini-batch started from. The centralized run trains one actor; the
 * distributed run gives every vertex its own actor copy, mixes each sample's local gradients in one
 * Metropolis–Hastings round (times n) and lets each vertex step its own copy (GC-Adam, spec §0.3).
 * The critic is trained centrally in both. With a critic warm-up of W (ours, not the authors'), the
 * actor waits for the first W mini-batches, so that it never follows an untrained critic.
 */
public final class LinkScheduling {
    private LinkScheduling() {}

    public enum Scheme {
        CENTRALIZED("centralized", "GCN-LGS centralized (Adam)"),
        DISTRIBUTED("distributed", "GCN-LGS fully distributed (GC-Adam, the authors' D-Adam)");

        private final String id, label;

        Scheme(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public String id() { return id; }

        public String label() { return label; }
    }

    /**
     * {@code validationPerDensity} graphs per test density make the validation set the result's actor is
     * selected on (see {@link #validationSet}); 0 keeps the last actor, as the authors.
     */
    public record Config(int miniBatches, int batch, int nodes, ConflictGraphs.Protocol graphs, int minDegree, int maxDegree, double actorLr, double criticLr,
                         long seed, int validationPerDensity, int criticWarmup, boolean authorsInit) {
        /** Validation graphs per test density by default: 100 in all. */
        public static final int VALIDATION_PER_DENSITY = 20;

        public Config {
            if (criticWarmup < 0) throw new IllegalArgumentException("the critic warm-up must be >= 0 mini-batches, got " + criticWarmup);
        }

        /** The paper's protocol: 55 mini-batches of 100 samples on G(100, d̄/99), d̄ uniform in 2..25; the actor learns from the first mini-batch, as the authors. */
        public static Config paper() { return new Config(55, 100, 100, ConflictGraphs.Protocol.PER_MINIBATCH, 2, 25, 5e-5, 1e-4, 27, VALIDATION_PER_DENSITY, 0, true); }

        public Config withGraphs(ConflictGraphs.Protocol g) {
            return new Config(miniBatches, batch, nodes, g, minDegree, maxDegree, actorLr, criticLr, seed, validationPerDensity, criticWarmup, authorsInit);
        }

        public Config withAuthorsInit(boolean a) {
            return new Config(miniBatches, batch, nodes, graphs, minDegree, maxDegree, actorLr, criticLr, seed, validationPerDensity, criticWarmup, a);
        }

        public Config withCriticWarmup(int w) {
            return new Config(miniBatches, batch, nodes, graphs, minDegree, maxDegree, actorLr, criticLr, seed, validationPerDensity, w, authorsInit);
        }

        public Config withSeed(long s) {
            return new Config(miniBatches, batch, nodes, graphs, minDegree, maxDegree, actorLr, criticLr, s, validationPerDensity, criticWarmup, authorsInit);
        }

        public Map<String, Object> choices() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("graphs", graphs == ConflictGraphs.Protocol.PER_MINIBATCH
                    ? "per-minibatch: one new Erdős–Rényi G(" + nodes + ", d/" + (nodes - 1) + ") per mini-batch, d uniform in " + minDegree + ".." + maxDegree
                      + " (the paper's text; the authors' code uses a fixed pool, one graph per sample)"
                    : "pool: the authors' code's protocol, a fixed pool of " + ConflictGraphs.POOL_SIZE + " G(" + nodes + ", p), 200 each for p = 0.02, 0.05, 0.075,"
                      + " 0.1, 0.15 and 20 each for p = 0.3..0.9 (our own draws of their recipe), a different graph for every sample, the pool in a fresh"
                      + " random order each epoch; mini-batches of " + batch + " run on across epochs (the authors restart the count each epoch and"
                      + " drop 40 of 140 gradients in the first batch)");
            m.put("weights", "U(0,1), redrawn for every sample; the critic's rollout uses a second fresh draw");
            m.put("updates", "one Adam step per sample (" + batch + " per mini-batch) from gradients taken at the mini-batch's starting parameters, as the authors' code");
            m.put("distributed_optimizer", "GC-Adam: per sample one Metropolis-Hastings round on the actor's local gradients, times n, local Adam (the authors' D-Adam; not eq. 17)");
            m.put("critic", "central, trained on one rollout per sample with RMSE + 5e-4 L2 on kernels (as the authors)");
            m.put("exploration", "z + U(-0.03, 0.03) for the actor gradient; a further U(-0.075, 0.075) for the rollout");
            m.put("adam", "actor lr " + actorLr + ", critic lr " + criticLr + ", β1 0.9, β2 0.999, ε 1e-7 added to the uncorrected √v (Keras's Adam,"
                    + " as the authors; = ε/√(1−β2^t) in the bias-corrected form)");
            m.put("actor_init", authorsInit
                    ? "the authors' initial actor, bit for bit: Keras GlorotUniform(seed=l) on layer l, i.e. TensorFlow's stateless Philox draw with seed pair"
                      + " (l, 0), regenerated here (its untrained test ratio is 0.98407, the authors' logged 0.9841); the same for every seed"
                    : "Glorot-uniform (fans 2·in, 2·out) drawn from the run's seed: the authors' distribution, not their draw");
            m.put("seed", seed + (seed == 27 ? " (default; chosen, before the authors' actor draw was regenerated, because its own draw started where"
                    + " the authors' did: ratio 0.985)" : "") + ": the graphs, weights, noise, critic initialization and validation set"
                    + (authorsInit ? "" : ", and the actor's initialization"));
            m.put("step_order", "the " + batch + " stored steps of a mini-batch are applied in sample order (the authors: random order; the samples are exchangeable)");
            m.put("ratio_denominator", "greedy = LGS on the true weights (identical sets, tested)");
            m.put("laplacian", "normalized Laplacian without λ_max rescaling, as the authors");
            m.put("model_selection", validationPerDensity == 0
                    ? "none: the result is the actor after the last mini-batch, as the authors' logs"
                    : "the result is the actor, after mini-batch 1.." + miniBatches + ", with the best mean ratio on " + validationPerDensity * SchedulingTestSet.TEST_P.length
                      + " validation graphs drawn fresh like the test set (G(" + nodes + ", p), p = 0.02, 0.05, 0.1, 0.15, 0.2, weights U(0,1), from the run's seed;"
                      + " never the 10 test graphs); earliest on a tie. Ours: the authors' logs report the last actor (their code saves the actor"
                      + " that is best on the 10 test graphs, which a result must not do)");
            m.put("critic_warmup", criticWarmup == 0
                    ? "none: the actor learns from the first mini-batch, as the authors"
                    : "ours: the first " + criticWarmup + " of the " + miniBatches + " mini-batches train only the critic (the actor stays at its initialization,"
                      + " its rollouts still feed the critic), so the actor never follows an untrained critic; the authors update both from the first"
                      + " mini-batch. The samples are the same; the actor takes " + (miniBatches - criticWarmup) + " mini-batches of steps instead of " + miniBatches);
            m.put("test_ratio_logged", "after k updates, k = 0.." + miniBatches + " (the authors log mini-batch k after k-1 updates)");
            return m;
        }
    }

    /** Rounds and floats of one mini-batch, by what sent them (counted on each part's Comm). */
    public record Traffic(long actorRounds, long criticRounds, long consensusRounds, long lgsRounds, long bytes) {
        public long rounds() { return actorRounds + criticRounds + consensusRounds + lgsRounds; }
    }

    /**
     * Per mini-batch: test and validation ratio after k updates (k = 0..K; no validation ratios without a validation set), and the training logs of
     * mini-batch k (1..K, index k−1); {@code actor} is the actor after the last mini-batch (per-node
     * copies for the distributed scheme), {@code selected} the actor after {@code selectedAfter} mini-batches,
     * the one the validation set chose among those that took steps (the last one without validation; the
     * untrained one, after 0, if the warm-up lasted the whole run).
     */
    public record Curve(Scheme scheme, double[] testRatio, double[] validationRatio, double[] trainRatio, double[] criticLoss, double[] actorLoss,
                        double[] zMean, Traffic traffic, double seconds, Params actor, int selectedAfter, Params selected) {
        /** Test ratio of the last actor. */
        public double last() { return testRatio[testRatio.length - 1]; }

        /** Test ratio of the selected actor: the run's result. */
        public double result() { return testRatio[selectedAfter]; }
    }

    public interface Progress {
        void step();

        /** The actor after {@code updates} mini-batches (0 = the start), for an observer that studies the trajectory; not called on resumed mini-batches. */
        default void actor(int updates, Params actor) {}
    }

    /**
     * Everything the rest of a run depends on after {@code miniBatches} mini-batches: the actor and
     * critic with their Adam states, the generator of weights and noise, where the graph pool's visit
     * stands, the logs so far (test ratio 0..miniBatches, the others 1..miniBatches at index k−1) and
     * the traffic counted so far (actor, critic, consensus and LGS rounds, then floats), the validation
     * ratios 0..miniBatches and the actor selected so far with its number of updates.
     */
    public record Snapshot(int miniBatches, Params actor, Params critic, Map<String, Object> actorAdam, Map<String, Object> criticAdam, byte[] data,
                           ConflictGraphs.Position graphs, double[] testRatio, double[] trainRatio, double[] criticLoss, double[] actorLoss, double[] zMean,
                           long[] traffic, double[] validationRatio, int selectedAfter, Params selected) {}

    /** Trains one scheme; both schemes see the same graphs, weights and noise for the same config. */
    public static Curve train(Config cfg, Scheme scheme, SchedulingTestSet test, Progress progress) { return train(cfg, scheme, test, progress, null); }

    /** {@link #train(Config, Scheme, SchedulingTestSet, Progress)}, continuing from and saving checkpoints after every mini-batch ({@code ck} may be null). */
    public static Curve train(Config cfg, Scheme scheme, SchedulingTestSet test, Progress progress, Checkpoints<Snapshot> ck) {
        long t0 = System.nanoTime();
        int n = cfg.nodes(), b = cfg.batch();
        boolean dist = scheme == Scheme.DISTRIBUTED;
        UniformRandomProvider initRng = Init.rng(cfg.seed());
        Params actor = SchedulingActor.init(initRng), critic = SchedulingCritic.init(initRng);   // the actor's draw keeps the critic's stream in place
        if (cfg.authorsInit()) actor = SchedulingActor.initAuthors();
        Optimizer actorOpt = Adam.keras(cfg.actorLr()), criticOpt = Adam.keras(cfg.criticLr());
        if (dist) actor = actor.perNode(n);
        Map<String, Object> actorState = new HashMap<>(), criticState = new HashMap<>();
        UniformRandomProvider data = Init.rng(cfg.seed() + 1);

        int K = cfg.miniBatches();
        double[] testRatio = new double[K + 1], trainRatio = new double[K], criticLoss = new double[K], actorLoss = new double[K], zMean = new double[K];
        long[] rounds = new long[4], floats = new long[1];   // actor, critic, consensus, LGS; all floats sent
        double[] w = new double[n], w2 = new double[n], z = new double[n], zw = new double[n], noise = new double[n],
                seed = new double[2 * n], target = new double[2 * n];
        ConflictGraphs graphs = new ConflictGraphs(cfg.graphs(), n, cfg.minDegree(), cfg.maxDegree(), data, cfg.seed() + 2);
        SchedulingTestSet validation = cfg.validationPerDensity() > 0 ? validationSet(n, cfg.validationPerDensity(), cfg.seed()) : null;
        double[] validationRatio = new double[validation == null ? 0 : K + 1];   // none without a validation set
        Snapshot from = ck == null ? null : ck.resume();
        int done = 0, selectedAfter = 0;
        Params selected = actor;
        if (from != null) {
            done = from.miniBatches();
            if (done > K) throw new IllegalArgumentException("the snapshot is after " + done + " mini-batches, the run has " + K);
            actor = from.actor();
            critic = from.critic();
            actorState.putAll(from.actorAdam());
            criticState.putAll(from.criticAdam());
            Checkpoints.restore(data, from.data());
            graphs.seek(from.graphs());
            selectedAfter = from.selectedAfter();
            selected = from.selected();
            for (double[][] a : new double[][][] {{from.testRatio(), testRatio}, {from.trainRatio(), trainRatio}, {from.criticLoss(), criticLoss},
                    {from.actorLoss(), actorLoss}, {from.zMean(), zMean}, {from.validationRatio(), validationRatio}})
                System.arraycopy(a[0], 0, a[1], 0, a[0].length);
            System.arraycopy(from.traffic(), 0, rounds, 0, rounds.length);
            floats[0] = from.traffic()[rounds.length];
            for (int k = 0; k < done; k++) progress.step();
        } else {
            testRatio[0] = testRatio(test, actor);
            if (validation != null) validationRatio[0] = testRatio(validation, actor);
            progress.actor(0, actor);
        }
        for (int k = done; k < K; k++) {
            boolean actorLearns = k >= cfg.criticWarmup();
            Params actorNext = actorLearns ? actor.copy() : actor, criticNext = critic.copy();
            double ratioSum = 0, lossSum = 0, jSum = 0, zSum = 0;
            ConflictGraphs.Sample sg = null;
            Comm actorComm = null, criticComm = null, consensusComm = null, lgsComm = null;
            Tape at = null, ct = null;
            for (int s = 0; s < b; s++) {
                ConflictGraphs.Sample next = graphs.next(s == 0);
                if (next != sg) {
                    if (sg != null) count(rounds, floats, actorComm, criticComm, consensusComm, lgsComm);
                    sg = next;
                    actorComm = Comm.local(sg.partition());
                    criticComm = Comm.local(sg.partition());
                    consensusComm = Comm.local(sg.partition());
                    lgsComm = Comm.local(sg.partition());
                    at = new Tape(actorComm, actor);
                    ct = new Tape(criticComm, critic);
                }
                Graph g = sg.graph();
                Operator lap = sg.laplacian();
                for (int i = 0; i < n; i++) w[i] = data.nextDouble();
                at.reset();
                Var zv = SchedulingActor.forward(at, lap);
                double[] z0 = zv.value().data();
                double greedy = Lgs.utility(Lgs.greedy(g, w), w);
                for (int i = 0; i < n; i++) {
                    zw[i] = z0[i] * w[i];
                    zSum += z0[i];
                }
                ratioSum += Lgs.utility(Lgs.distributed(lgsComm, zw), w) / greedy;
                // the actor's gradient through the critic, at z + exploration noise
                for (int i = 0; i < n; i++) noise[i] = (data.nextDouble() - 0.5) * 0.06;
                ActorPass pass = actorObjective(at, zv, ct, lap, noise, z, actorLearns);
                jSum += pass.objective();
                Var c = pass.critic();
                double[] cv = c.value().data();
                if (actorLearns) {
                    Params ga = at.paramGrads();
                    if (dist) gradientConsensus(consensusComm, sg.mh(), ga);
                    actorOpt.step(actorNext, actorState, ga, List.of());
                }
                // the critic's target: one rollout of LGS on fresh weights and a wider noise
                for (int i = 0; i < n; i++) {
                    w2[i] = data.nextDouble();
                    zw[i] = (z[i] + (data.nextDouble() - 0.5) * 0.15) * w2[i];
                }
                boolean[] chosen = Lgs.distributed(lgsComm, zw);
                double m = 0;
                for (int i = 0; i < n; i++) {
                    target[2 * i] = chosen[i] ? w2[i] : 0;
                    target[2 * i + 1] = 1 - target[2 * i];
                }
                for (int q = 0; q < 2 * n; q++) m += (target[q] - cv[q]) * (target[q] - cv[q]);
                m /= 2 * n;
                double rmse = Math.sqrt(m);
                for (int q = 0; q < 2 * n; q++) seed[q] = rmse == 0 ? 0 : (cv[q] - target[q]) / (2 * n * rmse);
                ct.vjp(c, new Tensor(seed.clone(), n, 2));
                Params gc = ct.paramGrads();
                lossSum += rmse + SchedulingCritic.addPenalty(critic, gc);
                criticOpt.step(criticNext, criticState, gc, List.of());
            }
            count(rounds, floats, actorComm, criticComm, consensusComm, lgsComm);
            actor = actorNext;
            critic = criticNext;
            trainRatio[k] = ratioSum / b;
            criticLoss[k] = lossSum / b;
            actorLoss[k] = jSum / b;
            zMean[k] = zSum / ((double) b * n);
            testRatio[k + 1] = testRatio(test, actor);
            if (validation != null) validationRatio[k + 1] = testRatio(validation, actor);
            // the actor after k + 1 mini-batches replaces the selected one if the validation set prefers it (the last one without validation);
            // only actors that took steps are candidates
            if (actorLearns && (validation == null || k == cfg.criticWarmup() || validationRatio[k + 1] > validationRatio[selectedAfter])) {
                selectedAfter = k + 1;
                selected = actor;
            }
            if (ck != null) {
                long[] traffic = Arrays.copyOf(rounds, rounds.length + 1);
                traffic[rounds.length] = floats[0];
                ck.save(new Snapshot(k + 1, actor, critic, actorState, criticState, Checkpoints.stateOf(data), graphs.position(),
                        Arrays.copyOf(testRatio, k + 2), Arrays.copyOf(trainRatio, k + 1), Arrays.copyOf(criticLoss, k + 1),
                        Arrays.copyOf(actorLoss, k + 1), Arrays.copyOf(zMean, k + 1), traffic,
                        Arrays.copyOf(validationRatio, validation == null ? 0 : k + 2), selectedAfter, selected));
            }
            progress.actor(k + 1, actor);
            progress.step();
        }
        Traffic perBatch = new Traffic(rounds[0] / K, rounds[1] / K, rounds[2] / K, rounds[3] / K, floats[0] * Double.BYTES / K);
        return new Curve(scheme, testRatio, validationRatio, trainRatio, criticLoss, actorLoss, zMean, perBatch, (System.nanoTime() - t0) / 1e9, actor,
                selectedAfter, selected);
    }

    /**
     * The validation set of a run: {@code perDensity} graphs drawn like the test set for every test
     * density, from the run's seed mixed with a constant of its own, so it is neither the held-out set
     * nor any other stream of the run (and never the 10 test graphs).
     */
    public static SchedulingTestSet validationSet(int nodes, int perDensity, long seed) {
        return SchedulingTestSet.drawnLikeTheTestSet(nodes, perDensity, seed ^ 0x76616c6964617465L);   // "validate"
    }

    /**
     * GC-Adam's mixing of one sample's per-vertex actor gradients, in place: ĝ_i = n Σ_j W_ij g_j with
     * W the sample graph's Metropolis–Hastings matrix, one round (the authors' {@code block_diag} of the
     * per-sample matrices applied {@code num_cons} = 1 time, then × {@code num_nodes}; spec §0.3).
     */
    static void gradientConsensus(Comm comm, Operator mh, Params grads) {
        Tensor[] g = Optimizer.tensors(grads).toArray(Tensor[]::new);
        Exchange.consensus(comm, mh, g);
        int n = comm.partition().size();
        for (Tensor t : g) for (int q = 0; q < t.data().length; q++) t.data()[q] *= n;
    }

    /** Adds the rounds and floats of the comms (actor, critic, consensus, LGS) of one graph's samples; they ran one after another. */
    private static void count(long[] rounds, long[] floats, Comm... comms) {
        for (int q = 0; q < comms.length; q++) {
            rounds[q] += comms[q].counters().rounds();
            floats[0] += comms[q].counters().floats();
        }
    }

    /**
     * {@code J = −(1/n) Σ_i c_i0} of the critic on the normalized input (1, z0 + noise), recorded on
     * {@code ct}; with {@code gradients}, also ∂J/∂θ of the actor (read with {@code at.paramGrads()}),
     * back through the critic, the normalization and the actor's recording {@code zv} on {@code at}.
     * {@code z} receives z0 + noise.
     */
    static ActorPass actorObjective(Tape at, Var zv, Tape ct, Operator lap, double[] noise, double[] z, boolean gradients) {
        int n = z.length;
        double[] z0 = zv.value().data(), x = new double[2 * n], xn = new double[2 * n];
        for (int i = 0; i < n; i++) {
            z[i] = z0[i] + noise[i];
            x[2 * i] = 1;
            x[2 * i + 1] = z[i];
        }
        double spread = SchedulingCritic.normalize(x, xn);
        ct.reset();
        Var in = ct.variable(new Tensor(xn, n, 2));
        Var c = SchedulingCritic.forward(ct, lap, in);
        double[] cv = c.value().data(), seed = new double[2 * n];
        double j = 0;
        for (int i = 0; i < n; i++) {
            seed[2 * i] = -1.0 / n;
            j -= cv[2 * i] / n;
        }
        if (!gradients) return new ActorPass(j, c);
        ct.vjp(c, new Tensor(seed, n, 2));
        double[] gx = new double[2 * n], gz = new double[n];
        SchedulingCritic.normalizeBackward(x, spread, in.grad().data(), gx);
        for (int i = 0; i < n; i++) gz[i] = gx[2 * i + 1];
        at.vjp(zv, new Tensor(gz, n, 1));
        return new ActorPass(j, c);
    }

    /** The actor's objective and the critic's output [n, 2] it came from. */
    record ActorPass(double objective, Var critic) {}

    /** The actor's z on a graph, without noise (each vertex its own copy when the actor has per-node copies). */
    public static double[] actorOutput(Graph g, Params actor) {
        Tape t = new Tape(Comm.local(Partition.whole(g)), actor);
        return SchedulingActor.forward(t, ShiftOperator.NORMALIZED_LAPLACIAN.of(g)).value().data().clone();
    }

    /** Mean over the test graphs of U(LGS(z ⊙ w)) / U(greedy(w)), z the actor's output. */
    public static double testRatio(SchedulingTestSet test, Params actor) { return ratio(test, g -> actorOutput(g, actor)); }

    /**
     * A fixed multiplier to compare the actor against (ours, not the paper's): z_i = (d_i + 1)^−0.75,
     * the kind of degree discount an actor that sees only the topology can learn.
     */
    public static double[] degreeDiscount(Graph g) {
        double[] z = new double[g.n()];
        for (int i = 0; i < z.length; i++) z[i] = Math.pow(g.degree(i) + 1, -0.75);
        return z;
    }

    /** Mean over the test graphs of U(LGS(z ⊙ w)) / U(greedy(w)) for the multipliers {@code multiplier} gives each graph. */
    public static double ratio(SchedulingTestSet test, java.util.function.Function<Graph, double[]> multiplier) {
        double sum = 0;
        for (int k = 0; k < test.size(); k++) {
            Graph g = test.graphs().get(k);
            double[] w = test.weights().get(k), z = multiplier.apply(g), zw = new double[w.length];
            for (int i = 0; i < w.length; i++) zw[i] = z[i] * w[i];
            boolean[] s = new boolean[w.length];
            Lgs.iterations(g, zw, s);
            sum += Lgs.utility(s, w) / Lgs.utility(Lgs.greedy(g, w), w);
        }
        return sum / test.size();
    }
}
