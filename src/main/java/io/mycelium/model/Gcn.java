package io.mycelium.model;

import io.mycelium.autodiff.Init;
import io.mycelium.autodiff.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * Kipf and Welling's GCN (hogwild paper, eq. 17): {@code H^{l+1} = ReLU(Ã H^l W^l + b^l)} with the
 * renormalized adjacency {@code Ã = (D+I)^-1/2 (A+I) (D+I)^-1/2} (its self weights are the added
 * self-loops), followed by a readout MLP to the output width. Each layer is one round of message
 * passing (the exchange of H^l); the readout is node-local.
 *
 * <p>Parameters: {@code "gcn.l<l>.w"} ({@code [copies, in_l, out_l]}), {@code "gcn.l<l>.b"}
 * ({@code [copies, out_l]}) and the readout's {@code "gcn.out.*"}.
 */
public final class Gcn implements Model {
    private final int[] widths;
    private final Mlp readout;
    private final ShiftCache shift;

    /**
     * @param widths         input features, then the width of each message-passing layer
     * @param readoutHidden  hidden widths of the readout MLP (may be empty: a linear readout)
     * @param outWidth       output width per node
     */
    public Gcn(int[] widths, int[] readoutHidden, int outWidth, ShiftOperator shift) {
        if (widths.length < 2) throw new IllegalArgumentException("a GCN needs at least one layer (two widths)");
        for (int w : widths) if (w <= 0) throw new IllegalArgumentException("GCN widths must be positive: " + Arrays.toString(widths));
        this.widths = widths.clone();
        this.readout = Mlp.of("gcn.out", widths[widths.length - 1], readoutHidden, outWidth);
        this.shift = new ShiftCache(shift);
    }

    /** The paper's configuration (Appendix F.1): 5 layers of width 10, readout (4, 4, out). */
    public static Gcn paper(int inWidth, int outWidth) { return layers(inWidth, 5, 10, outWidth); }

    /** {@code layers} layers of width {@code width} on Ã, readout (4, 4, out). */
    public static Gcn layers(int inWidth, int layers, int width, int outWidth) {
        int[] w = new int[layers + 1];
        Arrays.fill(w, width);
        w[0] = inWidth;
        return new Gcn(w, new int[] {4, 4}, outWidth, ShiftOperator.RENORMALIZED_ADJACENCY);
    }

    public int layers() { return widths.length - 1; }

    public Mlp readout() { return readout; }

    public static String weight(int l) { return "gcn.l" + l + ".w"; }

    public static String bias(int l) { return "gcn.l" + l + ".b"; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        for (int l = 0; l < layers(); l++) {
            params.add(weight(l), Init.glorot(rng, widths[l], widths[l + 1]));
            params.add(bias(l), Tensor.zeros(1, widths[l + 1]));
        }
        readout.init(params, rng);
    }

    @Override
    public Var forward(Tape t, Var x) {
        var s = shift.on(t.partition().graph());
        Var h = x;
        for (int l = 0; l < layers(); l++)
            h = t.relu(t.add(t.matmul(t.exchange(h, s), t.param(weight(l))), t.param(bias(l))));
        return readout.apply(t, h);
    }

    @Override
    public int rounds() { return layers(); }
}
