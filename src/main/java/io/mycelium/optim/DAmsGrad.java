package io.mycelium.optim;

import io.mycelium.autodiff.Params;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decentralized AMSGrad (Chen et al.): every node keeps m, v, v̂ and a tracker ũ of the network's
 * average second moment. Each step mixes θ and ũ with the neighbours, then
 * {@code ũ ← ũ + v̂_new − v̂_old; u = max(ũ, ε); θ ← θ − α m / √u}.
 *
 * <p>The tracker is advanced by this step's v̂ before u is taken, so the very first step is already
 * scaled by a second moment; taking u before that increment would make the first step α m / √ε.
 */
public record DAmsGrad(double lr, double beta1, double beta2, double eps) implements Optimizer {
    public static DAmsGrad of(double lr) { return new DAmsGrad(lr, 0.9, 0.999, 1e-8); }

    @Override
    public List<Tensor> shared(Params params, Map<String, Object> state) {
        List<Tensor> s = new ArrayList<>(Optimizer.tensors(params));
        s.addAll(Optimizer.tensors(Optimizer.slot(state, "amsgrad.utilde", params)));
        return s;
    }

    @Override
    public void step(Params params, Map<String, Object> state, Params grads, List<Tensor> mixed) {
        Params m = Optimizer.slot(state, "amsgrad.m", params), v = Optimizer.slot(state, "amsgrad.v", params);
        Params vhat = Optimizer.slot(state, "amsgrad.vhat", params), ut = Optimizer.slot(state, "amsgrad.utilde", params);
        int names = params.names().size(), q = 0;
        for (String n : params.names()) {
            double[] p = params.get(n).data(), g = grads.get(n).data(), mm = m.get(n).data(), vv = v.get(n).data();
            double[] vh = vhat.get(n).data(), u = ut.get(n).data();
            double[] theta = mixed.get(q).data(), uMixed = mixed.get(names + q).data();
            q++;
            // element-wise, so any split over threads gives the same bits; per-node copies make it long
            Parallel.forRange(p.length, Parallel.chunks(p.length, 8), (c, from, to) -> {
                for (int k = from; k < to; k++) {
                    mm[k] = beta1 * mm[k] + (1 - beta1) * g[k];
                    vv[k] = beta2 * vv[k] + (1 - beta2) * g[k] * g[k];
                    double vNew = Math.max(vh[k], vv[k]);
                    u[k] = uMixed[k] + vNew - vh[k];
                    vh[k] = vNew;
                    p[k] = theta[k] - lr * mm[k] / Math.sqrt(Math.max(u[k], eps));
                }
            });
        }
    }
}
