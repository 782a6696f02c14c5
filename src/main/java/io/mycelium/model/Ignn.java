package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * Implicit GNN of Gu et al. as the hogwild paper states it (eq. 21), in node-row form:
 * <pre>
 *   h_i ← φ( Σ_j Ã_ij h_j W + b(x_i) ),     i.e.  H ← φ(Ã H W + B(X)),
 * </pre>
 * where Ã is the renormalized adjacency (its self weights included, so node i's own row enters
 * the sum), W is {@code [k, k]} (Gu et al.'s column-form weight transposed), b is an MLP encoder of
 * the node features, and φ is ReLU (or another component-wise non-expansive function).
 *
 * <p><b>Why it converges, also asynchronously.</b> Let v > 0 with Ã v ≤ λ v (for the renormalized
 * adjacency v = (D+I)^½ 1 gives Ã v = v exactly, so λ = λ_max(Ã) = 1 on every graph: Ã is similar
 * to the row-stochastic (D+I)^-1 (A+I)). In the weighted block-maximum norm
 * ‖H‖_v = max_i ‖h_i‖_∞ / v_i the map H ↦ Ã H W has norm ≤ λ · ‖W‖₁ where ‖W‖₁ is the largest
 * column absolute sum of our row-form W (= Gu et al.'s ‖W‖_∞). φ is 1-Lipschitz component-wise,
 * so the update is a contraction with factor κ whenever ‖W‖₁ ≤ κ/λ, κ < 1. A contraction in a
 * block-maximum norm is exactly Bertsekas and Tsitsiklis' condition for convergence under
 * (partial and even total) asynchrony. {@link #project} enforces the bound by projecting every
 * column of W (row of Gu's W) onto the ℓ1 ball of radius κ/λ — the Euclidean projection onto the
 * ∞-norm ball, as Gu et al. do. λ is a constructor argument (1 for Ã); {@link #lambdaBound} gives
 * a rigorous Collatz–Wielandt upper bound on λ_max for any non-negative operator.
 *
 * <p>Parameters: {@code "ignn.W"} ({@code [copies, k, k]}), the encoder {@code "ignn.enc.*"} and
 * the readout {@code "ignn.out.*"}.
 */
public final class Ignn implements LinearFixedPoint {
    public static final String W = "ignn.W";

    private final int k;
    private final Mlp encoder;
    private final Mlp readout;
    private final Activation phi;
    private final double kappa;
    private final double lambda;
    private final ShiftCache shift;
    private final Init.Affine init;

    public Ignn(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth,
                Activation phi, double kappa, ShiftOperator shift, double lambda) {
        this(inWidth, k, encoderHidden, readoutHidden, outWidth, phi, kappa, shift, lambda, Init.Affine.GLOROT_ZERO);
    }

    /**
     * @param kappa  contraction factor to enforce, in (0, 1)
     * @param lambda an upper bound on λ_max of the shift operator on every graph the model runs on
     * @param init   how W (as a bias-free affine layer k → k), the encoder and the readout start
     */
    public Ignn(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth,
                Activation phi, double kappa, ShiftOperator shift, double lambda, Init.Affine init) {
        if (k < 1 || inWidth < 1) throw new IllegalArgumentException("IGNN needs positive input and state widths");
        if (!(kappa > 0 && kappa < 1)) throw new IllegalArgumentException("kappa must be in (0, 1), got " + kappa);
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be positive, got " + lambda);
        if (phi != Activation.RELU && phi != Activation.TANH && phi != Activation.IDENTITY)
            throw new IllegalArgumentException("φ must be non-expansive (relu, tanh or identity), got " + phi);
        this.k = k;
        this.encoder = Mlp.of("ignn.enc", inWidth, encoderHidden, k, init);
        this.readout = Mlp.of("ignn.out", k, readoutHidden, outWidth, init);
        this.init = init;
        this.phi = phi;
        this.kappa = kappa;
        this.lambda = lambda;
        this.shift = new ShiftCache(shift);
    }

    /** The paper's configuration (Appendix F.1): k = 2, encoder (16, 16, 16, 2), readout (4, 4, out), ReLU, Ã, κ = 0.95. */
    public static Ignn paper(int inWidth, int outWidth) { return of(inWidth, 2, outWidth); }

    /** As {@link #paper(int, int)}, every affine layer starting as {@code init} draws it. */
    public static Ignn paper(int inWidth, int outWidth, Init.Affine init) {
        return new Ignn(inWidth, 2, new int[] {16, 16, 16}, new int[] {4, 4}, outWidth, Activation.RELU, 0.95,
                ShiftOperator.RENORMALIZED_ADJACENCY, 1.0, init);
    }

    /** As {@link #paper} with state width k. */
    public static Ignn of(int inWidth, int k, int outWidth) {
        return new Ignn(inWidth, k, new int[] {16, 16, 16}, new int[] {4, 4}, outWidth, Activation.RELU, 0.95,
                ShiftOperator.RENORMALIZED_ADJACENCY, 1.0);
    }

    public Mlp encoder() { return encoder; }

    public Mlp readout() { return readout; }

    public Activation phi() { return phi; }

    public double kappa() { return kappa; }

    public double lambda() { return lambda; }

    /** The bound every column of W is projected to: κ/λ. */
    public double radius() { return kappa / lambda; }

    public ShiftOperator shiftKind() { return shift.kind(); }

    public Operator shift(Graph g) { return shift.on(g); }

    @Override
    public int stateWidth() { return k; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        params.add(W, init.weight(rng, k, k));
        encoder.init(params, rng);
        readout.init(params, rng);
        project(params);
    }

    @Override
    public Var step(Tape t, Var h, GraphInput input) {
        Var agg = t.exchange(h, shift.on(t.partition().graph()));
        return phi.apply(t, t.add(t.matmul(agg, t.param(W)), encoder.apply(t, input.nodes())));
    }

    @Override
    public LinearForm linearForm(Tape t, GraphInput input) {
        return LinearForm.matrix(shift.on(t.partition().graph()), t.param(W).value(), encoder.apply(t, input.nodes()).value(), phi);
    }

    @Override
    public Var readout(Tape t, Var h, GraphInput input) { return readout.apply(t, h); }

    @Override
    public void project(Params params) {
        Tensor w = params.get(W);
        double[] d = w.data();
        double[] col = new double[k];
        for (int c = 0; c < w.rows(); c++) {
            int base = c * k * k;
            for (int j = 0; j < k; j++) {
                for (int r = 0; r < k; r++) col[r] = d[base + r * k + j];
                projectL1(col, radius());
                for (int r = 0; r < k; r++) d[base + r * k + j] = col[r];
            }
        }
    }

    /** ‖W‖₁ of one copy: the largest column absolute sum (Gu et al.'s ‖W‖_∞). */
    public static double colNorm(Tensor w, int copy) {
        int k = w.dim(1), m = w.dim(2);
        double best = 0;
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int r = 0; r < k; r++) s += Math.abs(w.data()[copy * k * m + r * m + j]);
            best = Math.max(best, s);
        }
        return best;
    }

    /**
     * Euclidean projection of v onto {x : ‖x‖₁ ≤ r} in place (Duchi et al. 2008): soft-threshold by
     * the θ that makes the ℓ1 norm exactly r; vectors already inside are left unchanged.
     */
    static void projectL1(double[] v, double r) {
        double norm = 0;
        for (double x : v) norm += Math.abs(x);
        if (norm <= r) return;
        double[] u = new double[v.length];
        for (int i = 0; i < v.length; i++) u[i] = Math.abs(v[i]);
        Arrays.sort(u);
        double cum = 0, theta = 0;
        for (int i = u.length - 1, cnt = 1; i >= 0; i--, cnt++) {
            cum += u[i];
            double t = (cum - r) / cnt;
            if (u[i] > t) theta = t;
            else break;
        }
        for (int i = 0; i < v.length; i++) v[i] = Math.signum(v[i]) * Math.max(Math.abs(v[i]) - theta, 0);
    }

    /**
     * A rigorous upper bound on the spectral radius of |S| (Collatz–Wielandt): after power iterations
     * x ← |S| x + ε (kept positive), returns max_i (|S| x)_i / x_i, which bounds ρ(|S|) for any x > 0
     * and is also the weighted-norm bound the contraction argument needs.
     */
    public static double lambdaBound(Operator s, int iterations) {
        Graph g = s.graph();
        int n = g.n();
        int[] off = g.offsets(), nb = g.neighbours();
        double[] x = new double[n], y = new double[n];
        Arrays.fill(x, 1);
        double bound = Double.POSITIVE_INFINITY;
        for (int it = 0; it < iterations; it++) {
            double mx = 0, ratio = 0;
            for (int i = 0; i < n; i++) {
                double acc = Math.abs(s.self()[i]) * x[i];
                for (int p = off[i]; p < off[i + 1]; p++) acc += Math.abs(s.weights()[p]) * x[nb[p]];
                y[i] = acc;
                ratio = Math.max(ratio, acc / x[i]);
                mx = Math.max(mx, acc);
            }
            bound = Math.min(bound, ratio);
            if (mx == 0) return 0;
            for (int i = 0; i < n; i++) x[i] = y[i] / mx + 1e-300;
        }
        return bound;
    }
}
