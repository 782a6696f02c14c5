package io.mycelium.train;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;

/**
 * The graph readout of Appendix G.2 where every node holds its own copy of the readout MLP: the
 * graph's mean node output (what an averaging consensus over the graph converges to at every node;
 * taken exactly here and not counted as rounds) goes through node i's copy of the MLP, and node i
 * predicts the graph's class. The loss weighs node i of graph q by 1 / (n_q · graphs), so with tied
 * copies it is the centralized graph-level loss (mean over graphs of the binary cross-entropy) and
 * every node's prediction is the graph's; the metric is each graph's share of wrongly deciding
 * nodes, averaged over graphs (with tied copies: the classification error over graphs).
 */
public final class DeviceGraphReadout {
    private final GraphReadout mlp;

    DeviceGraphReadout(GraphReadout mlp) { this.mlp = mlp; }

    GraphReadout mlp() { return mlp; }

    /**
     * Loss of a batch's graph labels from node outputs {@code out} under the row-wise parameter
     * copies {@code rows}; writes ∂L/∂out into {@code dOut} and the readout's row-wise (or tied)
     * parameter gradients into {@code into} (an empty Params like {@code rows}).
     */
    double lossAndGradient(GraphBatch b, Params rows, Tensor out, Tensor dOut, Params into) {
        Tape t = tape(b, rows);
        Var z = t.variable(meanRows(b, out));
        Var logit = mlp.mlp(t, z);
        double[] zl = logit.value().data(), y = b.y().data(), g = new double[zl.length];
        double loss = 0;
        for (int r = 0; r < zl.length; r++) {
            int q = b.graphOf()[r];
            double w = 1.0 / ((double) b.size(q) * b.graphs()), s = 1 / (1 + Math.exp(-zl[r]));
            loss += w * (Math.max(zl[r], 0) + Math.log1p(Math.exp(-Math.abs(zl[r]))) - y[q] * zl[r]);
            g[r] = w * (s - y[q]);
        }
        t.vjp(logit, new Tensor(g, logit.value().shape()));
        for (String n : rows.names())
            if (n.startsWith(GraphReadout.PREFIX)) into.add(n, t.paramGrad(n).copy());
        // ∂L/∂out_j = Σ_{r in graph q} ∂L/∂mean_r / n_q for every node j of graph q
        int w = out.dim(1);
        double[] gz = z.grad().data(), sum = new double[b.graphs() * w], d = dOut.data();
        for (int r = 0; r < b.n(); r++) for (int k = 0; k < w; k++) sum[b.graphOf()[r] * w + k] += gz[r * w + k];
        for (int r = 0; r < b.n(); r++) {
            int q = b.graphOf()[r];
            for (int k = 0; k < w; k++) d[r * w + k] = sum[q * w + k] / b.size(q);
        }
        return loss;
    }

    /** Classification error (%): each graph's share of nodes whose own prediction is wrong, averaged over graphs. */
    double error(GraphBatch b, Params rows, Tensor out) {
        Tape t = tape(b, rows);
        double[] zl = mlp.mlp(t, t.constant(meanRows(b, out))).value().data(), y = b.y().data();
        double e = 0;
        for (int r = 0; r < zl.length; r++) {
            int q = b.graphOf()[r];
            if ((zl[r] > 0) != (y[q] > 0.5)) e += 1.0 / ((double) b.size(q) * b.graphs());
        }
        return 100 * e;
    }

    /** Row r holds the mean output of its graph. */
    private static Tensor meanRows(GraphBatch b, Tensor out) {
        Tensor m = GraphReadout.segmentMean(b, out);
        int w = out.dim(1);
        double[] md = m.data(), r = new double[out.size()];
        for (int i = 0; i < b.n(); i++) System.arraycopy(md, b.graphOf()[i] * w, r, i * w, w);
        return new Tensor(r, out.shape());
    }

    /** A tape over the batch's rows with no edges: the readout is node-local. */
    private static Tape tape(GraphBatch b, Params rows) {
        return new Tape(Comm.local(Partition.whole(Graph.fromEdges(b.n(), new int[0], new int[0]))), rows);
    }
}
