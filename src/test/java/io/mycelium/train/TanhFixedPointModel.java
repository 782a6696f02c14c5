package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A small contractive fixed-point GNN for the trainer's tests (independent of the real models):
 * {@code h ← tanh(Ã h W + x U + (Σ_edges e) V + b)} with ‖W‖_F ≤ 0.8 after projection, so the
 * update is a contraction (‖Ã‖₂ = 1 for the renormalized adjacency, tanh is 1-Lipschitz). Readout
 * {@code tanh(h R1 + c1) R2 + c2}.
 */
record TanhFixedPointModel(Operator a, int features, int edgeFeatures, int k, int out) implements ImplicitModel {
    static final double MAX_NORM = 0.8;

    static java.util.function.Function<Graph, ImplicitModel> factory(int features, int edgeFeatures, int k, int out) {
        return g -> new TanhFixedPointModel(ShiftOperator.RENORMALIZED_ADJACENCY.of(g), features, edgeFeatures, k, out);
    }

    @Override
    public void init(Params p, UniformRandomProvider rng) {
        p.add("w", Init.uniform(rng, -0.5, 0.5, 1, k, k));
        p.add("u", Init.glorot(rng, features, k));
        if (edgeFeatures > 0) p.add("v", Init.glorot(rng, edgeFeatures, k));
        p.add("b", Init.uniform(rng, -0.1, 0.1, 1, k));
        p.add("r1", Init.glorot(rng, k, 4));
        p.add("c1", Init.uniform(rng, -0.1, 0.1, 1, 4));
        p.add("r2", Init.glorot(rng, 4, out));
        p.add("c2", Tensor.zeros(1, out));
    }

    @Override
    public int stateWidth() { return k; }

    @Override
    public Var step(Tape t, Var h, GraphInput in) {
        Var pre = t.add(t.matmul(t.exchange(h, a), t.param("w")), t.add(t.matmul(in.nodes(), t.param("u")), t.param("b")));
        if (edgeFeatures > 0) pre = t.add(pre, t.matmul(t.edgeSum(in.edges()), t.param("v")));
        return t.tanh(pre);
    }

    @Override
    public Var readout(Tape t, Var h, GraphInput in) {
        return t.add(t.matmul(t.tanh(t.add(t.matmul(h, t.param("r1")), t.param("c1"))), t.param("r2")), t.param("c2"));
    }

    @Override
    public void project(Params p) {
        double[] w = p.get("w").data();
        double s = 0;
        for (double v : w) s += v * v;
        double norm = Math.sqrt(s);
        if (norm > MAX_NORM) for (int i = 0; i < w.length; i++) w[i] *= MAX_NORM / norm;
    }
}
