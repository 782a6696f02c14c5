package io.mycelium.graph;

/**
 * A weighted local operator on a graph: {@code (S x)_i = self[i] x_i + sum_{j in N(i)} S_ij x_j}.
 *
 * <p>Shift operators (adjacency, Laplacians) and consensus weights are operators: applying one is
 * exactly one round of message passing. {@code weights} is aligned with the graph's CSR arrays:
 * {@code weights[p]} is S_ij for the edge at CSR position p in row i.
 */
public record Operator(String name, Graph graph, double[] self, double[] weights, boolean symmetric) {

    public Operator {
        if (self.length != graph.n()) throw new IllegalArgumentException("self weights need one value per node");
        if (weights.length != graph.directedEdgeCount())
            throw new IllegalArgumentException("edge weights need one value per directed edge");
    }

    /** Builds an operator and determines whether S_ij == S_ji for every edge. */
    public static Operator of(String name, Graph g, double[] self, double[] weights) {
        int[] rev = g.reverseEdges();
        boolean sym = true;
        for (int p = 0; p < weights.length && sym; p++) sym = weights[p] == weights[rev[p]];
        return new Operator(name, g, self, weights, sym);
    }

    /** Weight S_ij (self weight when i == j, 0 when not adjacent). */
    public double weight(int i, int j) {
        if (i == j) return self[i];
        int p = graph.edgeIndex(i, j);
        return p < 0 ? 0 : weights[p];
    }

    /** Dense copy, for tests and small graphs. */
    public double[][] toDense() {
        int n = graph.n();
        double[][] d = new double[n][n];
        int[] off = graph.offsets(), nb = graph.neighbours();
        for (int i = 0; i < n; i++) {
            d[i][i] = self[i];
            for (int p = off[i]; p < off[i + 1]; p++) d[i][nb[p]] = weights[p];
        }
        return d;
    }
}
