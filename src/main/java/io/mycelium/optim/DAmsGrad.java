package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.util.Checks;
import io.mycelium.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
    public DAmsGrad {
        Checks.positive("lr", lr);
        Checks.decay("beta1", beta1);
        Checks.decay("beta2", beta2);
        Checks.positive("eps", eps);
    }

    public static DAmsGrad of(double lr) { return new DAmsGrad(lr, 0.9, 0.999, 1e-8); }

    private static final VectorSpecies<Double> V = DoubleVector.SPECIES_PREFERRED;

    /**
     * The step on elements [from, to): whole vectors with the Vector API (HotSpot left this loop
     * scalar: a tenth of a D-AMSGrad epoch on one thread), then the rest one by one. Every
     * operation is correctly rounded lane by lane, so both give the same bits.
     */
    private void update(double[] p, double[] g, double[] mm, double[] vv, double[] vh, double[] u, double[] theta, double[] uMixed,
                        int from, int to) {
        int k = from;
        for (; k + V.length() <= to; k += V.length()) {
            DoubleVector gk = DoubleVector.fromArray(V, g, k), vhk = DoubleVector.fromArray(V, vh, k);
            DoubleVector m1 = DoubleVector.fromArray(V, mm, k).mul(beta1).add(gk.mul(1 - beta1));
            DoubleVector v1 = DoubleVector.fromArray(V, vv, k).mul(beta2).add(gk.mul(1 - beta2).mul(gk));
            DoubleVector vNew = vhk.max(v1);
            DoubleVector u1 = DoubleVector.fromArray(V, uMixed, k).add(vNew).sub(vhk);
            m1.intoArray(mm, k);
            v1.intoArray(vv, k);
            u1.intoArray(u, k);
            vNew.intoArray(vh, k);
            DoubleVector.fromArray(V, theta, k).sub(m1.mul(lr).div(u1.max(eps).lanewise(VectorOperators.SQRT))).intoArray(p, k);
        }
        for (; k < to; k++) {
            mm[k] = beta1 * mm[k] + (1 - beta1) * g[k];
            vv[k] = beta2 * vv[k] + (1 - beta2) * g[k] * g[k];
            double vNew = Math.max(vh[k], vv[k]);
            u[k] = uMixed[k] + vNew - vh[k];
            vh[k] = vNew;
            p[k] = theta[k] - lr * mm[k] / Math.sqrt(Math.max(u[k], eps));
        }
    }

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
        List<String> names = List.copyOf(params.names());
        int count = names.size();
        int[] lengths = new int[count];
        for (int q = 0; q < count; q++) lengths[q] = params.get(names.get(q)).data().length;
        // element-wise, so any split over threads gives the same bits; one parallel region for all tensors
        Parallel.forSegments(lengths, 8, (q, from, to) -> {
            String n = names.get(q);
            update(params.get(n).data(), grads.get(n).data(), m.get(n).data(), v.get(n).data(), vhat.get(n).data(),
                    ut.get(n).data(), mixed.get(q).data(), mixed.get(count + q).data(), from, to);
        });
    }
}
