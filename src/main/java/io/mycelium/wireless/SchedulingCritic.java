package io.mycelium.wireless;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The critic ("twin") of GCN-LGS (wireless spec C.5): a 5-layer GCNN with bias on the normalized
 * Laplacian, widths 2 → 64 → 64 → 64 → 64 → 2, leaky ReLU (0.2) then a softmax over the two output
 * channels; c_i0 predicts vertex i's share of the schedule's utility. Input (1, z_i), normalized over
 * the whole n×2 matrix as {@code (x − μ)/(6 s) + 0.5} ({@link #normalize}; its backward is
 * {@link #normalizeBackward}, as the mean and spread of all vertices are a central computation).
 * Always one central copy.
 */
public final class SchedulingCritic {
    private SchedulingCritic() {}

    public static final int[] WIDTHS = {2, 64, 64, 64, 64, 2};
    /** L2 penalty on the kernels, part of the critic's loss. */
    public static final double L2 = 5e-4;

    static String theta0(int l) { return "critic" + l + ".theta0"; }

    static String theta1(int l) { return "critic" + l + ".theta1"; }

    static String bias(int l) { return "critic" + l + ".bias"; }

    public static Params init(UniformRandomProvider rng) {
        Params p = new Params();
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            p.add(theta0(l), SchedulingActor.glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
            p.add(theta1(l), SchedulingActor.glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
            p.add(bias(l), Tensor.zeros(1, WIDTHS[l + 1]));
        }
        return p;
    }

    /** c [n, 2] for the normalized input {@code x}. */
    public static Var forward(Tape t, Operator laplacian, Var x) {
        Var h = x;
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            Var pre = t.add(t.add(t.matmul(h, t.param(theta0(l))), t.matmul(t.exchange(h, laplacian), t.param(theta1(l)))), t.param(bias(l)));
            h = l + 2 < WIDTHS.length ? t.leakyRelu(pre, SchedulingActor.SLOPE) : t.softmax(pre);
        }
        return h;
    }

    /** Writes {@code (x − μ)/(6 s) + 0.5} of {@code x} ([n, 2]: ones and z) into {@code out}; returns s (0 means all equal: out = 0.5). */
    public static double normalize(double[] x, double[] out) {
        int m = x.length;
        double mu = 0;
        for (double v : x) mu += v;
        mu /= m;
        double var = 0;
        for (double v : x) var += (v - mu) * (v - mu);
        double s = Math.sqrt(var / m);
        for (int k = 0; k < m; k++) out[k] = s == 0 ? 0.5 : (x[k] - mu) / (6 * s) + 0.5;
        return s;
    }

    /** The gradient with respect to x of the normalization, given the gradient g with respect to its output. */
    public static void normalizeBackward(double[] x, double s, double[] g, double[] gx) {
        int m = x.length;
        if (s == 0) {
            java.util.Arrays.fill(gx, 0);
            return;
        }
        double mu = 0;
        for (double v : x) mu += v;
        mu /= m;
        double gm = 0, gy = 0;
        for (int k = 0; k < m; k++) {
            double y = (x[k] - mu) / s;
            gm += g[k] / 6;
            gy += g[k] / 6 * y;
        }
        gm /= m;
        gy /= m;
        for (int k = 0; k < m; k++) {
            double y = (x[k] - mu) / s;
            gx[k] = (g[k] / 6 - gm - y * gy) / s;
        }
    }

    /** Adds the L2 penalty's gradient 2·λ·Θ of every kernel to {@code grads}; returns λ Σ ‖Θ‖². */
    public static double addPenalty(Params params, Params grads) {
        double total = 0;
        for (int l = 0; l + 1 < WIDTHS.length; l++)
            for (String name : new String[] {theta0(l), theta1(l)}) {
                double[] p = params.get(name).data(), g = grads.get(name).data();
                for (int k = 0; k < p.length; k++) {
                    total += p[k] * p[k];
                    g[k] += 2 * L2 * p[k];
                }
            }
        return L2 * total;
    }
}
