package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * Graph attention network (hogwild paper, eqs. 18–20) with multiple heads concatenated, followed by
 * a readout MLP. Per layer and head, with {@code z = h W} split into heads of width q:
 * <pre>
 *   e_ij = LeakyReLU_0.2(a_dst · z_i + a_src · z_j),   α_ij = softmax over j ∈ N(i) ∪ {i},
 *   h_i' = ReLU(Σ_j α_ij z_j)   (heads concatenated)
 * </pre>
 * The attention includes the node itself, as in GAT. One round per layer: every node sends the row
 * {@code [z_j, a_src · z_j]} ({@code neighbours}), so the receiver has both the message and the
 * source half of the score; its own term needs no message. The softmax over N(i) ∪ {i} is
 * taken with every score of node i shifted by M_i, the largest of them, so no exponent is positive.
 * M_i enters as a constant: the softmax does not depend on a common shift, so neither its value nor
 * its gradient changes. (Normalising by the self score instead, e^(e_ij − e_ii), overflowed to NaN
 * under asynchronous inference, where a neighbour's row from another layer put score gaps above 700.)
 *
 * <p>All embeddings have the width k = heads × q (the paper's 3 heads of 3, Appendix F): {@code h^0
 * = x W_enc + b_enc} is a node-local linear map of the features to width k, so under asynchrony a
 * neighbour still at another layer sends a row of the same shape (see {@link LayeredModel}).
 *
 * <p>Inputs are {@code [nodes, features]}. Parameters: the encoder's {@code "gat.enc.*"}; per layer
 * {@code "gat.l<l>.w"} ({@code [copies, k, k]}), {@code "gat.l<l>.asrc"}, {@code "gat.l<l>.adst"}
 * ({@code [copies, heads, q]}); readout {@code "gat.out.*"}.
 */
public final class Gat implements LayeredModel {
    public static final double SLOPE = 0.2;

    private final int inWidth, layers, heads, q;
    private final Mlp encoder, readout;
    private final Init.Affine init;

    public Gat(int inWidth, int layers, int heads, int headWidth, int[] readoutHidden, int outWidth) {
        this(inWidth, layers, heads, headWidth, readoutHidden, outWidth, Init.Affine.GLOROT_ZERO);
    }

    /**
     * @param layers     message-passing layers L
     * @param heads      attention heads, concatenated
     * @param headWidth  the width q of each head (every embedding is heads × q wide)
     * @param init       how the encoder, every layer's W^l (a bias-free affine layer) and the readout start;
     *                   the attention vectors are drawn U(±√(6/(q+1))) either way
     */
    public Gat(int inWidth, int layers, int heads, int headWidth, int[] readoutHidden, int outWidth, Init.Affine init) {
        if (layers < 1 || heads < 1 || inWidth < 1 || headWidth < 1)
            throw new IllegalArgumentException("a GAT needs at least one layer, one head of positive width and one input feature");
        this.inWidth = inWidth;
        this.layers = layers;
        this.heads = heads;
        this.q = headWidth;
        this.encoder = new Mlp("gat.enc", new int[] {inWidth, heads * headWidth}, Activation.IDENTITY, init);
        this.readout = Mlp.of("gat.out", heads * headWidth, readoutHidden, outWidth, init);
        this.init = init;
    }

    /** The paper's configuration (Appendix F.1): 5 layers, 3 heads of width 3 concatenated, readout (4, 4, out). */
    public static Gat paper(int inWidth, int outWidth) { return paper(inWidth, outWidth, Init.Affine.GLOROT_ZERO); }

    /** As {@link #paper(int, int)}, every affine layer starting as {@code init} draws it. */
    public static Gat paper(int inWidth, int outWidth, Init.Affine init) { return new Gat(inWidth, 5, 3, 3, new int[] {4, 4}, outWidth, init); }

    @Override
    public int layers() { return layers; }

    @Override
    public int width() { return heads * q; }

    public int heads() { return heads; }

    /** The width q of each head. */
    public int headWidth() { return q; }

    public int inWidth() { return inWidth; }

    public Mlp readout() { return readout; }

    public static String weight(int l) { return "gat.l" + l + ".w"; }

    public static String attSrc(int l) { return "gat.l" + l + ".asrc"; }

    public static String attDst(int l) { return "gat.l" + l + ".adst"; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        encoder.init(params, rng);
        for (int l = 0; l < layers; l++) {
            params.add(weight(l), init.weight(rng, width(), width()));
            double a = Math.sqrt(6.0 / (q + 1));
            params.add(attSrc(l), Init.uniform(rng, -a, a, 1, heads, q));
            params.add(attDst(l), Init.uniform(rng, -a, a, 1, heads, q));
        }
        readout.init(params, rng);
    }

    @Override
    public Var encode(Tape t, GraphInput in) {
        Var x = in.nodes();
        if (x.shape().length != 2 || x.dim(1) != inWidth)
            throw new IllegalArgumentException("GAT expects [nodes, " + inWidth + "] inputs, got " + Arrays.toString(x.shape()));
        return encoder.apply(t, x);
    }

    @Override
    public Var layer(Tape t, int l, Var h, GraphInput input) {
        int n = h.rows(), edges = t.partition().edgeCount(), hq = heads * q;
        Var z = t.matmul(h, t.param(weight(l)));                          // [n, H*q]
        Var z3 = t.reshape(z, n, heads, q);
        Var src = t.sum(t.mul(z3, t.param(attSrc(l))), 2);                // [n, H]
        Var dst = t.sum(t.mul(z3, t.param(attDst(l))), 2);                // [n, H]
        Var in = t.neighbours(t.concat(z, src));                         // [E, H*q + H]: (z_j, a_src·z_j)
        Var zj = t.reshape(t.slice(in, 0, hq), edges, heads, q);
        Var srcJ = t.slice(in, hq, hq + heads);
        Var eEdge = t.leakyRelu(t.add(t.atDestination(dst), srcJ), SLOPE); // [E, H]
        Var eSelf = t.leakyRelu(t.add(dst, src), SLOPE);                   // [n, H]
        Var top = t.constant(largestScores(t.partition().rowPtr(), eSelf.value(), eEdge.value()));
        Var wEdge = t.exp(t.sub(eEdge, t.atDestination(top)));             // exp(e_ij − M_i)
        Var wSelf = t.exp(t.sub(eSelf, top));                              // exp(e_ii − M_i)
        Var denom = t.add(t.edgeSum(wEdge), wSelf);                        // Σ over N(i) ∪ {i}
        Var num = t.add(t.edgeSum(t.mul(t.reshape(wEdge, edges, heads, 1), zj)), t.mul(t.reshape(wSelf, n, heads, 1), z3));
        Var msg = t.div(num, t.reshape(denom, n, heads, 1));
        return t.relu(t.reshape(msg, n, hq));
    }

    /** M_i per head: the largest of node i's own score and those of its incoming edges ({@code [n, H]}). */
    private static Tensor largestScores(int[] rowPtr, Tensor self, Tensor edge) {
        int n = self.rows(), h = self.rowSize();
        double[] s = self.data(), e = edge.data(), m = s.clone();
        for (int i = 0; i < n; i++)
            for (int q = rowPtr[i]; q < rowPtr[i + 1]; q++)
                for (int k = 0; k < h; k++) m[i * h + k] = Math.max(m[i * h + k], e[q * h + k]);
        return new Tensor(m, n, h);
    }

    @Override
    public Var readout(Tape t, Var h, GraphInput in) { return readout.apply(t, h); }
}
