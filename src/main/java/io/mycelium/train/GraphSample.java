package io.mycelium.train;

import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;

/**
 * One small graph of a graph-set task: node features {@code x [n, p]}, optional edge features
 * {@code edges [directed edges, r]} aligned with the graph's CSR order (null when the task has none),
 * and targets {@code y} ({@code [n, J]} for node-level tasks, {@code [1, J]} for graph-level ones).
 */
public record GraphSample(Graph graph, Tensor x, Tensor edges, Tensor y) {
    public GraphSample {
        if (x.rank() != 2 || x.rows() != graph.n())
            throw new IllegalArgumentException("node features must be [" + graph.n() + ", p], got " + java.util.Arrays.toString(x.shape()));
        if (edges != null && (edges.rank() != 2 || edges.rows() != graph.directedEdgeCount()))
            throw new IllegalArgumentException("edge features must be [" + graph.directedEdgeCount() + ", r], got " + java.util.Arrays.toString(edges.shape()));
        if (y.rank() != 2) throw new IllegalArgumentException("targets must be [rows, J], got " + java.util.Arrays.toString(y.shape()));
    }

    public int n() { return graph.n(); }
}
