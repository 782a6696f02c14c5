package io.mycelium.model;

import io.mycelium.graph.Graph;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/** Small random graphs for tests: a random spanning tree (so they are connected) plus random chords. */
public final class TestGraphs {
    private TestGraphs() {}

    public static Graph connected(int n, double extraEdgeProb, UniformRandomProvider rng) {
        List<int[]> e = new ArrayList<>();
        for (int v = 1; v < n; v++) e.add(new int[] {rng.nextInt(v), v});
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) if (rng.nextDouble() < extraEdgeProb) e.add(new int[] {a, b});
        int[] u = new int[e.size()], v = new int[e.size()];
        for (int k = 0; k < u.length; k++) { u[k] = e.get(k)[0]; v[k] = e.get(k)[1]; }
        return Graph.fromEdges(n, u, v);
    }
}
