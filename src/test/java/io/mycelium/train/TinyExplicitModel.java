package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Operator;
import io.mycelium.model.Model;
import org.apache.commons.rng.UniformRandomProvider;

/** A two-layer GCN-like explicit model for the trainer's tests: {@code tanh(Ã tanh(Ã x W0) W1) W2}. */
record TinyExplicitModel(Operator a, int features, int out) implements Model {
    @Override
    public void init(Params p, UniformRandomProvider rng) {
        p.add("w0", Init.glorot(rng, features, 5));
        p.add("w1", Init.glorot(rng, 5, 5));
        p.add("w2", Init.glorot(rng, 5, out));
    }

    @Override
    public Var forward(Tape t, Var x) {
        Var h = t.tanh(t.matmul(t.exchange(x, a), t.param("w0")));
        h = t.tanh(t.matmul(t.exchange(h, a), t.param("w1")));
        return t.matmul(h, t.param("w2"));
    }

    @Override
    public int rounds() { return 2; }
}
