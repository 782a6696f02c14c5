package io.mycelium.engine;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Operator;
import io.mycelium.model.Model;
import org.apache.commons.rng.UniformRandomProvider;

/** The training paper's GCNN layer, eq. (9), written here independently of the main code's models. */
record TinyGcnn(Operator s, int... widths) implements Model {
    @Override
    public void init(Params p, UniformRandomProvider rng) {
        for (int l = 0; l + 1 < widths.length; l++) {
            p.add("l" + l + ".theta0", Init.normal(rng, 0, 0.5, 1, widths[l], widths[l + 1]));
            p.add("l" + l + ".theta1", Init.normal(rng, 0, 0.5, 1, widths[l], widths[l + 1]));
        }
    }

    @Override
    public Var forward(Tape t, Var x) {
        Var h = x;
        for (int l = 0; l + 1 < widths.length; l++) {
            Var z = t.add(t.matmul(h, t.param("l" + l + ".theta0")), t.matmul(t.exchange(h, s), t.param("l" + l + ".theta1")));
            h = l + 2 < widths.length ? t.tanh(z) : t.sigmoid(z);
        }
        return h;
    }

    @Override
    public int rounds() { return widths.length - 1; }
}
