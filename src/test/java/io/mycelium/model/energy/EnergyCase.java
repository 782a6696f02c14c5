package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.model.GraphInput;
import io.mycelium.model.TestGraphs;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A random energy-GNN test case: a connected random graph, node features, symmetric edge features
 * (e_ij = e_ji, one value per undirected edge, as distances are) and projected random parameters.
 */
record EnergyCase(Graph g, EnergyGnn model, Params params, Tensor x, Tensor e) {

    static final EnergyGnn.Variant[] VARIANTS = EnergyGnn.Variant.values();

    static EnergyCase random(long seed, EnergyGnn.Variant v) { return random(seed, v, EnergyGnn.Config.paper(v)); }

    static EnergyCase random(long seed, EnergyGnn.Variant v, EnergyGnn.Config cfg) {
        UniformRandomProvider rng = Init.rng(seed * 31 + v.ordinal());
        int n = 4 + rng.nextInt(8);
        Graph g = TestGraphs.connected(n, 0.25, rng);
        int p = 1 + rng.nextInt(3), r = 1 + rng.nextInt(2);
        EnergyGnn model = new EnergyGnn(v, p, r, 1 + rng.nextInt(2), cfg);
        Params params = new Params();
        model.init(params, rng);
        // move every weight off its initial value (and some below zero) so projection matters
        for (Tensor t : params.asMap().values()) for (int q = 0; q < t.size(); q++) t.data()[q] += 0.3 * (rng.nextDouble() - 0.5);
        model.project(params);
        Tensor x = Init.normal(rng, 0, 1, n, p);
        Tensor e = Tensor.zeros(g.directedEdgeCount(), r);
        int[] off = g.offsets(), nb = g.neighbours();
        for (int i = 0; i < n; i++)
            for (int q = off[i]; q < off[i + 1]; q++) {
                int j = nb[q];
                if (j < i) continue;
                int back = g.edgeIndex(j, i);
                for (int c = 0; c < r; c++) {
                    double val = rng.nextDouble();
                    e.data()[q * r + c] = val;
                    e.data()[back * r + c] = val;
                }
            }
        return new EnergyCase(g, model, params, x, e);
    }

    int n() { return g.n(); }

    /** This host's rows of the inputs, recorded on t. */
    GraphInput input(Tape t, Host h) { return new GraphInput(t.constant(h.rows(x)), t.constant(h.edgeRows(e))); }
}
