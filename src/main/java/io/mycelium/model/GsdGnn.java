package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Graph-signal-denoising GNN (hogwild paper, eq. 7): the embeddings minimise
 * {@code E(H) = γ ‖H − g(X)‖² + β tr(Hᵀ L̃ H)} with the renormalized Laplacian L̃ = I − Ã and an MLP
 * encoder g. One gradient step of size 1/(2(γ+β)) on E is the APPNP propagation
 * <pre>
 *   H ← (γ g(X) + β Ã H) / (γ + β),
 * </pre>
 * which is what {@link #step} does (one round: the exchange of H).
 *
 * <p><b>Contractive by construction.</b> The map's Lipschitz factor is β/(γ+β) · ‖Ã‖, and ‖Ã‖ = 1
 * both in the 2-norm (Ã's eigenvalues lie in (−1, 1]) and in the weighted block-maximum norm with
 * weights (D+I)^½ 1 (Ã (D+I)^½ 1 = (D+I)^½ 1). So it contracts with factor β/(γ+β) = 5/6 for
 * γ = 1, β = 5, whatever the parameters (they only enter g) — no projection is needed, and the
 * block-maximum contraction gives convergence under partial asynchrony. The fixed point is the
 * minimiser H* = γ (γ I + β L̃)^-1 g(X).
 *
 * <p>Parameters: the encoder {@code "gsd.enc.*"} and the readout {@code "gsd.out.*"}.
 */
public final class GsdGnn implements LinearFixedPoint {
    private final int k;
    private final double gamma, beta;
    private final Mlp encoder, readout;
    private final ShiftCache shift;

    public GsdGnn(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth, double gamma, double beta) {
        this(inWidth, k, encoderHidden, readoutHidden, outWidth, gamma, beta, Init.Affine.GLOROT_ZERO);
    }

    /** @param init how the encoder's and the readout's layers start */
    public GsdGnn(int inWidth, int k, int[] encoderHidden, int[] readoutHidden, int outWidth, double gamma, double beta, Init.Affine init) {
        if (!(gamma > 0) || !(beta >= 0)) throw new IllegalArgumentException("need γ > 0 and β ≥ 0");
        this.k = k;
        this.gamma = gamma;
        this.beta = beta;
        this.encoder = Mlp.of("gsd.enc", inWidth, encoderHidden, k, init);
        this.readout = Mlp.of("gsd.out", k, readoutHidden, outWidth, init);
        this.shift = new ShiftCache(ShiftOperator.RENORMALIZED_ADJACENCY);
    }

    /** The paper's configuration (Appendix F.1): k = 2, encoder (16, 16, 16, 2), readout (4, 4, out), γ = 1, β = 5. */
    public static GsdGnn paper(int inWidth, int outWidth) { return paper(inWidth, outWidth, Init.Affine.GLOROT_ZERO); }

    /** As {@link #paper(int, int)}, every affine layer starting as {@code init} draws it. */
    public static GsdGnn paper(int inWidth, int outWidth, Init.Affine init) {
        return new GsdGnn(inWidth, 2, new int[] {16, 16, 16}, new int[] {4, 4}, outWidth, 1.0, 5.0, init);
    }

    public double gamma() { return gamma; }

    public double beta() { return beta; }

    /** The contraction factor β/(γ+β). */
    public double contraction() { return beta / (gamma + beta); }

    public Mlp encoder() { return encoder; }

    public Mlp readout() { return readout; }

    public Operator shift(Graph g) { return shift.on(g); }

    @Override
    public int stateWidth() { return k; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        encoder.init(params, rng);
        readout.init(params, rng);
    }

    @Override
    public Var step(Tape t, Var h, GraphInput input) {
        Var smooth = t.scale(t.exchange(h, shift.on(t.partition().graph())), beta / (gamma + beta));
        return t.add(smooth, t.scale(encoder.apply(t, input.nodes()), gamma / (gamma + beta)));
    }

    /** {@code h ← (β/(γ+β)) Ã h + (γ/(γ+β)) g(x)}: the step's constants, as {@link #step} applies them. */
    @Override
    public LinearForm linearForm(Tape t, GraphInput input) {
        return LinearForm.scaled(shift.on(t.partition().graph()), beta / (gamma + beta),
                t.scale(encoder.apply(t, input.nodes()), gamma / (gamma + beta)).value(), Activation.IDENTITY);
    }

    @Override
    public Var readout(Tape t, Var h, GraphInput input) { return readout.apply(t, h); }
}
