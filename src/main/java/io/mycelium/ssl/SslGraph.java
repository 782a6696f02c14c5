package io.mycelium.ssl;

import io.mycelium.graph.Graph;
import io.mycelium.task.Planetoid;

/**
 * What layer-wise SSL trains on: an undirected graph and one input vector per node ({@code n × inputDim},
 * row-major). Build one from any {@link Graph} with {@link #of}; {@link #planetoid} prepares a
 * Planetoid dataset the way the reproduction does.
 */
public record SslGraph(Graph graph, double[] inputs, int inputDim) {
    public SslGraph {
        if (inputDim < 1) throw new IllegalArgumentException("input dimension must be at least 1, got " + inputDim);
        if (inputs.length != (long) graph.n() * inputDim)
            throw new IllegalArgumentException("inputs hold " + inputs.length + " values, expected " + graph.n() + " × " + inputDim);
        for (double x : inputs) if (!Double.isFinite(x)) throw new IllegalArgumentException("inputs must be finite");
    }

    public static SslGraph of(Graph graph, double[] inputs, int inputDim) { return new SslGraph(graph, inputs, inputDim); }

    public int n() { return graph.n(); }

    /**
     * The bag-of-words features, as the files hold them or row-normalized ({@code rowNormalize}, DGI's
     * preprocessing), projected to {@code dim} dimensions by a fixed random ±1/√dim matrix drawn from
     * {@code seed}. Every node can apply the projection locally from the shared seed; it keeps the per-node
     * parameter copies of the first layer small (dim × width instead of features × width). {@code dim ≤ 0}
     * keeps the features as they are.
     */
    public static SslGraph planetoid(Planetoid p, boolean rowNormalize, int dim, long seed) {
        double[] x = rowNormalize ? p.rowNormalizedFeatures() : p.denseFeatures();
        int f = p.featureCount(), n = p.n();
        if (dim <= 0) return new SslGraph(p.graph(), x, f);
        double s = 1 / Math.sqrt(dim);
        double[] proj = new double[n * dim];
        for (int v = 0; v < n; v++)
            for (int q = p.featOffsets()[v]; q < p.featOffsets()[v + 1]; q++) {
                int k = p.featIndices()[q];
                double xv = x[v * f + k];
                for (int j = 0; j < dim; j++) proj[v * dim + j] += (Draw.hash(seed, 11, k, j, 0) < 0 ? -s : s) * xv;
            }
        return new SslGraph(p.graph(), proj, dim);
    }
}
