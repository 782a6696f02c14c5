package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.util.Checks;
import io.mycelium.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** θ ← θ − α g. Centralized SGD on tied parameters, and the local step of D-naive. */
public record Sgd(double lr) implements Optimizer {
    public Sgd { Checks.positive("lr", lr); }

    @Override
    public void step(Params params, Map<String, Object> state, Params grads, List<Tensor> mixed) {
        for (String n : params.names()) {
            double[] p = params.get(n).data(), g = grads.get(n).data();
            for (int k = 0; k < p.length; k++) p[k] -= lr * g[k];
        }
    }
}
