package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.model.TestGraphs;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class TrainerTest {
    static final Graph G = TestGraphs.connected(12, 0.3, Init.rng(11));
    static final Operator S = ShiftOperator.NORMALIZED_LAPLACIAN.of(G), W = ShiftOperator.metropolisHastings(G);
    static final Gcnn MODEL = new Gcnn(S, new int[] {4, 5, 1}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Gcnn.UNIFORM01);
    static final Dataset DATA;
    static final Params INIT = new Params();

    static {
        UniformRandomProvider rng = Init.rng(3);
        MODEL.init(INIT, rng);
        DATA = new Dataset(Init.normal(rng, 0, 1, G.n(), 12, 4), Init.uniform(rng, 0, 1, G.n(), 12));
    }

    static final int[][] BATCHES = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}, {3, 1, 4, 1}};

    static Params params(Scheme s) { return s.centralized() ? INIT.copy() : INIT.perNode(G.n()); }

    static Trainer trainer(Engine e, Scheme s, int k) { return new Trainer(e, MODEL, s, 0.05, W, k); }

    @Test
    void dNaiveWithConvergedConsensusIsCentralizedSgdStepByStep() {
        Trainer sgd = trainer(Engine.synchronous(G, params(Scheme.SGD)), Scheme.SGD, 1);
        Trainer naive = trainer(Engine.synchronous(G, params(Scheme.D_NAIVE)), Scheme.D_NAIVE, 400);
        Trainer naivePb = trainer(Engine.perNode(G, params(Scheme.D_NAIVE_PB)), Scheme.D_NAIVE_PB, 400);
        double moved = 0;
        for (int[] batch : BATCHES) {
            sgd.perSample(DATA, batch);
            naive.perSample(DATA, batch);
            naivePb.perSample(DATA, batch);
            Params central = sgd.engine().params();
            moved = Math.max(moved, central.maxAbsDiff(INIT));
            for (Params p : new Params[] {naive.engine().params(), naivePb.engine().params()}) {
                assertThat(p.mean().maxAbsDiff(central)).isLessThan(1e-8);
                assertThat(p.maxAbsDiff(central.perNode(G.n()))).isLessThan(1e-8);
            }
        }
        assertThat(moved).isGreaterThan(1e-3);
    }

    @ParameterizedTest
    @EnumSource(names = {"D_SGD", "D_ADAM", "D_AMSGRAD", "D_NAIVE_PB", "D_NAIVE"})
    void perNodeEngineRunsTheSameScheduleAsTheSynchronousOne(Scheme s) {
        Trainer sync = trainer(Engine.synchronous(G, params(s)), s, 2);
        Trainer dist = trainer(Engine.perNode(G, params(s)), s, 2);
        for (int[] batch : BATCHES) {
            Trainer.Step a = sync.perSample(DATA, batch), b = dist.perSample(DATA, batch);
            assertThat(b.sumSquaredError()).isCloseTo(a.sumSquaredError(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(b.traffic().rounds()).isEqualTo(a.traffic().rounds());
            assertThat(b.traffic().floats()).isEqualTo(a.traffic().floats());
        }
        assertThat(dist.engine().params().maxAbsDiff(sync.engine().params())).isLessThan(1e-10);
        assertThat(sync.engine().params().maxAbsDiff(INIT.perNode(G.n()))).isGreaterThan(1e-3);
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void batchedScheduleGivesTheSameParametersAsThePerSampleOne(Scheme s) {
        Trainer perSample = trainer(Engine.synchronous(G, params(s)), s, 2);
        Trainer batched = trainer(Engine.synchronous(G, params(s)), s, 2);
        for (int[] batch : BATCHES) {
            Trainer.Step a = perSample.perSample(DATA, batch), b = batched.batched(DATA, batch);
            assertThat(b.sumSquaredError()).isCloseTo(a.sumSquaredError(), org.assertj.core.data.Offset.offset(1e-10));
        }
        assertThat(batched.engine().params().maxAbsDiff(perSample.engine().params())).isLessThan(1e-10);
        assertThat(perSample.engine().params().maxAbsDiff(params(s))).isGreaterThan(1e-3);
    }

    /** The fused batched pass on hosts that hold one node each (its halo path) against one host holding all. */
    @ParameterizedTest
    @EnumSource(names = {"D_SGD", "D_AMSGRAD"})
    void batchedScheduleOnOneHostPerNodeEqualsTheSynchronousOne(Scheme s) {
        Trainer sync = trainer(Engine.synchronous(G, params(s)), s, 1);
        Trainer dist = trainer(Engine.perNode(G, params(s)), s, 1);
        for (int[] batch : BATCHES) {
            Trainer.Step a = sync.batched(DATA, batch), b = dist.batched(DATA, batch);
            assertThat(b.sumSquaredError()).isCloseTo(a.sumSquaredError(), org.assertj.core.data.Offset.offset(1e-10));
        }
        assertThat(dist.engine().params().maxAbsDiff(sync.engine().params())).isLessThan(1e-10);
        assertThat(sync.engine().params().maxAbsDiff(params(s))).isGreaterThan(1e-3);
    }

    /**
     * Mini-batches of more than two vectors of samples run as two halves side by side: the update is
     * the per-sample schedule's, and its bits do not depend on whether the halves ran on two threads.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("splitCases")
    void splitMiniBatchesGiveThePerSampleUpdateOnAnyNumberOfThreads(Scheme s, int[] widths) {
        Gcnn model = new Gcnn(S, widths, java.util.Collections.nCopies(widths.length - 1, Activation.SIGMOID).toArray(Activation[]::new), Gcnn.UNIFORM01);
        Params init = new Params();
        model.init(init, Init.rng(widths[1]));
        java.util.function.Supplier<Params> params = () -> s.centralized() ? init.copy() : init.perNode(G.n());
        java.util.function.Supplier<Trainer> trainer = () -> new Trainer(Engine.synchronous(G, params.get()), model, s, 0.05, W, 1);
        UniformRandomProvider rng = Init.rng(5);
        Dataset data = new Dataset(Init.normal(rng, 0, 1, G.n(), 50, 4), Init.uniform(rng, 0, 1, G.n(), 50));
        int[][] batches = new int[3][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new int[37];        // splits 24 + 13 with AVX-512 (20 + 17 with AVX2): a half padded
            for (int q = 0; q < 37; q++) batches[b][q] = (q * 7 + b * 11) % 50;
        }
        assertThat(io.mycelium.train.fused.GcnnPass.half(37)).isPositive();
        Trainer perSample = trainer.get(), parallel = trainer.get(), serial = trainer.get();
        for (int[] batch : batches) {
            perSample.perSample(data, batch);
            parallel.batched(data, batch);
            io.mycelium.tensor.Parallel.setEnabled(false);
            try {
                serial.batched(data, batch);
            } finally {
                io.mycelium.tensor.Parallel.setEnabled(true);
            }
        }
        Params p = parallel.engine().params();
        assertThat(p.maxAbsDiff(perSample.engine().params())).isLessThan(1e-10);
        assertThat(p.maxAbsDiff(params.get())).isGreaterThan(1e-3);
        for (String n : p.names()) assertThat(p.get(n).bitwiseEquals(serial.engine().params().get(n))).as(n).isTrue();
        // the halves charge their rounds to the host's counters from two threads: none may be lost
        assertThat(parallel.engine().counters().rounds()).isEqualTo(serial.engine().counters().rounds()).isPositive();
        assertThat(parallel.engine().counters().messages()).isEqualTo(serial.engine().counters().messages());
    }

    /**
     * The three schemes on the shared model, on one 32 wide (per-node: the sample-major step), and on
     * three layers (per-node: the transposed weight gradients). With per-node weights on one thread
     * the second half adds into the first half's gradients, which must give the two threads' bits.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> splitCases() {
        return java.util.stream.Stream.of(new int[] {4, 5, 1}, new int[] {4, 32, 1}, new int[] {4, 32, 3, 1})
                .flatMap(w -> java.util.stream.Stream.of(Scheme.SGD, Scheme.D_SGD, Scheme.D_AMSGRAD)
                        .map(s -> org.junit.jupiter.params.provider.Arguments.of(s, w)));
    }

    @Test
    void dSgdCopiesDisagreeButTheirMeanFollowsTheNetwork() {
        Trainer d = trainer(Engine.synchronous(G, params(Scheme.D_SGD)), Scheme.D_SGD, 1);
        for (int[] batch : BATCHES) d.batched(DATA, batch);
        Params p = d.engine().params();
        // copies differ (each node stepped on its own gradient) but stay close (one consensus round per step)
        assertThat(p.maxAbsDiff(p.mean().perNode(G.n()))).isBetween(1e-6, 0.5);
    }

    @Test
    void dNaiveAndItsPiggybackedScheduleComputeTheSameParameters() {
        Trainer naive = trainer(Engine.synchronous(G, params(Scheme.D_NAIVE)), Scheme.D_NAIVE, 1);
        Trainer pb = trainer(Engine.synchronous(G, params(Scheme.D_NAIVE_PB)), Scheme.D_NAIVE_PB, 1);
        long naiveRounds = 0, pbRounds = 0;
        for (int[] batch : BATCHES) {
            naiveRounds += naive.perSample(DATA, batch).traffic().rounds();
            pbRounds += pb.perSample(DATA, batch).traffic().rounds();
        }
        assertThat(pb.engine().params().maxAbsDiff(naive.engine().params())).isLessThan(1e-12);
        assertThat(naiveRounds).isEqualTo(4 * (4 * 3 + 4));   // B(2L-1) + BK per mini-batch
        assertThat(pbRounds).isEqualTo(4 * (2 * 4 + 1 + 1));   // LB + L-1 + K
    }

    @Test
    void sameSeedSameBits() {
        Trainer a = trainer(Engine.synchronous(G, params(Scheme.D_AMSGRAD)), Scheme.D_AMSGRAD, 1);
        Trainer b = trainer(Engine.synchronous(G, params(Scheme.D_AMSGRAD)), Scheme.D_AMSGRAD, 1);
        for (int[] batch : BATCHES) {
            a.batched(DATA, batch);
            b.batched(DATA, batch);
        }
        for (String n : a.engine().params().names())
            assertThat(a.engine().params().get(n).bitwiseEquals(b.engine().params().get(n))).isTrue();
    }

    @Test
    void centralizedSchemesRefuseSeveralHosts() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer(Engine.perNode(G, INIT.perNode(G.n())), Scheme.SGD, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("synchronous");
    }
}
