package io.mycelium.graph;

import io.mycelium.tensor.Init;
import org.apache.commons.rng.UniformRandomProvider;

/** Seeded random graphs and dense reference matrices built independently of the generators under test. */
final class TestGraphs {
    private TestGraphs() {}

    /** Each pair with probability p; may be disconnected and have isolated nodes. */
    static Graph random(int n, double p, long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        EdgeBuffer e = new EdgeBuffer(16);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.nextDouble() < p) e.add(i, j);
        return Graph.fromEdges(n, e.u(), e.v());
    }

    /** A random spanning tree (each node joins a uniformly chosen earlier one) plus extra random edges. */
    static Graph connected(int n, int extra, long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        EdgeBuffer e = new EdgeBuffer(16);
        for (int i = 1; i < n; i++) e.add(i, rng.nextInt(i));
        for (int k = 0; k < extra; k++) {
            int a = rng.nextInt(n), b = rng.nextInt(n);
            if (a != b) e.add(a, b);
        }
        return Graph.fromEdges(n, e.u(), e.v());
    }

    static double[][] adjacency(Graph g) {
        int n = g.n();
        double[][] a = new double[n][n];
        int[] off = g.offsets(), nb = g.neighbours();
        for (int i = 0; i < n; i++)
            for (int p = off[i]; p < off[i + 1]; p++) a[i][nb[p]] = 1;
        return a;
    }

    static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length, k = y.length, m = y[0].length;
        double[][] r = new double[n][m];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < k; t++)
                for (int j = 0; j < m; j++) r[i][j] += x[i][t] * y[t][j];
        return r;
    }

    static double[][] diagonal(double[] d) {
        double[][] r = new double[d.length][d.length];
        for (int i = 0; i < d.length; i++) r[i][i] = d[i];
        return r;
    }

    static double[][] identity(int n) {
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1);
        return diagonal(ones);
    }

    static double[][] add(double[][] x, double[][] y, double ySign) {
        double[][] r = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++)
            for (int j = 0; j < x[0].length; j++) r[i][j] = x[i][j] + ySign * y[i][j];
        return r;
    }
}
