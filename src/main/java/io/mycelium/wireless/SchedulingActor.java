package io.mycelium.wireless;

import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.ModelFile;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The actor of GCN-LGS (wireless spec C.4): a 3-layer GCNN {@code X^l = σ_l(X^{l−1} Θ0 + L X^{l−1} Θ1)}
 * on the normalized Laplacian, no bias, widths 1 → 32 → 32 → 1, leaky ReLU (0.2) twice then ReLU,
 * all-ones input. Its output z ≥ 0 rescales the weights LGS sees. With per-node copies node i uses
 * its own Θ0, Θ1 (the paper's eq. 10).
 */
public final class SchedulingActor {
    private SchedulingActor() {}

    public static final int[] WIDTHS = {1, 32, 32, 1};
    public static final double SLOPE = 0.2;

    /** What a saved actor holds besides its parameters (the {@code config} of its .myc file). */
    public record Saved(int[] widths, double leakySlope, String shift, String input, String copies) {
        public static Saved of() {
            return new Saved(WIDTHS, SLOPE, "normalized-laplacian", "all ones", "one (centralized) or one per vertex id (fully distributed)");
        }
    }

    /**
     * The trained actor as a .myc file (custom type "lgs-actor"); trained over many conflict graphs, so
     * no graph identity. The critic is a training device and is not saved.
     */
    public static CustomModelFile file(Params params, ModelFile.Training training) {
        return new CustomModelFile("lgs-actor", "GCN-LGS actor: GCNN 1 -> 32 -> 32 -> 1 on the normalized Laplacian whose output z rescales"
                + " the vertex weights the local greedy solver sees", CustomModelFile.config(Saved.of()), params, null, training);
    }

    static String theta0(int l) { return "actor" + l + ".theta0"; }

    static String theta1(int l) { return "actor" + l + ".theta1"; }

    /** Tied parameters, Glorot-uniform with fan-in 2·in and fan-out 2·out (two kernels per layer). */
    public static Params init(UniformRandomProvider rng) {
        Params p = new Params();
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            p.add(theta0(l), glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
            p.add(theta1(l), glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
        }
        return p;
    }

    /**
     * The authors' initial actor, bit for bit: layer l's kernel (2, in, out) from Keras's
     * {@code GlorotUniform(seed=l)}, i.e. {@code stateless_uniform(seed=[l, 0])} scaled to ±√(3 / ((2·in + 2·out) / 2)),
     * Θ0 its first in × out values and Θ1 the rest (spektral's ChebConv kernel[0] and kernel[1]).
     */
    public static Params initAuthors() { return initAuthors(0); }

    /** {@link #initAuthors()} with seed pair (s + l, 0) on layer l: other draws of the authors' initializer (s = 0 is theirs). */
    static Params initAuthors(long s) {
        Params p = new Params();
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            int in = WIDTHS[l], out = WIDTHS[l + 1];
            double limit = Math.sqrt(3.0 * (1.0 / Math.max(1.0, (2.0 * in + 2.0 * out) / 2.0)));
            double[] u = StatelessUniform.draw(s + l, 0, 2 * in * out), t0 = new double[in * out], t1 = new double[in * out];
            for (int k = 0; k < u.length; k++) (k < in * out ? t0 : t1)[k % (in * out)] = u[k] * (2 * limit) + -limit;
            p.add(theta0(l), new Tensor(t0, 1, in, out));
            p.add(theta1(l), new Tensor(t1, 1, in, out));
        }
        return p;
    }

    static Tensor glorot(UniformRandomProvider rng, int in, int out) {
        double a = Math.sqrt(6.0 / (2 * in + 2 * out));
        double[] d = new double[in * out];
        for (int k = 0; k < d.length; k++) d[k] = -a + 2 * a * rng.nextDouble();
        return new Tensor(d, 1, in, out);
    }

    /** z [n, 1] on the graph of {@code laplacian}. */
    public static Var forward(Tape t, Operator laplacian) {
        int n = laplacian.graph().n();
        Var h = t.constant(Tensor.full(1.0, n, 1));
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            Var pre = t.add(t.matmul(h, t.param(theta0(l))), t.matmul(t.exchange(h, laplacian), t.param(theta1(l))));
            h = l + 2 < WIDTHS.length ? t.leakyRelu(pre, SLOPE) : t.relu(pre);
        }
        return h;
    }
}
