package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * A partially input-convex network f(y; φ) (Amos et al. 2017, the hogwild paper's Appendix B):
 * convex in the inputs y, arbitrary in the features φ, and non-decreasing in the y columns marked
 * monotone. With K layers of widths w_0..w_{K-1}:
 *
 * <pre>
 *   u_0 = φ,  u_{l+1} = tanh(u_l Wt_l + bt_l)                       (feature path, not convex)
 *   a_l = (z_l ∘ s_l) Wz_l + (y ∘ r_l) Wy_l + u_l Wu_l + b_l,         z_{l+1} = softplus(a_l),  f = a_{K-1}
 *   s_l = σ(u_l Wzu_l + bz_l),  r_l = σ(u_l Wyu_l + by_l)             (gates in (0,1), from features only)
 * </pre>
 *
 * Convexity in y needs Wz ≥ 0 and convex non-decreasing activations (softplus; the last layer is
 * linear); monotonicity in a y column additionally needs that column's rows of every Wy to be ≥ 0,
 * which the positive gates r preserve. {@link #project} restores both after an optimizer step.
 * Deviation from Amos et al.: both gates are sigmoids instead of [·]_+ and an affine map, so that
 * f is smooth and its first and second derivatives in y are bounded by weight norms alone
 * ({@link #bounds}), which is what the step-size bound of {@link EnergyGnn} needs.
 *
 * <p>{@link #inputGradient} is the vector–Jacobian product ∂(⟨seed, f⟩)/∂y written out as tape ops
 * (the backward through each layer: σ for softplus', transposed weights), so that a gradient step
 * on an energy built from these networks is an ordinary differentiable program.
 */
final class Picnn {
    final String prefix;
    final int ny, nphi;
    final int[] widths;
    final boolean[] monotone;

    /**
     * @param prefix   parameter name prefix (e.g. {@code "m."})
     * @param ny       convex inputs
     * @param monotone which convex inputs f must be non-decreasing in (length ny)
     * @param nphi     feature inputs (0 for none)
     * @param widths   layer widths; the last is the output width
     */
    Picnn(String prefix, int ny, boolean[] monotone, int nphi, int... widths) {
        if (monotone.length != ny) throw new IllegalArgumentException("monotone flags for " + monotone.length + " of " + ny + " inputs");
        if (widths.length < 1) throw new IllegalArgumentException("a PICNN needs at least one layer");
        this.prefix = prefix;
        this.ny = ny;
        this.nphi = nphi;
        this.widths = widths.clone();
        this.monotone = monotone.clone();
    }

    int layers() { return widths.length; }

    int out() { return widths[widths.length - 1]; }

    /** Width of the feature path entering layer l. */
    private int nu(int l) { return nphi == 0 ? 0 : l == 0 ? nphi : widths[l - 1]; }

    private String p(int l, String name) { return prefix + "l" + l + "." + name; }

    void init(Params params, UniformRandomProvider rng) { init(params, rng, 1); }

    /** As {@link #init}, with the last layer's weights (hence f's input gradient) scaled by {@code outScale}. */
    void init(Params params, UniformRandomProvider rng, double outScale) {
        for (int l = 0; l < layers(); l++) {
            int w = widths[l], nu = nu(l);
            double sc = l == layers() - 1 ? outScale : 1;
            if (l > 0) {
                // non-negative from the start; scaled so that a hidden unit's pre-activation stays O(1)
                params.add(p(l, "wz"), Init.uniform(rng, 0, sc / widths[l - 1], 1, widths[l - 1], w));
                if (nu > 0) params.add(p(l, "wzu"), Init.glorot(rng, nu, widths[l - 1]));
                params.add(p(l, "bz"), Tensor.zeros(1, widths[l - 1]));
            }
            Tensor wy = scaled(Init.glorot(rng, ny, w), sc);
            for (int a = 0; a < ny; a++) if (monotone[a]) for (int c = 0; c < w; c++) wy.data()[a * w + c] = Math.abs(wy.data()[a * w + c]);
            params.add(p(l, "wy"), wy);
            if (nu > 0) params.add(p(l, "wyu"), Init.glorot(rng, nu, ny));
            params.add(p(l, "by"), Tensor.zeros(1, ny));
            if (nu > 0) params.add(p(l, "wu"), scaled(Init.glorot(rng, nu, w), sc));
            params.add(p(l, "b"), Tensor.zeros(1, w));
            if (l < layers() - 1 && nu > 0) {
                params.add(p(l, "wt"), Init.glorot(rng, nu, w));
                params.add(p(l, "bt"), Tensor.zeros(1, w));
            }
        }
    }

    private static Tensor scaled(Tensor t, double c) {
        for (int q = 0; q < t.size(); q++) t.data()[q] *= c;
        return t;
    }

    /** Clips Wz and the monotone rows of Wy to be non-negative (convexity, monotonicity). */
    void project(Params params) {
        for (int l = 0; l < layers(); l++) {
            if (l > 0) {
                double[] wz = params.get(p(l, "wz")).data();
                for (int q = 0; q < wz.length; q++) if (wz[q] < 0) wz[q] = 0;
            }
            Tensor wyt = params.get(p(l, "wy"));
            double[] wy = wyt.data();
            int w = widths[l], copies = wyt.rows();
            for (int c = 0; c < copies; c++)
                for (int a = 0; a < ny; a++)
                    if (monotone[a]) for (int k = 0; k < w; k++) {
                        int q = c * ny * w + a * w + k;
                        if (wy[q] < 0) wy[q] = 0;
                    }
        }
    }

    /** What the input gradient needs from the forward pass. */
    record Forward(Var out, List<Var> yGates, List<Var> zGates, List<Var> slopes) {}

    /** f(y; φ) for rows of y ({@code [rows, ny]}) and φ ({@code [rows, nphi]}, or null when nphi = 0). */
    Forward forward(Tape t, Var y, Var phi) {
        List<Var> yGates = new ArrayList<>(), zGates = new ArrayList<>(), slopes = new ArrayList<>();
        Var u = phi, z = null, a = null;
        for (int l = 0; l < layers(); l++) {
            boolean feat = nu(l) > 0;
            Var r = t.sigmoid(feat ? t.add(t.matmul(u, t.param(p(l, "wyu"))), t.param(p(l, "by"))) : t.param(p(l, "by")));
            yGates.add(r);
            a = t.matmul(t.mul(y, r), t.param(p(l, "wy")));
            if (feat) a = t.add(a, t.matmul(u, t.param(p(l, "wu"))));
            a = t.add(a, t.param(p(l, "b")));
            if (l > 0) {
                Var s = t.sigmoid(feat ? t.add(t.matmul(u, t.param(p(l, "wzu"))), t.param(p(l, "bz"))) : t.param(p(l, "bz")));
                zGates.add(s);
                a = t.add(a, t.matmul(t.mul(z, s), t.param(p(l, "wz"))));
            } else zGates.add(null);
            if (l < layers() - 1) {
                slopes.add(t.sigmoid(a)); // softplus' = σ, kept for the input gradient
                z = t.softplus(a);
                if (feat) u = t.tanh(t.add(t.matmul(u, t.param(p(l, "wt"))), t.param(p(l, "bt"))));
            }
        }
        return new Forward(a, yGates, zGates, slopes);
    }

    /** ∂⟨seed, f⟩/∂y as tape ops ({@code [rows, ny]}); seed is {@code [rows, out]} (or broadcastable). */
    Var inputGradient(Tape t, Forward f, Var seed) {
        Var da = seed, dy = null;
        for (int l = layers() - 1; l >= 0; l--) {
            Var wyT = t.transpose(t.param(p(l, "wy")));
            Var term = t.mul(t.matmul(da, wyT), f.yGates().get(l));
            dy = dy == null ? term : t.add(dy, term);
            if (l > 0) {
                Var dz = t.mul(t.matmul(da, t.transpose(t.param(p(l, "wz")))), f.zGates().get(l));
                da = t.mul(dz, f.slopes().get(l - 1));
            }
        }
        return dy;
    }

    /**
     * Global bounds, over all y and φ, on the input Jacobian of f ({@code g}: ‖∂f/∂y‖) and on its
     * Lipschitz constant ({@code h}), from Frobenius norms of the weights of the first copy: with
     * A_l = ‖Wz_l‖ G_l + ‖Wy_l‖ (gates ≤ 1), G_{l+1} ≤ A_l (softplus' ≤ 1) and
     * H_{l+1} ≤ A_l²/4 + ‖Wz_l‖ H_l (softplus'' ≤ 1/4); the last layer is linear.
     */
    double[] bounds(Params params) {
        double g = 0, h = 0;
        for (int l = 0; l < layers(); l++) {
            double nz = l > 0 ? frob(params.get(p(l, "wz"))) : 0, ny_ = frob(params.get(p(l, "wy")));
            double a = nz * g + ny_;
            double hl = nz * h;
            if (l < layers() - 1) {
                h = a * a / 4 + hl;
                g = a;
            } else {
                g = a;
                h = hl;
            }
        }
        return new double[] {g, h};
    }

    /** Frobenius norm of the first copy of a {@code [copies, k, m]} weight. */
    private static double frob(Tensor w) {
        double s = 0;
        int rs = w.rowSize();
        for (int q = 0; q < rs; q++) s += w.data()[q] * w.data()[q];
        return Math.sqrt(s);
    }
}
