package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * A per-node multilayer perceptron: affine layers with an activation between them and a linear
 * last layer. Used as readout o_φ, as the input encoders g_θ of IGNN and GSDGNN, and anywhere a
 * model needs a small node-local network. It never passes messages.
 *
 * <p>Layer q owns {@code "<prefix>.w<q>"} ({@code [copies, in, out]}) and {@code "<prefix>.b<q>"}
 * ({@code [copies, out]}), drawn by its {@link Init.Affine} (default: Glorot weights, zero biases).
 */
public final class Mlp {
    private final String prefix;
    private final int[] widths;
    private final Activation hidden;
    private final Init.Affine init;

    /**
     * @param widths input width, then every layer's output width (the last one is the MLP's output);
     *               the paper's readout "(4, 4, 1)" on embeddings of size k is {@code {k, 4, 4, 1}}
     */
    public Mlp(String prefix, int[] widths, Activation hidden) { this(prefix, widths, hidden, Init.Affine.GLOROT_ZERO); }

    /** As {@link #Mlp(String, int[], Activation)}, every layer starting as {@code init} draws it. */
    public Mlp(String prefix, int[] widths, Activation hidden, Init.Affine init) {
        if (widths.length < 2) throw new IllegalArgumentException("an MLP needs an input and at least one layer width");
        for (int w : widths) if (w <= 0) throw new IllegalArgumentException("MLP widths must be positive: " + Arrays.toString(widths));
        this.prefix = prefix;
        this.widths = widths.clone();
        this.hidden = hidden;
        this.init = init;
    }

    /** {@code in → hidden... → out} with ReLU between layers. */
    public static Mlp of(String prefix, int in, int[] hidden, int out) { return of(prefix, in, hidden, out, Init.Affine.GLOROT_ZERO); }

    /** {@code in → hidden... → out} with ReLU between layers, initialized by {@code init}. */
    public static Mlp of(String prefix, int in, int[] hidden, int out, Init.Affine init) {
        int[] w = new int[hidden.length + 2];
        w[0] = in;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = out;
        return new Mlp(prefix, w, Activation.RELU, init);
    }

    public int inWidth() { return widths[0]; }

    /** The input width, then every layer's output width. */
    public int[] widths() { return widths.clone(); }

    public int outWidth() { return widths[widths.length - 1]; }

    public int layers() { return widths.length - 1; }

    public String weight(int q) { return prefix + ".w" + q; }

    public String bias(int q) { return prefix + ".b" + q; }

    public void init(Params params, UniformRandomProvider rng) {
        for (int q = 0; q < layers(); q++) {
            params.add(weight(q), init.weight(rng, widths[q], widths[q + 1]));
            params.add(bias(q), init.bias(rng, widths[q], widths[q + 1]));
        }
    }

    /** The MLP applied to every row of {@code x} ({@code [rows, ..., in]}). */
    public Var apply(Tape t, Var x) {
        int[] s = x.shape();
        if (s[s.length - 1] != widths[0])
            throw new IllegalArgumentException(prefix + ": expects " + widths[0] + " input columns, got " + Arrays.toString(s));
        Var h = x;
        for (int q = 0; q < layers(); q++) {
            h = t.add(t.matmul(h, t.param(weight(q))), t.param(bias(q)));
            if (q < layers() - 1) h = hidden.apply(t, h);
        }
        return h;
    }
}
