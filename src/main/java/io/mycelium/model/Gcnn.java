package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The graph convolutional network of eq. (9): {@code X^l = σ_l(X^{l-1} Θ0^l + S X^{l-1} Θ1^l)}.
 * Layer l (counting from 0 here) owns parameters {@code "l<l>.theta0"} and {@code "l<l>.theta1"}
 * of shape {@code [copies, g_l, g_{l+1}]}. Each layer is one round of message passing (the exchange
 * of X^{l-1}); the backward of the first layer needs none because the input features need no gradient.
 *
 * <p>Without the self weight ({@code selfWeight} false) a layer is {@code σ_l(S X^{l-1} Θ1^l)}, Kipf
 * and Welling's GCN layer {@code Â X W} when S is the renormalized adjacency Â; the layer then owns
 * only {@code "l<l>.theta1"}. That form offers no fused pass ({@link #gcnnForm} declines).
 */
public final class Gcnn implements HiddenMapped, FusedGcnnTraining, Rewirable {
    /** Draws one {@code [1, fanIn, fanOut]} weight. */
    public interface WeightInit {
        Tensor draw(UniformRandomProvider rng, int fanIn, int fanOut);
    }

    /** Glorot uniform, the default. */
    public static final WeightInit GLOROT = Init::glorot;
    /** U(0,1), the node-regression paper's initialization. */
    public static final WeightInit UNIFORM01 = (rng, in, out) -> Init.uniform(rng, 0, 1, 1, in, out);

    private final Operator shift;
    private final int[] widths;
    private final Activation[] activations;
    private final WeightInit init;
    private final boolean selfWeight;

    /** Eq. (9)'s layers, with the self weight Θ0. */
    public Gcnn(Operator shift, int[] widths, Activation[] activations, WeightInit init) {
        this(shift, widths, activations, init, true);
    }

    /**
     * @param widths      g_0 (input features), g_1, ..., g_L
     * @param activations one per layer
     * @param selfWeight  whether each layer has Θ0 (eq. 9) or only S X Θ1 (Kipf and Welling's GCN layer)
     */
    public Gcnn(Operator shift, int[] widths, Activation[] activations, WeightInit init, boolean selfWeight) {
        if (widths.length < 2) throw new IllegalArgumentException("a GCNN needs at least one layer (two widths)");
        if (activations.length != widths.length - 1)
            throw new IllegalArgumentException(activations.length + " activations for " + (widths.length - 1) + " layers");
        for (int w : widths) if (w <= 0) throw new IllegalArgumentException("layer widths must be positive: " + Arrays.toString(widths));
        this.shift = shift;
        this.widths = widths.clone();
        this.activations = activations.clone();
        this.init = init;
        this.selfWeight = selfWeight;
    }

    /** Every layer with the same activation. */
    public Gcnn(Operator shift, int[] widths, Activation activation) {
        this(shift, widths, filled(activation, widths.length - 1), GLOROT);
    }

    private static Activation[] filled(Activation a, int n) {
        Activation[] r = new Activation[n];
        Arrays.fill(r, a);
        return r;
    }

    public static String theta0(int layer) { return "l" + layer + ".theta0"; }

    public static String theta1(int layer) { return "l" + layer + ".theta1"; }

    public Operator shift() { return shift; }

    public int layers() { return widths.length - 1; }

    public int width(int l) { return widths[l]; }

    public int[] widths() { return widths.clone(); }

    public Activation activation(int layer) { return activations[layer]; }

    /** How fresh weights are drawn ({@link #GLOROT}, {@link #UNIFORM01} or the caller's own). */
    public WeightInit weightInit() { return init; }

    /** Whether each layer has the self weight Θ0 (eq. 9); false: {@code σ(S X Θ1)} only. */
    public boolean selfWeight() { return selfWeight; }

    /** The same architecture on another shift operator (another graph). */
    @Override
    public Gcnn on(Operator otherShift) { return new Gcnn(otherShift, widths, activations, init, selfWeight); }

    /** |θ|: scalars in one copy. */
    public int parameterCount() {
        int c = 0;
        for (int l = 0; l < layers(); l++) c += (selfWeight ? 2 : 1) * widths[l] * widths[l + 1];
        return c;
    }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        for (int l = 0; l < layers(); l++) {
            if (selfWeight) params.add(theta0(l), init.draw(rng, widths[l], widths[l + 1]));
            params.add(theta1(l), init.draw(rng, widths[l], widths[l + 1]));
        }
    }

    @Override
    public Var forward(Tape tape, Var x) { return forward(tape, x, UnaryOperator.identity()); }

    @Override
    public Var forward(Tape tape, Var x, UnaryOperator<Var> hidden) {
        int[] s = x.shape();
        if (s[s.length - 1] != widths[0])
            throw new IllegalArgumentException("GCNN expects " + widths[0] + " input features, got " + Arrays.toString(s));
        Var h = x;
        for (int l = 0; l < layers(); l++) {
            if (l > 0) h = hidden.apply(h);
            Var sx = tape.exchange(h, shift);
            Var shifted = tape.matmul(sx, tape.param(theta1(l)));
            Var pre = selfWeight ? tape.add(tape.matmul(h, tape.param(theta0(l))), shifted) : shifted;
            h = activations[l].apply(tape, pre);
        }
        return h;
    }

    @Override
    public int rounds() { return layers(); }

    /** Eq. (9)'s form; null (no fused pass) without the self weight. */
    @Override
    public GcnnForm gcnnForm() {
        if (!selfWeight) return null;
        String[] t0 = new String[layers()], t1 = new String[layers()];
        for (int l = 0; l < layers(); l++) {
            t0[l] = theta0(l);
            t1[l] = theta1(l);
        }
        return new GcnnForm(shift, widths, activations, t0, t1);
    }
}
