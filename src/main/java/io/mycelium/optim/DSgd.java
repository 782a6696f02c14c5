package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.util.Checks;
import io.mycelium.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** D-SGD, eq. (17): θ_i ← Σ_j W_ij θ_j − α Σ_b ∇̂J_i(b). */
public record DSgd(double lr) implements Optimizer {
    public DSgd { Checks.positive("lr", lr); }

    @Override
    public List<Tensor> shared(Params params, Map<String, Object> state) { return Optimizer.tensors(params); }

    @Override
    public void step(Params params, Map<String, Object> state, Params grads, List<Tensor> mixed) {
        int t = 0;
        for (String n : params.names()) {
            double[] p = params.get(n).data(), g = grads.get(n).data(), w = mixed.get(t++).data();
            for (int k = 0; k < p.length; k++) p[k] = w[k] - lr * g[k];
        }
    }
}
