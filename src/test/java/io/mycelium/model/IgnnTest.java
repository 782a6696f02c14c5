package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** IGNN's projection really bounds ‖W‖, the bound makes the step contractive, and GSDGNN's step contracts. */
class IgnnTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void projectionBoundsTheNormAndIsTheNearestPoint(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int k = 1 + r.nextInt(6);
        Ignn m = new Ignn(2, k, new int[] {3}, new int[] {3}, 1, Activation.RELU, 0.5 + 0.45 * r.nextDouble(),
                ShiftOperator.RENORMALIZED_ADJACENCY, 0.5 + r.nextDouble());
        int copies = 1 + r.nextInt(3);
        Params p = copies == 1 ? new Params() : Params.untied();
        Tensor w = Init.normal(r, 0, 3, copies, k, k);
        Tensor before = w.copy();
        p.add(Ignn.W, w);
        m.project(p);
        for (int c = 0; c < copies; c++) assertThat(Ignn.colNorm(w, c)).isLessThanOrEqualTo(m.radius() * (1 + 1e-12));
        // columns that were outside end exactly on the sphere; nearest point: no random point in the ball is closer
        for (int c = 0; c < copies; c++)
            for (int j = 0; j < k; j++) {
                double[] v = new double[k], pv = new double[k];
                double norm0 = 0, norm1 = 0;
                for (int q = 0; q < k; q++) {
                    v[q] = before.get(c, q, j);
                    pv[q] = w.get(c, q, j);
                    norm0 += Math.abs(v[q]);
                    norm1 += Math.abs(pv[q]);
                }
                if (norm0 > m.radius()) assertThat(norm1).isCloseTo(m.radius(), org.assertj.core.data.Offset.offset(1e-9));
                else assertThat(pv).containsExactly(v);
                double best = dist(v, pv);
                for (int trial = 0; trial < 200; trial++) {
                    double[] q = new double[k];
                    double s = 0;
                    for (int a = 0; a < k; a++) { q[a] = r.nextDouble() * 2 - 1; s += Math.abs(q[a]); }
                    double scale = m.radius() * r.nextDouble() / s;
                    for (int a = 0; a < k; a++) q[a] *= scale;
                    assertThat(dist(v, q)).isGreaterThanOrEqualTo(best - 1e-12);
                }
            }
        Params again = p.copy();
        m.project(again);
        assertThat(again.maxAbsDiff(p)).as("projection is idempotent").isLessThanOrEqualTo(1e-15);
    }

    static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void lambdaOfTheRenormalizedAdjacencyIsOne(long seed) {
        Graph g = io.mycelium.TestGraphs.connected(5 + (int) (seed % 7) * 5, 0.1, seed);
        double l = Ignn.lambdaBound(ShiftOperator.RENORMALIZED_ADJACENCY.of(g), 500);
        assertThat(l).isBetween(1 - 1e-9, 1 + 1e-9);
        // for the plain adjacency it is the largest eigenvalue, at least the average degree
        double la = Ignn.lambdaBound(ShiftOperator.ADJACENCY.of(g), 2000);
        assertThat(la).isGreaterThanOrEqualTo(2.0 * g.edgeCount() / g.n() - 1e-9);
    }

    /** ‖F(H) − F(H')‖_v ≤ κ ‖H − H'‖_v in the block-maximum norm weighted by v = √(d+1). */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26})
    void projectedStepContractsInTheWeightedBlockMaxNorm(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = io.mycelium.TestGraphs.connected(6 + r.nextInt(15), 0.25, seed);
        int k = 2 + r.nextInt(3);
        Ignn m = new Ignn(2, k, new int[] {4}, new int[] {2}, 1, Activation.TANH, 0.9, ShiftOperator.RENORMALIZED_ADJACENCY, 1.0);
        Params p = new Params();
        m.init(p, r);
        Tensor w = p.get(Ignn.W);
        for (int i = 0; i < w.size(); i++) w.data()[i] = 5 * (r.nextDouble() - 0.5);
        m.project(p);
        GsdGnn gsd = GsdGnn.paper(2, 1);
        Params pg = new Params();
        gsd.init(pg, r);
        Tensor x = Init.normal(r, 0, 1, g.n(), 2);
        double[] v = new double[g.n()];
        for (int i = 0; i < v.length; i++) v[i] = Math.sqrt(g.degree(i) + 1);
        for (int trial = 0; trial < 20; trial++) {
            Tensor a = Init.normal(r, 0, 2, g.n(), k), b = Init.normal(r, 0, 2, g.n(), k);
            double ratio = norm(sub(apply(g, p, m, a, x), apply(g, p, m, b, x)), v) / norm(sub(a, b), v);
            assertThat(ratio).isLessThanOrEqualTo(m.kappa() + 1e-12);
            Tensor a2 = Init.normal(r, 0, 2, g.n(), 2), b2 = Init.normal(r, 0, 2, g.n(), 2);
            double ratio2 = norm(sub(apply(g, pg, gsd, a2, x), apply(g, pg, gsd, b2, x)), v) / norm(sub(a2, b2), v);
            assertThat(ratio2).isLessThanOrEqualTo(gsd.contraction() + 1e-12);
        }
    }

    static Tensor apply(Graph g, Params p, ImplicitModel m, Tensor h, Tensor x) {
        Host host = Engine.synchronous(g, p).hosts().getFirst();
        Tape t = host.tape();
        Var out = m.step(t, t.constant(h), GraphInput.of(t.constant(x)));
        return out.value().copy();
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor o = a.copy();
        for (int i = 0; i < o.size(); i++) o.data()[i] -= b.data()[i];
        return o;
    }

    static double norm(Tensor t, double[] v) {
        int w = t.rowSize();
        double m = 0;
        for (int i = 0; i < t.rows(); i++) for (int c = 0; c < w; c++) m = Math.max(m, Math.abs(t.data()[i * w + c]) / v[i]);
        return m;
    }
}
