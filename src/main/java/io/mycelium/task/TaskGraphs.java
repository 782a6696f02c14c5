package io.mycelium.task;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Graph;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/** Random graphs the tasks draw. */
public final class TaskGraphs {
    private TaskGraphs() {}

    /**
     * Barabási–Albert preferential attachment: a star on m+1 nodes, then every new node links to m
     * distinct earlier nodes drawn with probability proportional to their degree.
     */
    public static Graph barabasiAlbert(int n, int m, long seed) {
        if (m < 1 || n <= m) throw new IllegalArgumentException("Barabási–Albert needs 1 <= m < n, got n=" + n + " m=" + m);
        UniformRandomProvider rng = Init.rng(seed);
        int edges = m + (n - m - 1) * m;
        int[] u = new int[edges], v = new int[edges];
        int[] ends = new int[2 * edges]; // every edge end once: drawing from it is drawing ∝ degree
        int e = 0, filled = 0;
        for (int j = 1; j <= m; j++) {
            u[e] = 0;
            v[e++] = j;
            ends[filled++] = 0;
            ends[filled++] = j;
        }
        int[] chosen = new int[m];
        for (int node = m + 1; node < n; node++) {
            int c = 0;
            while (c < m) {
                int t = ends[rng.nextInt(filled)];
                boolean dup = false;
                for (int q = 0; q < c; q++) dup |= chosen[q] == t;
                if (!dup) chosen[c++] = t;
            }
            for (int q = 0; q < m; q++) {
                u[e] = chosen[q];
                v[e++] = node;
                ends[filled++] = chosen[q];
                ends[filled++] = node;
            }
            Arrays.fill(chosen, -1);
        }
        return Graph.fromEdges(n, u, v);
    }
}
