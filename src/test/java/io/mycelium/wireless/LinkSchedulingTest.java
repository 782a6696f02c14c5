package io.mycelium.wireless;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LinkSchedulingTest {
    private static final Path DATA = Path.of("..", "shared", "data", "link-scheduling");

    /** Actor parameters scaled up so that z is positive on most vertices (Glorot's z is mostly 0 after the ReLU). */
    private static Params actor(long seed) {
        Params p = SchedulingActor.init(Init.rng(seed));
        for (Tensor t : Optimizer.tensors(p)) for (int k = 0; k < t.data().length; k++) t.data()[k] = Math.abs(t.data()[k]) * 1.5;
        return p;
    }

    private static double objective(Graph g, Params actor, Params critic, double[] noise) {
        Operator lap = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        Tape at = new Tape(Comm.local(Partition.whole(g)), actor), ct = new Tape(Comm.local(Partition.whole(g)), critic);
        Var zv = SchedulingActor.forward(at, lap);
        return LinkScheduling.actorObjective(at, zv, ct, lap, noise, new double[g.n()], false).objective();
    }

    /** The actor's gradient through the critic and the input normalization against central differences (spec C.12). */
    @Test
    void actorGradientThroughTheCriticMatchesFiniteDifferences() {
        Graph g = Generators.erdosRenyi(30, 0.2, 4);
        Params actor = actor(7), critic = SchedulingCritic.init(Init.rng(8));
        UniformRandomProvider r = Init.rng(9);
        double[] noise = new double[g.n()];
        for (int i = 0; i < noise.length; i++) noise[i] = (r.nextDouble() - 0.5) * 0.06;
        Operator lap = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        Tape at = new Tape(Comm.local(Partition.whole(g)), actor), ct = new Tape(Comm.local(Partition.whole(g)), critic);
        Var zv = SchedulingActor.forward(at, lap);
        LinkScheduling.actorObjective(at, zv, ct, lap, noise, new double[g.n()], true);
        Params grads = at.paramGrads();
        double worst = 0, scale = 0;
        int checked = 0;
        for (String name : actor.names()) {
            double[] p = actor.get(name).data(), gr = grads.get(name).data();
            for (int k = 0; k < p.length; k += 7) {
                double keep = p[k], h = 1e-6;
                p[k] = keep + h;
                double up = objective(g, actor, critic, noise);
                p[k] = keep - h;
                double down = objective(g, actor, critic, noise);
                p[k] = keep;
                worst = Math.max(worst, Math.abs((up - down) / (2 * h) - gr[k]));
                scale = Math.max(scale, Math.abs(gr[k]));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
        assertThat(scale).isGreaterThan(1e-6);
        assertThat(worst / scale).isLessThan(1e-5);
    }

    @Test
    void normalizationBackwardMatchesFiniteDifferences() {
        UniformRandomProvider r = Init.rng(3);
        double[] x = new double[20], g = new double[20], gx = new double[20], out = new double[20], o2 = new double[20];
        for (int k = 0; k < 20; k++) {
            x[k] = k % 2 == 0 ? 1 : r.nextDouble();
            g[k] = r.nextDouble() - 0.5;
        }
        double s = SchedulingCritic.normalize(x, out);
        SchedulingCritic.normalizeBackward(x, s, g, gx);
        for (int k = 0; k < 20; k++) {
            double keep = x[k], h = 1e-6, up = 0, down = 0;
            x[k] = keep + h;
            SchedulingCritic.normalize(x, o2);
            for (int q = 0; q < 20; q++) up += g[q] * o2[q];
            x[k] = keep - h;
            SchedulingCritic.normalize(x, o2);
            for (int q = 0; q < 20; q++) down += g[q] * o2[q];
            x[k] = keep;
            assertThat(gx[k]).isCloseTo((up - down) / (2 * h), org.assertj.core.api.Assertions.within(1e-7));
        }
    }

    /** Per-node copies held equal: their local gradients sum to the centralized actor gradient. */
    @Test
    void perNodeActorGradientsOfTiedCopiesSumToTheCentralizedGradient() {
        Graph g = Generators.erdosRenyi(40, 0.15, 5);
        Params tied = actor(11), copies = tied.perNode(g.n()), critic = SchedulingCritic.init(Init.rng(12));
        double[] noise = new double[g.n()];
        Operator lap = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        Params[] grads = new Params[2];
        Params[] ps = {tied, copies};
        for (int q = 0; q < 2; q++) {
            Tape at = new Tape(Comm.local(Partition.whole(g)), ps[q]), ct = new Tape(Comm.local(Partition.whole(g)), critic);
            Var zv = SchedulingActor.forward(at, lap);
            LinkScheduling.actorObjective(at, zv, ct, lap, noise, new double[g.n()], true);
            grads[q] = at.paramGrads();
        }
        for (String name : tied.names()) {
            double[] c = grads[0].get(name).data(), d = grads[1].get(name).data();
            int size = c.length;
            for (int k = 0; k < size; k++) {
                double sum = 0;
                for (int i = 0; i < g.n(); i++) sum += d[i * size + k];
                assertThat(sum).isCloseTo(c[k], org.assertj.core.api.Assertions.within(1e-12 * (1 + Math.abs(c[k]))));
            }
        }
    }

    /**
     * GC-Adam (spec §0.3, the authors' {@code block_diag} mixing): one sample's per-vertex gradients
     * become ĝ_i = n Σ_j W_ij g_j, W_ij = 1 / max(d_i + 1, d_j + 1) on edges and W_ii = 1 − Σ_j W_ij,
     * in one round; the copies' sum is n times the sum of the local gradients (W's columns sum to 1).
     */
    @Test
    void gcAdamMixesOneSamplesGradientsOnceWithItsMetropolisHastingsMatrixTimesN() {
        Graph g = Generators.erdosRenyi(40, 0.06, 9);
        int n = g.n();
        Params copies = actor(13).perNode(n), critic = SchedulingCritic.init(Init.rng(14));
        Operator lap = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        Tape at = new Tape(Comm.local(Partition.whole(g)), copies), ct = new Tape(Comm.local(Partition.whole(g)), critic);
        LinkScheduling.actorObjective(at, SchedulingActor.forward(at, lap), ct, lap, new double[n], new double[n], true);
        Params local = at.paramGrads(), mixed = local.copy();
        Comm comm = Comm.local(Partition.whole(g));
        LinkScheduling.gradientConsensus(comm, ShiftOperator.metropolisHastings(g), mixed);
        assertThat(comm.counters().rounds()).isEqualTo(1);
        assertThat(local.maxAbsDiff(local.zerosLike())).as("live gradients").isGreaterThan(1e-6);
        int[] off = g.offsets(), nb = g.neighbours();
        for (String name : copies.names()) {
            double[] x = local.get(name).data(), y = mixed.get(name).data();
            int size = x.length / n;
            for (int k = 0; k < size; k++) {
                double total = 0, mixedTotal = 0;
                for (int i = 0; i < n; i++) {
                    double self = 1, sum = 0;
                    for (int p = off[i]; p < off[i + 1]; p++) {
                        int j = nb[p];
                        double w = 1.0 / Math.max(g.degree(i) + 1, g.degree(j) + 1);
                        self -= w;
                        sum += w * x[j * size + k];
                    }
                    double expected = n * (self * x[i * size + k] + sum);
                    assertThat(y[i * size + k]).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12 * (1 + Math.abs(expected))));
                    total += x[i * size + k];
                    mixedTotal += y[i * size + k];
                }
                assertThat(mixedTotal).isCloseTo(n * total, org.assertj.core.api.Assertions.within(1e-10 * (1 + Math.abs(n * total))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConflictGraphs.Protocol.class)
    void sameSeedSameBits(ConflictGraphs.Protocol graphs) {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        SchedulingTestSet test = SchedulingTestSet.read(DATA);
        LinkScheduling.Config cfg = new LinkScheduling.Config(2, 2, 100, graphs, 2, 25, 5e-5, 1e-4, 27, 2, 0, false);
        for (LinkScheduling.Scheme s : LinkScheduling.Scheme.values()) {
            LinkScheduling.Curve a = LinkScheduling.train(cfg, s, test, () -> {}), b = LinkScheduling.train(cfg, s, test, () -> {});
            assertThat(a.testRatio()).isEqualTo(b.testRatio());
            assertThat(a.validationRatio()).hasSize(3).isEqualTo(b.validationRatio());
            assertThat(a.selectedAfter()).isEqualTo(b.selectedAfter());
            assertThat(a.trainRatio()).isEqualTo(b.trainRatio());
            assertThat(a.criticLoss()).isEqualTo(b.criticLoss());
            assertThat(a.traffic().consensusRounds()).isEqualTo(s == LinkScheduling.Scheme.DISTRIBUTED ? 2 : 0);
            // the first test value is the untrained actor, the same for both schemes
            assertThat(a.testRatio()[0]).isEqualTo(LinkScheduling.testRatio(test, SchedulingActor.init(Init.rng(27))));
        }
    }

    @Test
    void theResultIsTheActorTheValidationSetPrefersAndNeverTheTestGraphs() {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        SchedulingTestSet test = SchedulingTestSet.read(DATA);
        int k = 5;
        // a large actor learning rate so that the actor, and with it the ratios, move between mini-batches
        LinkScheduling.Config cfg = new LinkScheduling.Config(k, 3, 100, ConflictGraphs.Protocol.PER_MINIBATCH, 2, 25, 3e-2, 1e-4, 5, 3, 0, false);
        SchedulingTestSet validation = LinkScheduling.validationSet(100, 3, 5);
        assertThat(validation.size()).isEqualTo(15);
        for (Graph g : validation.graphs()) for (Graph t : test.graphs()) assertThat(g.neighbours()).isNotEqualTo(t.neighbours());
        for (LinkScheduling.Scheme s : LinkScheduling.Scheme.values()) {
            LinkScheduling.Curve c = LinkScheduling.train(cfg, s, test, () -> {});
            double[] v = c.validationRatio();
            assertThat(java.util.Arrays.stream(v, 1, k + 1).distinct().count()).as(s.id()).isGreaterThan(1);   // a choice was made
            int best = 1;
            for (int q = 2; q <= k; q++) if (v[q] > v[best]) best = q;   // the earliest of the best after at least one update
            assertThat(c.selectedAfter()).as(s.id()).isEqualTo(best);
            assertThat(LinkScheduling.testRatio(validation, c.selected())).isEqualTo(v[best]);
            assertThat(LinkScheduling.testRatio(test, c.selected())).isEqualTo(c.result()).isEqualTo(c.testRatio()[best]);
            assertThat(LinkScheduling.testRatio(test, c.actor())).isEqualTo(c.last());
        }
        // without a validation set the result is the last actor
        LinkScheduling.Curve last = LinkScheduling.train(new LinkScheduling.Config(2, 2, 100, ConflictGraphs.Protocol.PER_MINIBATCH, 2, 25, 3e-2, 1e-4, 5, 0, 0, false),
                LinkScheduling.Scheme.CENTRALIZED, test, () -> {});
        assertThat(last.validationRatio()).isEmpty();
        assertThat(last.selectedAfter()).isEqualTo(2);
        assertThat(last.selected()).isSameAs(last.actor());
    }

    @Test
    void duringTheCriticWarmupOnlyTheCriticLearns() {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        SchedulingTestSet test = SchedulingTestSet.read(DATA);
        LinkScheduling.Config from = new LinkScheduling.Config(4, 3, 100, ConflictGraphs.Protocol.PER_MINIBATCH, 2, 25, 3e-2, 1e-4, 5, 3, 0, false);
        for (LinkScheduling.Scheme s : LinkScheduling.Scheme.values()) {
            LinkScheduling.Curve none = LinkScheduling.train(from, s, test, () -> {}), warm = LinkScheduling.train(from.withCriticWarmup(2), s, test, () -> {});
            // the same samples and the same first mini-batch (neither actor has moved yet); afterwards the critics differ
            assertThat(warm.trainRatio()[0]).isEqualTo(none.trainRatio()[0]);
            assertThat(warm.criticLoss()[0]).isEqualTo(none.criticLoss()[0]);
            assertThat(warm.criticLoss()[1]).isNotEqualTo(none.criticLoss()[1]);
            // the actor waits two mini-batches, then learns; only an actor that learned can be the result
            assertThat(warm.testRatio()[1]).isEqualTo(warm.testRatio()[0]);
            assertThat(warm.testRatio()[2]).isEqualTo(warm.testRatio()[0]);
            assertThat(warm.selectedAfter()).as(s.id()).isBetween(3, 4);
            // a warm-up as long as the run leaves the actor at its initialization, bit for bit, and that is the result
            Params untrained = paramsAfter(from.withCriticWarmup(2), s, test, 2), init = SchedulingActor.init(Init.rng(5));
            if (s == LinkScheduling.Scheme.DISTRIBUTED) init = init.perNode(100);
            for (String n : init.names()) assertThat(untrained.get(n).data()).as(n).isEqualTo(init.get(n).data());
            assertThat(warm.actor().get("actor2.theta0").data()).isNotEqualTo(init.get("actor2.theta0").data());
        }
    }

    /** The actor after a run of {@code k} mini-batches of {@code cfg} (which must not be shorter than its warm-up to stay untrained). */
    private static Params paramsAfter(LinkScheduling.Config cfg, LinkScheduling.Scheme s, SchedulingTestSet test, int k) {
        LinkScheduling.Config c = new LinkScheduling.Config(k, cfg.batch(), cfg.nodes(), cfg.graphs(), cfg.minDegree(), cfg.maxDegree(), cfg.actorLr(), cfg.criticLr(),
                cfg.seed(), cfg.validationPerDensity(), cfg.criticWarmup(), cfg.authorsInit());
        LinkScheduling.Curve r = LinkScheduling.train(c, s, test, () -> {});
        assertThat(r.selectedAfter()).isZero();
        assertThat(r.result()).isEqualTo(r.testRatio()[0]);
        return r.actor();
    }

    @Test
    void aSeedSpreadIsItsValuesMeanSampleSdAndMedian() {
        SeedSpread even = SeedSpread.of(new double[] {1.0, 1.1, 0.9, 1.2}, 1.05);
        assertThat(even.mean()).isCloseTo(1.05, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(even.sd()).isCloseTo(Math.sqrt(0.05 / 3), org.assertj.core.api.Assertions.within(1e-15));
        assertThat(even.median()).isCloseTo(1.05, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(even.atOrAbove()).isEqualTo(2);
        assertThat(even.min()).isEqualTo(0.9);
        assertThat(even.max()).isEqualTo(1.2);
        SeedSpread odd = SeedSpread.of(new double[] {3, 1, 2}, 5);
        assertThat(odd.median()).isEqualTo(2);
        assertThat(odd.atOrAbove()).isZero();
        assertThat(odd.values()).containsExactly(3, 1, 2);
        assertThat(SeedSpread.of(new double[] {4}, 0).sd()).isZero();
    }

    @Test
    void theDegreeDiscountRatioIsGreedyOnTheDiscountedWeights() {
        // LGS on z ⊙ w chooses the greedy set of z ⊙ w (spec C.2), so the ratio can be computed with greedy alone
        SchedulingTestSet set = SchedulingTestSet.drawnLikeTheTestSet(100, 3, 11);
        double sum = 0;
        for (int k = 0; k < set.size(); k++) {
            io.mycelium.graph.Graph g = set.graphs().get(k);
            double[] w = set.weights().get(k), zw = new double[w.length];
            for (int i = 0; i < w.length; i++) zw[i] = w[i] / Math.pow(1 + g.degree(i), 0.75);
            sum += Lgs.utility(Lgs.greedy(g, zw), w) / Lgs.utility(Lgs.greedy(g, w), w);
        }
        assertThat(LinkScheduling.ratio(set, LinkScheduling::degreeDiscount)).isCloseTo(sum / set.size(), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(sum / set.size()).isNotEqualTo(1.0);
    }

    /** Keras's Adam as its own update reads (ε on the uncorrected √v), against {@link io.mycelium.optim.Adam#keras}, the authors' optimizer, over steps where ε matters. */
    @Test
    void kerasAdamIsKerasUpdateWithEpsilonOnTheUncorrectedRoot() {
        double lr = 5e-5, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        double[] g = {3e-7, -1e-6, 2e-4, 0, 5e-9};
        Params p = new Params();
        p.add("x", new Tensor(new double[] {0.1, -0.2, 0.3, 0.4, 0.5}, 1, 5));
        double[] x = p.get("x").data().clone(), torch = x.clone(), m = new double[5], v = new double[5];
        java.util.Map<String, Object> state = new java.util.HashMap<>();
        for (int t = 1; t <= 7; t++) {
            Params grads = new Params();
            double[] gt = new double[5];
            for (int k = 0; k < 5; k++) gt[k] = g[k] * (t % 3 == 0 ? -1 : 1) * t;
            grads.add("x", new Tensor(gt.clone(), 1, 5));
            io.mycelium.optim.Adam.keras(lr).step(p, state, grads, java.util.List.of());
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int k = 0; k < 5; k++) {
                m[k] += (gt[k] - m[k]) * (1 - b1);
                v[k] += (gt[k] * gt[k] - v[k]) * (1 - b2);
                x[k] -= m[k] * alpha / (Math.sqrt(v[k]) + eps);
                torch[k] -= lr * (m[k] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[k] / (1 - Math.pow(b2, t))) + eps);
            }
        }
        for (int k = 0; k < 5; k++) assertThat(p.get("x").data()[k]).isCloseTo(x[k], org.assertj.core.api.Assertions.within(1e-15));
        // ε after the bias correction (PyTorch's form) moves the small-gradient coordinates differently, so the check can fail
        assertThat(Math.abs(torch[0] - x[0])).isGreaterThan(1e-9);
    }
}
