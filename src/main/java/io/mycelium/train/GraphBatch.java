package io.mycelium.train;

import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;

import java.util.List;

/**
 * Many small graphs run as one: the disjoint union of their graphs, their node (and edge) rows
 * stacked in order. Node ids of graph q are {@code first[q] .. first[q+1]-1}; since ids are shifted
 * by a constant per graph, the union's CSR order is each graph's CSR order in turn, so edge feature
 * rows stack the same way. No edge joins two graphs, so one program over the union is the programs
 * over the parts, and the message passing ops never mix them.
 */
public record GraphBatch(Graph graph, Tensor x, Tensor edges, Tensor y, int[] first, int[] graphOf, List<GraphSample> samples) {

    public int graphs() { return first.length - 1; }

    public int n() { return graph.n(); }

    /** Nodes of graph q. */
    public int size(int q) { return first[q + 1] - first[q]; }

    public static GraphBatch of(List<GraphSample> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("a batch needs at least one graph");
        int g = samples.size();
        int[] first = new int[g + 1];
        int edges = 0, yRows = 0;
        for (int q = 0; q < g; q++) {
            first[q + 1] = first[q] + samples.get(q).n();
            edges += samples.get(q).graph().edgeCount();
            yRows += samples.get(q).y().rows();
        }
        int n = first[g];
        int[] u = new int[edges], v = new int[edges], graphOf = new int[n];
        int e = 0;
        for (int q = 0; q < g; q++) {
            Graph gr = samples.get(q).graph();
            int[] off = gr.offsets(), nb = gr.neighbours();
            for (int i = 0; i < gr.n(); i++) {
                graphOf[first[q] + i] = q;
                for (int p = off[i]; p < off[i + 1]; p++)
                    if (nb[p] > i) {
                        u[e] = first[q] + i;
                        v[e] = first[q] + nb[p];
                        e++;
                    }
            }
        }
        Graph union = Graph.fromEdges(n, u, v);
        Tensor x = stack(samples.stream().map(GraphSample::x).toList(), n);
        boolean hasEdges = samples.getFirst().edges() != null;
        for (GraphSample s : samples)
            if ((s.edges() != null) != hasEdges) throw new IllegalArgumentException("either every graph of a batch has edge features or none");
        Tensor ef = hasEdges ? stack(samples.stream().map(GraphSample::edges).toList(), union.directedEdgeCount()) : null;
        Tensor y = stack(samples.stream().map(GraphSample::y).toList(), yRows);
        return new GraphBatch(union, x, ef, y, first, graphOf, List.copyOf(samples));
    }

    private static Tensor stack(List<Tensor> parts, int rows) {
        int w = parts.getFirst().dim(1);
        double[] d = new double[rows * w];
        int at = 0;
        for (Tensor t : parts) {
            if (t.dim(1) != w) throw new IllegalArgumentException("feature widths differ within a batch: " + t.dim(1) + " vs " + w);
            System.arraycopy(t.data(), 0, d, at, t.size());
            at += t.size();
        }
        if (at != d.length) throw new IllegalStateException("stacked " + at + " values for " + rows + " rows of " + w);
        return new Tensor(d, rows, w);
    }
}
