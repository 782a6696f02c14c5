package io.mycelium.optim;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * D-AMSGrad on a network of four nodes against a scalar re-implementation of the published
 * algorithm (Chen et al., decentralized AMSGrad; the training paper's ref. [16]), written from its
 * pseudocode, not from the kernel: per node i and step t, with mixing matrix W,
 * <pre>
 *   m_i = β1 m_i + (1 − β1) g_i,   v_i = β2 v_i + (1 − β2) g_i²,   v̂_i' = max(v̂_i, v_i)
 *   θ_i ← Σ_j W_ij θ_j,   ũ_i ← Σ_j W_ij ũ_j,   u_i = max(ũ_i, ε)
 *   θ_i ← θ_i − α m_i / √u_i,   ũ_i ← ũ_i − v̂_i + v̂_i',   v̂_i ← v̂_i'
 * </pre>
 * with m = v = 0 and v̂ = ũ = ε at the start. Lengths that are and are not whole vectors.
 */
class DAmsGradTest {
    static final double LR = 0.01, B1 = 0.9, B2 = 0.999, EPS = 1e-8;
    /** A doubly stochastic W on the path 0 − 1 − 2 − 3 (Metropolis–Hastings weights 1/3). */
    static final double[][] W = {
            {2 / 3.0, 1 / 3.0, 0, 0},
            {1 / 3.0, 1 / 3.0, 1 / 3.0, 0},
            {0, 1 / 3.0, 1 / 3.0, 1 / 3.0},
            {0, 0, 1 / 3.0, 2 / 3.0}};

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 37, 4000})
    void theKernelIsThePublishedAlgorithm(int length) {
        int nodes = W.length, steps = 5;
        UniformRandomProvider rng = Init.rng(length);
        DAmsGrad opt = DAmsGrad.of(LR);
        Params[] params = new Params[nodes];
        List<Map<String, Object>> states = new ArrayList<>();
        // the reference's per-node state: θ, m, v, v̂, ũ for each element of the one tensor "a"
        double[][] theta = new double[nodes][], m = new double[nodes][length], v = new double[nodes][length];
        double[][] vhat = new double[nodes][length], utilde = new double[nodes][length];
        for (int i = 0; i < nodes; i++) {
            params[i] = new Params().add("a", Init.normal(rng, 0, 1, 1, length));
            states.add(new HashMap<>());
            theta[i] = params[i].get("a").data().clone();
            Arrays.fill(vhat[i], EPS);
            Arrays.fill(utilde[i], EPS);
        }
        for (int step = 0; step < steps; step++) {
            double[][] g = new double[nodes][length];
            for (double[] gi : g) for (int k = 0; k < length; k++) gi[k] = (rng.nextDouble() - 0.5) * (step == 2 && k % 3 == 0 ? 0 : 2);

            // the kernel: each node's shared tensors (θ, ũ) mixed over the network, then its step
            List<List<Tensor>> shared = new ArrayList<>();
            for (int i = 0; i < nodes; i++) shared.add(opt.shared(params[i], states.get(i)));
            List<List<Tensor>> mixed = new ArrayList<>(); // every node's round before any node's step
            for (int i = 0; i < nodes; i++) {
                List<Tensor> mi = new ArrayList<>();
                for (int q = 0; q < shared.get(i).size(); q++) {
                    double[] sum = new double[length];
                    for (int j = 0; j < nodes; j++)
                        for (int k = 0; k < length; k++) sum[k] += W[i][j] * shared.get(j).get(q).data()[k];
                    mi.add(Tensor.of(sum, 1, length));
                }
                mixed.add(mi);
            }
            for (int i = 0; i < nodes; i++) {
                Params grads = params[i].zerosLike();
                System.arraycopy(g[i], 0, grads.get("a").data(), 0, length);
                opt.step(params[i], states.get(i), grads, mixed.get(i));
            }

            // the published algorithm, element by element
            double[][] thetaHalf = new double[nodes][length], uHalf = new double[nodes][length];
            for (int i = 0; i < nodes; i++)
                for (int j = 0; j < nodes; j++)
                    for (int k = 0; k < length; k++) {
                        thetaHalf[i][k] += W[i][j] * theta[j][k];
                        uHalf[i][k] += W[i][j] * utilde[j][k];
                    }
            for (int i = 0; i < nodes; i++)
                for (int k = 0; k < length; k++) {
                    m[i][k] = B1 * m[i][k] + (1 - B1) * g[i][k];
                    v[i][k] = B2 * v[i][k] + (1 - B2) * g[i][k] * g[i][k];
                    double vhatNext = Math.max(vhat[i][k], v[i][k]);
                    double u = Math.max(uHalf[i][k], EPS);
                    theta[i][k] = thetaHalf[i][k] - LR * m[i][k] / Math.sqrt(u);
                    utilde[i][k] = uHalf[i][k] - vhat[i][k] + vhatNext;
                    vhat[i][k] = vhatNext;
                }
            for (int i = 0; i < nodes; i++) {
                double[] got = params[i].get("a").data();
                for (int k = 0; k < length; k++)
                    assertThat(got[k]).as("node " + i + ", element " + k + ", step " + step)
                            .isCloseTo(theta[i][k], within(1e-12 * Math.max(1, Math.abs(theta[i][k]))));
            }
        }
    }

    /** The unpublished tracker-first variant: v̂ = ũ = 0 at the start, u taken after ũ's increment (one node, W = 1). */
    @ParameterizedTest
    @ValueSource(ints = {3, 37})
    void theTrackerFirstVariantTakesUAfterTheIncrement(int length) {
        UniformRandomProvider rng = Init.rng(100 + length);
        DAmsGrad opt = DAmsGrad.trackerFirst(LR);
        Params params = new Params().add("a", Init.normal(rng, 0, 1, 1, length));
        Map<String, Object> state = new HashMap<>();
        double[] theta = params.get("a").data().clone(), m = new double[length], v = new double[length], vhat = new double[length], ut = new double[length];
        for (int step = 0; step < 3; step++) {
            Params grads = params.zerosLike();
            double[] g = grads.get("a").data();
            for (int k = 0; k < length; k++) g[k] = rng.nextDouble() - 0.5;
            List<Tensor> mixed = new ArrayList<>();
            for (Tensor t : opt.shared(params, state)) mixed.add(t.copy()); // one node: W = 1
            opt.step(params, state, grads, mixed);
            for (int k = 0; k < length; k++) {
                m[k] = B1 * m[k] + (1 - B1) * g[k];
                v[k] = B2 * v[k] + (1 - B2) * g[k] * g[k];
                double vhatNext = Math.max(vhat[k], v[k]);
                ut[k] = ut[k] - vhat[k] + vhatNext;
                vhat[k] = vhatNext;
                theta[k] = theta[k] - LR * m[k] / Math.sqrt(Math.max(ut[k], EPS));
                assertThat(params.get("a").data()[k]).as("element " + k + ", step " + step).isCloseTo(theta[k], within(1e-12 * Math.max(1, Math.abs(theta[k]))));
            }
        }
    }
}
