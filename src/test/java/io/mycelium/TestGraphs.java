package io.mycelium;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/** Seeded random graphs and tensors for property tests. */
public final class TestGraphs {
    private TestGraphs() {}

    /** A connected random graph: a random spanning tree plus extra random edges. */
    public static Graph connected(int n, double extraEdgeProb, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int[] u = new int[n * n], v = new int[n * n];
        int m = 0;
        for (int i = 1; i < n; i++) { u[m] = i; v[m++] = r.nextInt(i); }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (r.nextDouble() < extraEdgeProb) { u[m] = i; v[m++] = j; }
        return Graph.fromEdges(n, java.util.Arrays.copyOf(u, m), java.util.Arrays.copyOf(v, m));
    }

    /** A random operator with independent (so generally asymmetric) weights. */
    public static Operator asymmetric(Graph g, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        double[] self = new double[g.n()], w = new double[g.directedEdgeCount()];
        for (int i = 0; i < self.length; i++) self[i] = r.nextDouble() - 0.5;
        for (int e = 0; e < w.length; e++) w[e] = r.nextDouble() - 0.5;
        return Operator.of("random", g, self, w);
    }

    public static Tensor randn(UniformRandomProvider r, int... shape) { return Init.normal(r, 0, 1, shape); }

    /** Random partition assignment with every part used. */
    public static int[] randomParts(int n, int parts, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i < parts ? i : r.nextInt(parts);
        return p;
    }
}
