package io.mycelium.model;

import io.mycelium.autodiff.GradCheck;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * Finite-difference checks (relative error ≤ 1e-6) of every model's forward / step / readout with
 * respect to all its parameters and its inputs, on seeded random graphs and sizes.
 */
class ModelGradientTest {
    static final double TOL = 1e-6;

    static Graph graph(UniformRandomProvider r, long seed) { return io.mycelium.TestGraphs.connected(4 + r.nextInt(6), 0.3, seed); }

    /** Perturbs a tied parameter set away from its (e.g. zero-bias) initialisation so every term matters. */
    static void jiggle(Params p, UniformRandomProvider r) {
        for (Tensor t : p.asMap().values()) for (int i = 0; i < t.size(); i++) t.data()[i] += 0.2 * (r.nextDouble() - 0.5);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void gcn(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = graph(r, seed);
        int in = 1 + r.nextInt(3);
        Gcn m = new Gcn(in, 3, 3, new int[] {3}, 2, io.mycelium.graph.ShiftOperator.RENORMALIZED_ADJACENCY);
        Params p = new Params();
        m.init(p, r);
        jiggle(p, r);
        Tensor x = Init.normal(r, 0, 1, g.n(), in);
        GradCheck.check(g, p, List.of(x), (t, v) -> m.forward(t, v.get(0)), r, TOL);
    }

    /** Kipf and Welling's layer form, σ(S X Θ1) without the self weight Θ0, on the renormalized adjacency. */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25})
    void gcnnWithoutSelfWeight(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = graph(r, seed);
        int in = 1 + r.nextInt(3);
        Gcnn m = new Gcnn(io.mycelium.graph.ShiftOperator.RENORMALIZED_ADJACENCY.of(g), new int[] {in, 3, 2},
                new Activation[] {Activation.TANH, Activation.SIGMOID}, Gcnn.GLOROT, false);
        Params p = new Params();
        m.init(p, r);
        jiggle(p, r);
        org.assertj.core.api.Assertions.assertThat(p.names()).containsExactly("l0.theta1", "l1.theta1");
        org.assertj.core.api.Assertions.assertThat(m.gcnnForm()).as("no fused pass for this form").isNull();
        Tensor x = Init.normal(r, 0, 1, g.n(), in);
        GradCheck.check(g, p, List.of(x), (t, v) -> m.forward(t, v.get(0)), r, TOL);

        // the forward is σ1(Â σ0(Â X W0) W1), written out with a dense Â = D~^-1/2 (A + I) D~^-1/2
        int n = g.n();
        double[][] a = new double[n][n];
        double[] deg = new double[n];
        for (int i = 0; i < n; i++) {
            a[i][i] = 1;
            for (int j = 0; j < n; j++) if (g.hasEdge(i, j)) a[i][j] = 1;
            for (int j = 0; j < n; j++) deg[i] += a[i][j];
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] /= Math.sqrt(deg[i] * deg[j]);
        double[][] h = new double[n][];
        for (int i = 0; i < n; i++) h[i] = java.util.Arrays.copyOfRange(x.data(), i * in, (i + 1) * in);
        int[] w = {in, 3, 2};
        for (int l = 0; l < 2; l++) {
            double[] theta = p.get("l" + l + ".theta1").data();
            double[][] next = new double[n][w[l + 1]];
            for (int i = 0; i < n; i++)
                for (int o = 0; o < w[l + 1]; o++) {
                    double z = 0;
                    for (int j = 0; j < n; j++) for (int k = 0; k < w[l]; k++) z += a[i][j] * h[j][k] * theta[k * w[l + 1] + o];
                    next[i][o] = l == 0 ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
                }
            h = next;
        }
        io.mycelium.engine.Host host = io.mycelium.engine.Engine.synchronous(g, p).hosts().getFirst();
        io.mycelium.autodiff.Tape t = host.tape();
        double[] got = m.forward(t, t.constant(host.rows(x))).value().data();
        for (int i = 0; i < n; i++)
            for (int o = 0; o < 2; o++)
                org.assertj.core.api.Assertions.assertThat(got[i * 2 + o]).isCloseTo(h[i][o], org.assertj.core.api.Assertions.within(1e-12));
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void gat(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = graph(r, seed);
        int in = 1 + r.nextInt(3);
        Gat m = new Gat(in, 2, 1 + r.nextInt(3), 2, new int[] {3}, 2);
        Params p = new Params();
        m.init(p, r);
        jiggle(p, r);
        Tensor x = Init.normal(r, 0, 1, g.n(), in);
        GradCheck.check(g, p, List.of(x), (t, v) -> m.forward(t, v.get(0)), r, TOL);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25})
    void ignnStepAndReadout(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = graph(r, seed);
        int in = 1 + r.nextInt(3), k = 1 + r.nextInt(3);
        Ignn m = new Ignn(in, k, new int[] {4}, new int[] {3}, 2, seed % 2 == 0 ? Activation.RELU : Activation.TANH, 0.9,
                io.mycelium.graph.ShiftOperator.RENORMALIZED_ADJACENCY, 1.0);
        Params p = new Params();
        m.init(p, r);
        jiggle(p, r);
        Tensor h = Init.normal(r, 0, 1, g.n(), k), x = Init.normal(r, 0, 1, g.n(), in);
        GradCheck.check(g, p, List.of(h, x), (t, v) -> m.step(t, v.get(0), GraphInput.of(v.get(1))), r, TOL);
        GradCheck.check(g, p, List.of(h, x), (t, v) -> m.readout(t, m.step(t, v.get(0), GraphInput.of(v.get(1))), GraphInput.of(v.get(1))), r, TOL);
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35})
    void gsdStepAndReadout(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = graph(r, seed);
        int in = 1 + r.nextInt(3), k = 1 + r.nextInt(3);
        GsdGnn m = new GsdGnn(in, k, new int[] {4, 3}, new int[] {3}, 1 + r.nextInt(2), 1.0, 5.0);
        Params p = new Params();
        m.init(p, r);
        jiggle(p, r);
        Tensor h = Init.normal(r, 0, 1, g.n(), k), x = Init.normal(r, 0, 1, g.n(), in);
        GradCheck.check(g, p, List.of(h, x), (t, v) -> m.readout(t, m.step(t, v.get(0), GraphInput.of(v.get(1))), GraphInput.of(v.get(1))), r, TOL);
    }
}
