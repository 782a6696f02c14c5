package io.mycelium.ssl;

import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.GraphIdentity;
import io.mycelium.artifact.ModelFile;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;

import java.nio.file.Path;

/**
 * A trained layer-wise SSL encoder as a {@code .myc} file (custom type {@value #TYPE}): one copy of every
 * layer's W ({@code ssl.l<l>.w}, in × width) and b ({@code ssl.l<l>.b}), the widths and the loss in the
 * config, the identity of the graph it was trained on. {@link #embedding} runs it on any graph.
 */
public final class EncoderFile {
    public static final String TYPE = "ssl-encoder";

    /** The config of the file: input width, layer widths, loss, and what the parameters are. */
    public record Saved(int inputDim, int[] widths, String loss, String embedding, String copy) {}

    private EncoderFile() {}

    /**
     * The file for parameters {@code p} ({@code [l]}: W then b) of an encoder of config {@code c} on
     * {@code data}; {@code copy} says which copy this is (e.g. "the mean of the nodes' copies").
     */
    public static CustomModelFile of(SslGraph data, SslConfig c, double[][] p, String copy, ModelFile.Training training) {
        Params params = new Params();
        for (int l = 1; l <= c.layers(); l++) {
            int in = c.in(l, data.inputDim()), w = c.width(l);
            params.add("ssl.l" + l + ".w", new Tensor(java.util.Arrays.copyOf(p[l], in * w), 1, in, w));
            params.add("ssl.l" + l + ".b", new Tensor(java.util.Arrays.copyOfRange(p[l], in * w, in * w + w), 1, w));
        }
        Saved s = new Saved(data.inputDim(), c.widths(), c.loss().name().toLowerCase(java.util.Locale.ROOT),
                "[ReLU(u1) | ... | ReLU(uL)], u_l = GCN-normalized aggregate (self-loops) of ReLU(u_{l-1}) (u_0: the inputs) times W_l plus b_l", copy);
        return new CustomModelFile(TYPE, "layer-wise self-supervised GCN encoder " + java.util.Arrays.toString(c.widths()) + ", " + s.loss()
                + " loss", CustomModelFile.config(s), params, GraphIdentity.of(data.graph()), training);
    }

    /** The parameters ({@code [l]}: W then b) of a file written by {@link #of}. */
    public static double[][] parameters(CustomModelFile f, Path file) {
        Saved s = f.config(Saved.class, file);
        double[][] p = new double[s.widths().length + 1][];
        for (int l = 1; l <= s.widths().length; l++) {
            double[] w = f.params().get("ssl.l" + l + ".w").data(), b = f.params().get("ssl.l" + l + ".b").data();
            p[l] = java.util.Arrays.copyOf(w, w.length + b.length);
            System.arraycopy(b, 0, p[l], w.length, b.length);
        }
        return p;
    }

    /** The embeddings [ReLU(u¹) ‖ … ‖ ReLU(u^L)] of parameters p ({@code [l]}: W then b) on {@code data}, n × embeddingDim. */
    public static double[] embedding(SslGraph data, SslConfig c, double[][] p) {
        int n = data.n();
        double[][] pre = new double[c.layers() + 1][];
        double[] in = data.inputs();
        for (int l = 1; l <= c.layers(); l++) {
            int inDim = c.in(l, data.inputDim());
            pre[l] = Encoder.affine(Encoder.aggregate(data.graph(), in, inDim), n, inDim, c.width(l), p[l]);
            in = CentralizedLayerwise.relu(pre[l]);
        }
        return CentralizedLayerwise.relu(CentralizedLayerwise.concat(pre, n, c));
    }
}
