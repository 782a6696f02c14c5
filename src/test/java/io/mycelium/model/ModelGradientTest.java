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
