package io.mycelium.graph;

import java.util.Arrays;

/**
 * An undirected simple graph on nodes {@code 0..n-1}, stored as CSR adjacency.
 *
 * <p>Neighbour lists are sorted, so the CSR position of an edge is its identity: per-edge values
 * (operator weights, edge features) are arrays aligned with {@link #neighbours()}. Each undirected
 * edge {i,j} appears twice, once in the row of i and once in the row of j. Instances are immutable;
 * the raw arrays are exposed for tight loops and must not be written.
 *
 * <p>A graph may carry positive edge weights (from a weighted edge list); the shift operators then
 * use them as the entries of A and the weighted degrees. Without weights every edge weighs 1.
 */
public final class Graph {
    /** The most nodes a graph read from a file or made by a generator may have (one JVM simulates them all). */
    public static final int MAX_NODES = 10_000_000;

    private final int n;
    private final int[] offsets;
    private final int[] neighbours;
    private final double[] weights;   // aligned with neighbours; null: every edge weighs 1

    private Graph(int n, int[] offsets, int[] neighbours, double[] weights) {
        this.n = n;
        this.offsets = offsets;
        this.neighbours = neighbours;
        this.weights = weights;
    }

    /**
     * Builds a graph from undirected edges {@code (u[k], v[k])}. Duplicate edges are merged.
     *
     * @throws IllegalArgumentException for an empty graph, an id out of range, or a self-loop
     */
    public static Graph fromEdges(int n, int[] u, int[] v) { return fromEdges(n, u, v, null); }

    /**
     * Builds a graph from undirected edges {@code (u[k], v[k])} of weight {@code weight[k]} (positive and
     * finite; {@code weight == null}: unweighted). An edge given twice is merged if both weights agree.
     *
     * @throws IllegalArgumentException as {@link #fromEdges(int, int[], int[])}, for a weight that is not
     *                                  positive and finite, or for one edge given with two weights
     */
    public static Graph fromEdges(int n, int[] u, int[] v, double[] weight) {
        if (n <= 0) throw new IllegalArgumentException("a graph needs at least one node, got n=" + n);
        if (u.length != v.length || (weight != null && weight.length != u.length)) throw new IllegalArgumentException("edge arrays differ in length");
        if (weight != null) return weighted(n, u, v, weight);
        int[] deg = new int[n];
        for (int k = 0; k < u.length; k++) {
            checkEdge(n, u[k], v[k], k);
            deg[u[k]]++;
            deg[v[k]]++;
        }
        int[] off = new int[n + 1];
        for (int i = 0; i < n; i++) off[i + 1] = off[i] + deg[i];
        int[] fill = Arrays.copyOf(off, n);
        int[] nb = new int[off[n]];
        for (int k = 0; k < u.length; k++) {
            nb[fill[u[k]]++] = v[k];
            nb[fill[v[k]]++] = u[k];
        }
        // Sort each row and drop duplicates, compacting in place.
        int[] newOff = new int[n + 1];
        int w = 0;
        for (int i = 0; i < n; i++) {
            Arrays.sort(nb, off[i], off[i + 1]);
            int start = w;
            for (int p = off[i]; p < off[i + 1]; p++) {
                if (w > start && nb[w - 1] == nb[p]) continue;
                nb[w++] = nb[p];
            }
            newOff[i + 1] = w;
        }
        return new Graph(n, newOff, w == nb.length ? nb : Arrays.copyOf(nb, w), null);
    }

    private static Graph weighted(int n, int[] u, int[] v, double[] wt) {
        int[] deg = new int[n];
        for (int k = 0; k < u.length; k++) {
            checkEdge(n, u[k], v[k], k);
            if (!(wt[k] > 0) || wt[k] == Double.POSITIVE_INFINITY)
                throw new IllegalArgumentException("edge " + k + " (" + u[k] + ", " + v[k] + ") has weight " + wt[k] + "; weights must be positive and finite");
            deg[u[k]]++;
            deg[v[k]]++;
        }
        int[] off = new int[n + 1];
        for (int i = 0; i < n; i++) off[i + 1] = off[i] + deg[i];
        int[] fill = Arrays.copyOf(off, n);
        long[] slot = new long[off[n]];   // neighbour << 32 | edge index: sorting a row sorts both
        for (int k = 0; k < u.length; k++) {
            slot[fill[u[k]]++] = (long) v[k] << 32 | k;
            slot[fill[v[k]]++] = (long) u[k] << 32 | k;
        }
        int[] nb = new int[slot.length], newOff = new int[n + 1];
        double[] ws = new double[slot.length];
        int w = 0;
        for (int i = 0; i < n; i++) {
            Arrays.sort(slot, off[i], off[i + 1]);
            int start = w;
            for (int p = off[i]; p < off[i + 1]; p++) {
                int j = (int) (slot[p] >>> 32), k = (int) slot[p];
                if (w > start && nb[w - 1] == j) {
                    if (ws[w - 1] != wt[k])
                        throw new IllegalArgumentException("edge (" + Math.min(i, j) + ", " + Math.max(i, j) + ") is given twice, with weights " + ws[w - 1] + " and " + wt[k]);
                    continue;
                }
                nb[w] = j;
                ws[w++] = wt[k];
            }
            newOff[i + 1] = w;
        }
        return new Graph(n, newOff, Arrays.copyOf(nb, w), Arrays.copyOf(ws, w));
    }

    private static void checkEdge(int n, int a, int b, int k) {
        if (a < 0 || a >= n || b < 0 || b >= n)
            throw new IllegalArgumentException("edge " + k + " (" + a + ", " + b + ") has a node id outside 0.." + (n - 1));
        if (a == b) throw new IllegalArgumentException("edge " + k + " is a self-loop on node " + a);
    }

    public int n() { return n; }

    /** Number of undirected edges. */
    public int edgeCount() { return neighbours.length / 2; }

    /** Number of directed edges (twice the undirected count): the length of per-edge arrays. */
    public int directedEdgeCount() { return neighbours.length; }

    public int degree(int i) { return offsets[i + 1] - offsets[i]; }

    /** Whether the edges carry weights (else every edge weighs 1). */
    public boolean isWeighted() { return weights != null; }

    /** The weight of the edge at CSR position p (1 in an unweighted graph). */
    public double weight(int p) { return weights == null ? 1 : weights[p]; }

    /** Σ_j w_ij over i's edges: the degree in an unweighted graph. */
    public double weightedDegree(int i) {
        if (weights == null) return degree(i);
        double d = 0;
        for (int p = offsets[i]; p < offsets[i + 1]; p++) d += weights[p];
        return d;
    }

    public int maxDegree() {
        int m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, degree(i));
        return m;
    }

    /** CSR row offsets, length n+1. Do not modify. */
    public int[] offsets() { return offsets; }

    /** CSR column indices (sorted within each row). Do not modify. */
    public int[] neighbours() { return neighbours; }

    /** CSR position of directed edge (i, j), or -1 when i and j are not adjacent. */
    public int edgeIndex(int i, int j) {
        int p = Arrays.binarySearch(neighbours, offsets[i], offsets[i + 1], j);
        return p >= 0 ? p : -1;
    }

    public boolean hasEdge(int i, int j) { return edgeIndex(i, j) >= 0; }

    /** For every CSR position of (i, j), the CSR position of the reverse edge (j, i). */
    public int[] reverseEdges() {
        int[] rev = new int[neighbours.length];
        for (int i = 0; i < n; i++)
            for (int p = offsets[i]; p < offsets[i + 1]; p++) rev[p] = edgeIndex(neighbours[p], i);
        return rev;
    }

    /** Whether every node can reach every other (breadth-first search from node 0). */
    public boolean isConnected() {
        boolean[] seen = new boolean[n];
        int[] queue = new int[n];
        int head = 0, tail = 0;
        queue[tail++] = 0;
        seen[0] = true;
        while (head < tail) {
            int i = queue[head++];
            for (int p = offsets[i]; p < offsets[i + 1]; p++) {
                int j = neighbours[p];
                if (!seen[j]) { seen[j] = true; queue[tail++] = j; }
            }
        }
        return tail == n;
    }

    @Override
    public String toString() { return "Graph(n=" + n + ", edges=" + edgeCount() + (weights == null ? "" : ", weighted") + ")"; }
}
