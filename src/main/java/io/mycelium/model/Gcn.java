package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.ShiftOperator;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Kipf and Welling's GCN (hogwild paper, eq. 17): {@code H^{l+1} = ReLU(Ã H^l W^l + b^l)} with the
 * renormalized adjacency {@code Ã = (D+I)^-1/2 (A+I) (D+I)^-1/2} (its self weights are the added
 * self-loops), followed by a readout MLP to the output width. Each layer is one round of message
 * passing (the exchange of H^l); the encoder and the readout are node-local.
 *
 * <p>All embeddings have one width k (the paper's layer sizes (10, 10, 10, 10, 10, 10), Appendix F):
 * {@code H^0 = X W_enc + b_enc} is a node-local linear map of the features to width k, so under
 * asynchrony a neighbour still at another layer sends a row of the same width (see
 * {@link LayeredModel}).
 *
 * <p>Parameters: the encoder's {@code "gcn.enc.*"}, {@code "gcn.l<l>.w"} ({@code [copies, k, k]}),
 * {@code "gcn.l<l>.b"} ({@code [copies, k]}) and the readout's {@code "gcn.out.*"}.
 */
public final class Gcn implements LayeredModel {
    private final int layers, width;
    private final Mlp encoder, readout;
    private final ShiftCache shift;
    private final Init.Affine init;

    public Gcn(int inWidth, int width, int layers, int[] readoutHidden, int outWidth, ShiftOperator shift) {
        this(inWidth, width, layers, readoutHidden, outWidth, shift, Init.Affine.GLOROT_ZERO);
    }

    /**
     * @param inWidth        input features per node
     * @param width          embedding width k of every layer
     * @param layers         message-passing layers L
     * @param readoutHidden  hidden widths of the readout MLP (may be empty: a linear readout)
     * @param outWidth       output width per node
     * @param init           how the encoder, every layer's W^l and b^l and the readout start
     */
    public Gcn(int inWidth, int width, int layers, int[] readoutHidden, int outWidth, ShiftOperator shift, Init.Affine init) {
        if (layers < 1) throw new IllegalArgumentException("a GCN needs at least one layer");
        if (inWidth <= 0 || width <= 0) throw new IllegalArgumentException("GCN widths must be positive: in " + inWidth + ", width " + width);
        this.layers = layers;
        this.width = width;
        this.encoder = new Mlp("gcn.enc", new int[] {inWidth, width}, Activation.IDENTITY, init);
        this.readout = Mlp.of("gcn.out", width, readoutHidden, outWidth, init);
        this.init = init;
        this.shift = new ShiftCache(shift);
    }

    /** The paper's configuration (Appendix F.1): 5 layers of width 10, readout (4, 4, out). */
    public static Gcn paper(int inWidth, int outWidth) { return layers(inWidth, 5, 10, outWidth); }

    /** As {@link #paper(int, int)}, every affine layer starting as {@code init} draws it. */
    public static Gcn paper(int inWidth, int outWidth, Init.Affine init) {
        return new Gcn(inWidth, 10, 5, new int[] {4, 4}, outWidth, ShiftOperator.RENORMALIZED_ADJACENCY, init);
    }

    /** {@code layers} layers of width {@code width} on Ã, readout (4, 4, out). */
    public static Gcn layers(int inWidth, int layers, int width, int outWidth) {
        return new Gcn(inWidth, width, layers, new int[] {4, 4}, outWidth, ShiftOperator.RENORMALIZED_ADJACENCY);
    }

    @Override
    public int layers() { return layers; }

    @Override
    public int width() { return width; }

    public Mlp encoder() { return encoder; }

    public Mlp readout() { return readout; }

    public ShiftOperator shiftKind() { return shift.kind(); }

    public static String weight(int l) { return "gcn.l" + l + ".w"; }

    public static String bias(int l) { return "gcn.l" + l + ".b"; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        encoder.init(params, rng);
        for (int l = 0; l < layers; l++) {
            params.add(weight(l), init.weight(rng, width, width));
            params.add(bias(l), init.bias(rng, width, width));
        }
        readout.init(params, rng);
    }

    @Override
    public Var encode(Tape t, GraphInput in) { return encoder.apply(t, in.nodes()); }

    @Override
    public Var layer(Tape t, int l, Var h, GraphInput in) {
        var s = shift.on(t.partition().graph());
        return t.relu(t.add(t.matmul(t.exchange(h, s), t.param(weight(l))), t.param(bias(l))));
    }

    @Override
    public Var readout(Tape t, Var h, GraphInput in) { return readout.apply(t, h); }
}
