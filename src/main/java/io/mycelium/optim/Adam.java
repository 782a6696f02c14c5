package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.util.Checks;
import io.mycelium.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Adam with bias correction. Without consensus it is centralized Adam on tied parameters; with
 * {@code consensus} it is D-Adam: every node keeps its own moments and starts its step from
 * Σ_j W_ij θ_j (eq. 17 with f = Adam's direction).
 *
 * <p>{@code epsOnRawRoot}: where ε goes. PyTorch (false) adds it to the corrected root √(v/(1−β2^t));
 * Keras and TensorFlow (true) add it to the uncorrected √v, which is the corrected form with
 * ε/√(1−β2^t) in place of ε (about 3e-6 at the first step for ε = 1e-7).
 */
public record Adam(double lr, double beta1, double beta2, double eps, boolean consensus, boolean epsOnRawRoot) implements Optimizer {
    public Adam(double lr, double beta1, double beta2, double eps, boolean consensus) { this(lr, beta1, beta2, eps, consensus, false); }

    public Adam {
        Checks.positive("lr", lr);
        Checks.decay("beta1", beta1);
        Checks.decay("beta2", beta2);
        Checks.positive("eps", eps);
    }

    public static Adam centralized(double lr) { return new Adam(lr, 0.9, 0.999, 1e-8, false); }

    public static Adam distributed(double lr) { return new Adam(lr, 0.9, 0.999, 1e-8, true); }

    /** Keras's Adam with its defaults (β1 0.9, β2 0.999, ε 1e-7 on the uncorrected root), centralized. */
    public static Adam keras(double lr) { return new Adam(lr, 0.9, 0.999, 1e-7, false, true); }

    @Override
    public List<Tensor> shared(Params params, Map<String, Object> state) {
        return consensus ? Optimizer.tensors(params) : List.of();
    }

    @Override
    public void step(Params params, Map<String, Object> state, Params grads, List<Tensor> mixed) {
        Params m = Optimizer.slot(state, "adam.m", params), v = Optimizer.slot(state, "adam.v", params);
        long t = (Long) state.merge("adam.t", 1L, (a, b) -> (Long) a + 1);
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t), e = epsOnRawRoot ? eps / Math.sqrt(c2) : eps;
        int q = 0;
        for (String n : params.names()) {
            double[] p = params.get(n).data(), g = grads.get(n).data(), mm = m.get(n).data(), vv = v.get(n).data();
            double[] from = consensus ? mixed.get(q++).data() : p;
            for (int k = 0; k < p.length; k++) {
                mm[k] = beta1 * mm[k] + (1 - beta1) * g[k];
                vv[k] = beta2 * vv[k] + (1 - beta2) * g[k] * g[k];
                p[k] = from[k] - lr * (mm[k] / c1) / (Math.sqrt(vv[k] / c2) + e);
            }
        }
    }
}
