package io.mycelium.train;

import io.mycelium.tensor.Params;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.optim.DAmsGrad;
import io.mycelium.optim.DSgd;
import io.mycelium.task.hogwild.HogwildTask;
import io.mycelium.task.hogwild.SyntheticTasks;
import io.mycelium.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DistributedImplicitTest {
    static ImplicitModel model(String id, int in) { return id.equals("ignn") ? Ignn.paper(in, 1) : GsdGnn.paper(in, 1); }

    /** Count chains of 1..12 nodes (every node predicts its chain's size), standardized. */
    static HogwildTask count() { return SyntheticTasks.count(12); }

    @ParameterizedTest
    @ValueSource(strings = {"ignn", "gsdgnn"})
    void tiedCopiesGiveTheCentralizedImplicitGradient(String id) {
        HogwildTask t = count();
        List<GraphSample> g = t.pool().subList(3, 12);
        Objective obj = t.objective().fitTo(g);
        DistributedImplicit central = new DistributedImplicit(model(id, t.nodeFeatures()), obj, new DSgd(0.01),
                DistributedImplicit.Method.CENTRALIZED, g, 4, 1e-13, 20_000, 3);
        DistributedImplicit dist = new DistributedImplicit(model(id, t.nodeFeatures()), obj, new DSgd(0.01),
                DistributedImplicit.Method.DISTRIBUTED, g, 4, 1e-13, 20_000, 3);
        tie(central, dist, 11);
        Params gc = central.params().emptyLike(), gd = dist.params().emptyLike();
        double lc = central.lossAndGradient(g, gc), ld = dist.lossAndGradient(g, gd);
        assertThat(ld).isCloseTo(lc, org.assertj.core.data.Offset.offset(1e-12));
        double scale = 0, err = 0;
        for (String n : gc.names()) {
            double[] c = gc.get(n).data(), d = gd.get(n).data();
            int w = c.length;
            for (int k = 0; k < w; k++) {
                double s = 0;
                for (int i = 0; i < dist.devices(); i++) s += d[i * w + k];
                err = Math.max(err, Math.abs(s - c[k]));
                scale = Math.max(scale, Math.abs(c[k]));
            }
        }
        assertThat(scale).isGreaterThan(1e-4);
        assertThat(err).isLessThan(1e-8 * Math.max(1, scale));
    }

    @Test
    void deviceGradientMatchesFiniteDifferencesOfThatDevicesCopy() {
        HogwildTask t = count();
        List<GraphSample> g = t.pool().subList(4, 10);
        Objective obj = t.objective().fitTo(g);
        DistributedImplicit dist = new DistributedImplicit(Ignn.paper(t.nodeFeatures(), 1), obj, new DSgd(0.01),
                DistributedImplicit.Method.DISTRIBUTED, g, 6, 1e-13, 20_000, 5);
        // make the copies differ, as they do during training
        jitter(dist.params(), 9);
        dist.model().project(dist.params());
        Params grad = dist.params().emptyLike();
        dist.lossAndGradient(g, grad);
        int checked = 0;
        for (String n : dist.params().names()) {
            Tensor p = dist.params().get(n);
            int w = p.rowSize();
            for (int device : new int[] {0, 4}) {
                int k = device * w + (w / 2);
                double h = 1e-6, x = p.data()[k];
                p.data()[k] = x + h;
                double up = dist.lossAndGradient(g, dist.params().emptyLike());
                p.data()[k] = x - h;
                double down = dist.lossAndGradient(g, dist.params().emptyLike());
                p.data()[k] = x;
                double fd = (up - down) / (2 * h), an = grad.get(n).data()[k];
                assertThat(an).as("%s device %d", n, device).isCloseTo(fd, org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(fd)));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(3);
    }

    /** Small graph-level binary task: paths of 5..9 nodes, class 1 when a node carries feature kind 2. */
    static List<GraphSample> graphs(int count) {
        org.apache.commons.rng.UniformRandomProvider r = io.mycelium.tensor.Init.rng(21);
        List<GraphSample> out = new java.util.ArrayList<>();
        for (int q = 0; q < count; q++) {
            int n = 5 + r.nextInt(5), label = q % 2;
            Tensor x = Tensor.zeros(n, 3);
            for (int i = 0; i < n; i++) x.set(1, i, label == 1 && i == n / 2 ? 2 : r.nextInt(2));
            out.add(new GraphSample(io.mycelium.graph.Generators.path(n), x, null, Tensor.full(label, 1, 1)));
        }
        return out;
    }

    @Test
    void graphLevelTiedCopiesGiveTheCentralizedLossAndGradient() {
        List<GraphSample> g = graphs(8);
        Objective obj = Objective.binaryClassification(true);
        DistributedImplicit central = new DistributedImplicit(Ignn.paper(3, 1), obj, new DSgd(0.01), DistributedImplicit.Method.CENTRALIZED, g, 8,
                1e-13, 20_000, 3);
        DistributedImplicit dist = new DistributedImplicit(Ignn.paper(3, 1), obj, new DSgd(0.01), DistributedImplicit.Method.DISTRIBUTED, g, 8,
                1e-13, 20_000, 3);
        tie(central, dist, 5);
        Params gc = central.params().emptyLike(), gd = dist.params().emptyLike();
        double lc = central.lossAndGradient(g, gc), ld = dist.lossAndGradient(g, gd);
        // the centralized graph-level loss written independently: mean over graphs of BCE(readout(mean of node outputs))
        GraphTrainer ref = new GraphTrainer(GraphNet.implicit(x -> central.model(), GraphNet.Solver.of(1e-13, 20_000)), obj,
                new GraphReadout(1, 4, 4, 1), g, GraphTrainer.Config.paper().withBatchSize(8));
        for (String n : central.params().names()) ref.params().get(n).copyFrom(central.params().get(n));
        Params gr = new Params();
        double lr = ref.lossAndGradient(ref.contexts(g).getFirst(), gr);
        assertThat(lc).isCloseTo(lr, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(ld).isCloseTo(lr, org.assertj.core.data.Offset.offset(1e-10));
        // the loss an evaluation reports (what train prints per epoch): the same number, not NaN
        assertThat(dist.evaluate(g, 1e-13, 20_000).loss()).isCloseTo(lr, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(central.evaluate(g, 1e-13, 20_000).loss()).isCloseTo(lr, org.assertj.core.data.Offset.offset(1e-10));
        double err = 0, scale = 0;
        for (String n : gc.names()) {
            double[] c = gc.get(n).data(), d = gd.get(n).data(), f = gr.get(n).data();
            for (int k = 0; k < c.length; k++) {
                double s = 0;
                for (int i = 0; i < dist.devices(); i++) s += d[i * c.length + k];
                err = Math.max(err, Math.max(Math.abs(s - f[k]), Math.abs(c[k] - f[k])));
                scale = Math.max(scale, Math.abs(f[k]));
            }
        }
        assertThat(scale).isGreaterThan(1e-4);
        assertThat(err).isLessThan(1e-8 * Math.max(1, scale));
    }

    /**
     * Moves the centralized parameters off their initialization (zero biases put ReLU units at their
     * kinks, where gradients are one-sided) and gives every device of {@code dist} the same copy.
     */
    static void tie(DistributedImplicit central, DistributedImplicit dist, long seed) {
        jitter(central.params(), seed);
        central.model().project(central.params());
        for (String n : central.params().names()) {
            double[] c = central.params().get(n).data(), d = dist.params().get(n).data();
            for (int i = 0; i < dist.devices(); i++) System.arraycopy(c, 0, d, i * c.length, c.length);
        }
    }

    /** IGNN on {@code g} centrally and with per-device copies placed by {@code placement} (D-SGD, batches of 4), the copies tied to the central one. */
    static DistributedImplicit[] tiedPair(List<GraphSample> g, DistributedImplicit.Placement placement) {
        HogwildTask t = count();
        Objective obj = t.objective().fitTo(g);
        DistributedImplicit central = new DistributedImplicit(Ignn.paper(t.nodeFeatures(), 1), obj, new DSgd(0.01),
                DistributedImplicit.Method.CENTRALIZED, g, 4, 1e-13, 20_000, 3);
        DistributedImplicit dist = new DistributedImplicit(Ignn.paper(t.nodeFeatures(), 1), obj, new DSgd(0.01),
                DistributedImplicit.Method.DISTRIBUTED, g, 0, 4, 1e-13, 20_000, 3, io.mycelium.tensor.Init.Affine.GLOROT_ZERO, placement);
        tie(central, dist, 11);
        return new DistributedImplicit[] {central, dist};
    }

    /** Adds U(-0.1, 0.1) to every entry. */
    static void jitter(Params p, long seed) {
        org.apache.commons.rng.UniformRandomProvider r = io.mycelium.tensor.Init.rng(seed);
        for (Tensor t : p.asMap().values()) for (int k = 0; k < t.data().length; k++) t.data()[k] += 0.2 * r.nextDouble() - 0.1;
    }

    /** IGNN on {@code g} (targets standardized on {@code g}), batches of 4, AMSGrad at 0.01 in the tracker-first order. */
    static DistributedImplicit ignnAmsGrad(HogwildTask t, List<GraphSample> g, DistributedImplicit.Method m) {
        return new DistributedImplicit(Ignn.paper(t.nodeFeatures(), 1), t.objective().fitTo(g), DAmsGrad.trackerFirst(0.01), m, g, 4, 1e-6, 3000, 1);
    }

    @Test
    void dAmsGradTrainsTheDevicesAndCountsItsRounds() {
        HogwildTask t = count();
        List<GraphSample> g = t.pool();
        DistributedImplicit dist = ignnAmsGrad(t, g, DistributedImplicit.Method.DISTRIBUTED);
        DistributedImplicit.EpochStats first = dist.epoch(), last = first;
        for (int e = 0; e < 30; e++) last = dist.epoch();
        assertThat(last.loss()).isLessThan(0.8 * first.loss());
        // one consensus round per mini-batch; at least one forward and one adjoint round per iteration
        assertThat(last.consensusRounds()).isEqualTo(last.batches());
        assertThat(last.solveRounds()).isGreaterThanOrEqualTo(2L * last.batches());
        assertThat(last.consensusFloats()).isEqualTo((long) last.batches() * 2 * dist.devices() * dist.params().count());
    }

    /** Count's chains over 12 devices: the consensus graph is the path, whose Metropolis–Hastings weights are I − L/3. */
    @Test
    void consensusOnThePathMixesAtItsSecondEigenvalue() {
        HogwildTask t = count();
        DistributedImplicit dist = ignnAmsGrad(t, t.pool(), DistributedImplicit.Method.DISTRIBUTED);
        assertThat(dist.devices()).isEqualTo(12);
        // path Laplacian eigenvalues 2 − 2cos(πk/n): W's second-largest modulus is 1 − (2 − 2cos(π/n))/3
        assertThat(dist.mixingSlem()).isCloseTo((1 + 2 * Math.cos(Math.PI / 12)) / 3, org.assertj.core.data.Offset.offset(1e-9));
    }

    /**
     * Copies θ_i = θ except device 0's (1 + a)θ: θ̄ = θ(1 + a/n), so device 0 is a(n − 1)/(n + a) of ‖θ̄‖
     * away and every other device a/(n + a); the averaged evaluation is the tied model θ̄'s.
     */
    @Test
    void disagreementAndTheAveragedModel() {
        HogwildTask t = count();
        List<GraphSample> g = t.pool();
        DistributedImplicit dist = ignnAmsGrad(t, g, DistributedImplicit.Method.DISTRIBUTED);
        DistributedImplicit central = ignnAmsGrad(t, g, DistributedImplicit.Method.CENTRALIZED);
        tie(central, dist, 5);
        assertThat(dist.disagreement().max()).isLessThan(1e-14); // the mean of equal copies, up to rounding
        int n = dist.devices();
        double a = 0.25;
        for (String name : dist.params().names()) {
            double[] d = dist.params().get(name).data(), c = central.params().get(name).data();
            for (int k = 0; k < c.length; k++) {
                d[k] *= 1 + a;
                c[k] *= 1 + a / n;
            }
        }
        DistributedImplicit.Disagreement dg = dist.disagreement();
        assertThat(dg.max()).isCloseTo(a * (n - 1) / (n + a), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(dg.mean()).isCloseTo((a * (n - 1) / (n + a) + (n - 1) * a / (n + a)) / n, org.assertj.core.data.Offset.offset(1e-12));
        Tensor avg = dist.evaluateAveraged(g, 1e-10, 5000).output(), ref = central.evaluate(g, 1e-10, 5000).output();
        assertThat(avg.maxAbsDiff(ref)).isLessThan(1e-12);
        assertThat(dist.evaluate(g, 1e-10, 5000).output().maxAbsDiff(ref)).isGreaterThan(1e-6);
    }

    /**
     * Re-placing graphs on fresh devices changes nothing while the copies are tied (the centralized
     * outputs), changes the outputs once they differ, is the same for the same seed, and leaves the
     * training placement as it was.
     */
    @Test
    void rePlacedEvaluationDrawsNewDevicesAndKeepsTheTrainingPlacement() {
        List<GraphSample> g = count().pool().subList(3, 12);
        DistributedImplicit[] pair = tiedPair(g, DistributedImplicit.Placement.SHUFFLED);
        DistributedImplicit central = pair[0], dist = pair[1];
        Tensor ref = central.evaluate(g, 1e-12, 20_000).output();
        assertThat(dist.evaluateReplaced(g, 1e-12, 20_000, 7).output().maxAbsDiff(ref)).isLessThan(1e-10);
        assertThat(central.evaluateReplaced(g, 1e-12, 20_000, 7).output().maxAbsDiff(ref)).isZero();
        jitter(dist.params(), 13);   // every copy moves by its own U(-0.1, 0.1) draws
        dist.model().project(dist.params());
        Tensor trained = dist.evaluate(g, 1e-12, 20_000).output();
        Tensor replaced = dist.evaluateReplaced(g, 1e-12, 20_000, 7).output();
        assertThat(replaced.maxAbsDiff(trained)).isGreaterThan(1e-3);
        assertThat(dist.evaluateReplaced(g, 1e-12, 20_000, 7).output().maxAbsDiff(replaced)).isZero();
        assertThat(dist.evaluateReplaced(g, 1e-12, 20_000, 8).output().maxAbsDiff(replaced)).isGreaterThan(1e-3);
        assertThat(dist.evaluate(g, 1e-12, 20_000).output().maxAbsDiff(trained)).isZero();
    }

    /** Shuffled placement moves nodes between devices, not the computation: tied copies still give the centralized gradient. */
    @Test
    void shuffledPlacementKeepsTheCentralizedGradientWithTiedCopies() {
        List<GraphSample> g = count().pool().subList(3, 12);
        DistributedImplicit[] pair = tiedPair(g, DistributedImplicit.Placement.SHUFFLED);
        DistributedImplicit central = pair[0], dist = pair[1];
        Params gc = central.params().emptyLike(), gd = dist.params().emptyLike();
        assertThat(dist.lossAndGradient(g, gd)).isCloseTo(central.lossAndGradient(g, gc), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(sumError(gc, gd, dist.devices())).isLessThan(1e-8);
        // the chains' union over shuffled devices is no longer the path
        assertThat(dist.consensusGraph().directedEdgeCount()).isGreaterThan(central.consensusGraph().directedEdgeCount());
    }
    /** IGNN on {@code g} with per-device copies and {@link DistributedImplicit.Placement#REDRAWN}, from {@code seed} and {@code initSeed}. */
    static DistributedImplicit redrawn(List<GraphSample> g, int batch, long seed, long initSeed) {
        HogwildTask t = count();
        return new DistributedImplicit(Ignn.paper(t.nodeFeatures(), 1), t.objective().fitTo(g), DAmsGrad.trackerFirst(0.01),
                DistributedImplicit.Method.DISTRIBUTED, g, 0, batch, 1e-10, 20_000, seed, initSeed, io.mycelium.tensor.Init.Affine.GLOROT_ZERO,
                DistributedImplicit.Placement.REDRAWN);
    }

    /** Σ_i of the device gradients against the tied gradient: the largest entry-wise difference. */
    static double sumError(Params tied, Params devices, int n) {
        double err = 0;
        for (String name : tied.names()) {
            double[] c = tied.get(name).data(), d = devices.get(name).data();
            for (int k = 0; k < c.length; k++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += d[i * c.length + k];
                err = Math.max(err, Math.abs(s - c[k]));
            }
        }
        return err;
    }

    /** Redrawing the devices every epoch moves nodes, not the computation: tied copies give the centralized gradient on every epoch's placement. */
    @Test
    void redrawnPlacementKeepsTheCentralizedGradientWithTiedCopies() {
        List<GraphSample> g = count().pool().subList(3, 12);
        DistributedImplicit[] pair = tiedPair(g, DistributedImplicit.Placement.REDRAWN);
        DistributedImplicit central = pair[0], dist = pair[1];
        int[] before = dist.placement(g.get(8));
        for (int round = 0; round < 2; round++) {
            tie(central, dist, 11 + round);
            Params gc = central.params().emptyLike(), gd = dist.params().emptyLike();
            assertThat(dist.lossAndGradient(g, gd)).isCloseTo(central.lossAndGradient(g, gc), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(sumError(gc, gd, dist.devices())).as("epoch placement %d", round).isLessThan(1e-8);
            dist.epoch();   // the first epoch trains on the placement above; the second draws anew
            dist.epoch();
        }
        assertThat(dist.placement(g.get(8))).as("the 12-node chain moved").isNotEqualTo(before);
    }

    /**
     * REDRAWN: every epoch each training graph's nodes sit on distinct devices, drawn anew (the
     * placement changes between epochs) and the same for the same seed whatever the initialization
     * (a restart keeps them); a step's consensus graph is exactly its batch's union on that epoch's
     * devices (linked by the path over the device ids where it falls apart); graphs not trained on keep
     * one placement; the same seed gives the same bits.
     */
    @Test
    void redrawnPlacementIsFreshEveryEpochDistinctAndSeeded() {
        List<GraphSample> pool = count().pool(), train = pool.subList(2, 10);
        int largest = train.stream().mapToInt(GraphSample::n).max().orElseThrow();
        GraphSample other = java.util.stream.Stream.concat(pool.subList(0, 2).stream(), pool.subList(10, pool.size()).stream())
                .filter(x -> x.n() <= largest).findFirst().orElseThrow();
        DistributedImplicit a = redrawn(train, train.size(), 5, 5), b = redrawn(train, train.size(), 5, 5), restarted = redrawn(train, train.size(), 5, 99);
        int n = a.devices();
        int[][] last = null;
        int[] otherAt = a.placement(other);
        java.util.Set<Long> lastEdges = null;
        for (int e = 0; e < 4; e++) {
            a.epoch();
            b.epoch();
            restarted.epoch();
            int[][] now = new int[train.size()][];
            java.util.Set<Long> pairs = new java.util.TreeSet<>();
            for (int q = 0; q < train.size(); q++) {
                now[q] = a.placement(train.get(q));
                assertThat(java.util.Arrays.stream(now[q]).distinct().count()).as("distinct devices").isEqualTo(train.get(q).n());
                assertThat(java.util.Arrays.stream(now[q]).allMatch(d -> d >= 0 && d < n)).as("devices 0..n-1").isTrue();
                assertThat(restarted.placement(train.get(q))).as("a restart keeps the epoch's placement").isEqualTo(now[q]);
                io.mycelium.graph.Graph gq = train.get(q).graph();
                for (int i = 0; i < gq.n(); i++)
                    for (int p = gq.offsets()[i]; p < gq.offsets()[i + 1]; p++) {
                        int u = now[q][i], v = now[q][gq.neighbours()[p]];
                        pairs.add((long) Math.min(u, v) * n + Math.max(u, v));
                    }
            }
            int[] x = new int[pairs.size()], y = new int[pairs.size()];
            int k = 0;
            for (long p : pairs) {
                x[k] = (int) (p / n);
                y[k++] = (int) (p % n);
            }
            if (!io.mycelium.graph.Graph.fromEdges(n, x, y).isConnected()) for (int i = 0; i + 1 < n; i++) pairs.add((long) i * n + i + 1);
            io.mycelium.graph.Graph c = a.consensusGraph();
            assertThat(c.edgeCount()).isEqualTo(pairs.size());
            for (long p : pairs) assertThat(c.hasEdge((int) (p / n), (int) (p % n))).isTrue();
            if (last != null) {
                int moved = 0;
                for (int q = 0; q < now.length; q++) if (!java.util.Arrays.equals(now[q], last[q])) moved++;
                assertThat(moved).as("graphs on new devices, epoch %d", e).isGreaterThanOrEqualTo(now.length - 1);
                assertThat(pairs).as("the consensus graph changes").isNotEqualTo(lastEdges);
            }
            last = now;
            lastEdges = pairs;
            assertThat(a.placement(other)).as("a graph not trained on keeps its devices").isEqualTo(otherAt);
        }
        for (String name : a.params().names())
            assertThat(b.params().get(name).data()).as(name).isEqualTo(a.params().get(name).data());
        assertThat(a.disagreement().max()).as("the copies trained apart").isGreaterThan(0);
    }

    @Test
    void repeatedConsensusRoundsAreCounted() {
        HogwildTask t = count();
        DistributedImplicit dist = ignnAmsGrad(t, t.pool(), DistributedImplicit.Method.DISTRIBUTED).consensusRounds(3);
        DistributedImplicit.EpochStats e = dist.epoch();
        assertThat(e.consensusRounds()).isEqualTo(3L * e.batches());
        assertThat(e.consensusFloats()).isEqualTo(3L * e.batches() * 2 * dist.devices() * dist.params().count());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dist.consensusRounds(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
