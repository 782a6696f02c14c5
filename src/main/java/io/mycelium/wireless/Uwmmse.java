package io.mycelium.wireless;

import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.ModelFile;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Unfolded WMMSE (wireless spec B.5): {@value #LAYERS} WMMSE iterations whose weight step is
 * {@code ŵ = a·w̃ + b}, with a^(l), b^(l) ∈ (0,1)^N from two GCNNs per layer on the shift operator
 * S = H and the all-ones input:
 * {@code X¹ = ReLU(H 1 Θ1¹ + c1¹ + diag(H) 1 Θ0¹ + c0¹)}, {@code y = σ(H X¹ Θ1² + c1² + diag(H) X¹ Θ0² + c0²)}
 * (widths 1 → 5 → 1, both biases kept as the authors have them). Node i's layers use its own copy
 * of the parameters (Θ1 on the receiving side, the paper's eq. 10).
 *
 * <p>Parameters: one tensor {@value #THETA} of shape [copies, {@value #PARAMS}]; GCNN g (2l for a^(l),
 * 2l+1 for b^(l)) owns entries [32g, 32g + 32) in the order of the offsets below.
 *
 * <p>{@link #program} is the model as a tape program over one CSI sample: the reference for the fast
 * kernel ({@link UwmmseKernel}) and the measure of its messages. Its exchanges are those the kernel's
 * schedule needs: one of the all-ones input (shared by the eight GCNNs), one of the eight hidden
 * layers together (40 values per node), two per WMMSE layer, and one for the receivers' interference.
 */
public final class Uwmmse {
    private Uwmmse() {}

    public static final int LAYERS = 4;
    public static final int GCNNS = 2 * LAYERS;
    public static final int HIDDEN = 5;
    public static final int PER_GCNN = 32;
    public static final int PARAMS = GCNNS * PER_GCNN;
    public static final String THETA = "theta";
    /** Offsets inside one GCNN's 32 entries. */
    static final int T1A = 0, T0A = 5, C1A = 10, C0A = 15, T1B = 20, T0B = 25, C1B = 30, C0B = 31;
    /** Initial value of every bias (the authors' constant initializer). */
    public static final double BIAS_INIT = 0.1;

    /** What a saved UWMMSE model holds besides its parameters (the {@code config} of its .myc file). */
    public record Saved(int links, int layers, int hidden, double pMaxWatts, double noiseWatts, String layout) {
        public static Saved of() {
            return new Saved(Channels.LINKS, LAYERS, HIDDEN, Channels.P_MAX, Channels.NOISE,
                    THETA + "[copy, 32 g + k]: GCNN g = 2l gives a of layer l, 2l + 1 gives b; k: Θ1 of layer 1 (5), Θ0 (5), c1 (5), c0 (5), "
                    + "Θ1 of layer 2 (5), Θ0 (5), c1, c0; one copy (centralized) or one per link");
        }
    }

    /** The trained model as a .myc file (custom type "uwmmse"; trained over many channel draws, so no graph identity). */
    public static CustomModelFile file(Params params, ModelFile.Training training) {
        return new CustomModelFile("uwmmse", "UWMMSE power allocation: " + LAYERS + " unfolded WMMSE layers, a and b from " + GCNNS
                + " GCNNs 1 -> " + HIDDEN + " -> 1 on S = H, " + Channels.LINKS + " links", CustomModelFile.config(Saved.of()), params, null, training);
    }

    /**
     * Tied parameters: Glorot-uniform weights (limit √(6/(1+5)) = 1 for both layers), biases 0.1.
     * Every GCNN draws its own weights (the authors' TF1 graph most likely started them equal; the
     * spec does not require it).
     */
    public static Params init(UniformRandomProvider rng) {
        double[] t = new double[PARAMS];
        double limit = Math.sqrt(6.0 / (1 + HIDDEN));
        for (int g = 0; g < GCNNS; g++) {
            int o = g * PER_GCNN;
            for (int k = 0; k < HIDDEN; k++) {
                t[o + T1A + k] = -limit + 2 * limit * rng.nextDouble();
                t[o + T0A + k] = -limit + 2 * limit * rng.nextDouble();
                t[o + C1A + k] = BIAS_INIT;
                t[o + C0A + k] = BIAS_INIT;
                t[o + T1B + k] = -limit + 2 * limit * rng.nextDouble();
                t[o + T0B + k] = -limit + 2 * limit * rng.nextDouble();
            }
            t[o + C1B] = BIAS_INIT;
            t[o + C0B] = BIAS_INIT;
        }
        return new Params().add(THETA, new Tensor(t, 1, PARAMS));
    }

    /**
     * Records the model on one sample and returns each node's rate [N, 1] (bit/s/Hz). Parameters are
     * the tape's {@value #THETA} ([1 or N, 256]); nodes are the links of the sample's interference graph.
     */
    public static Var program(Tape t, Interference s, double[] h, int offset) {
        int n = Channels.LINKS;
        double[] dd = new double[n];
        for (int i = 0; i < n; i++) dd[i] = h[offset + i * n + i];
        Var d = t.constant(new Tensor(dd, n, 1));
        Var theta = t.param(THETA);
        Var ones = t.constant(Tensor.full(1.0, n, 1));
        Var shiftedOnes = t.exchange(ones, s.shift());
        Var[] hidden = new Var[GCNNS];
        for (int g = 0; g < GCNNS; g++) {
            int o = g * PER_GCNN;
            Var pre = t.add(t.add(t.matmul(shiftedOnes, weight(t, theta, o + T1A, 1, HIDDEN)), bias(t, theta, o + C1A, HIDDEN)),
                    t.add(t.matmul(t.mul(d, ones), weight(t, theta, o + T0A, 1, HIDDEN)), bias(t, theta, o + C0A, HIDDEN)));
            hidden[g] = t.relu(pre);
        }
        Var shiftedHidden = t.exchange(t.concat(hidden), s.shift());
        Var[] out = new Var[GCNNS];
        for (int g = 0; g < GCNNS; g++) {
            int o = g * PER_GCNN;
            Var agg = t.slice(shiftedHidden, g * HIDDEN, (g + 1) * HIDDEN);
            Var pre = t.add(t.add(t.matmul(agg, weight(t, theta, o + T1B, HIDDEN, 1)), bias(t, theta, o + C1B, 1)),
                    t.add(t.matmul(t.mul(d, hidden[g]), weight(t, theta, o + T0B, HIDDEN, 1)), bias(t, theta, o + C0B, 1)));
            out[g] = t.sigmoid(pre);
        }
        Var v = t.constant(Tensor.full(Channels.V_MAX, n, 1));
        Var one = t.constant(Tensor.full(1.0, n, 1));
        for (int l = 0; l < LAYERS; l++) {
            Var noisePlus = t.addScalar(t.exchange(t.square(v), s.received()), Channels.NOISE);
            Var u = t.div(t.mul(d, v), noisePlus);
            Var wt = t.div(one, t.sub(one, t.mul(t.mul(u, d), v)));
            Var wh = t.add(t.mul(out[2 * l], wt), out[2 * l + 1]);
            Var denom = t.exchange(t.mul(t.square(u), wh), s.sent());
            v = t.clip(t.div(t.mul(t.mul(d, u), wh), denom), 0, Channels.V_MAX);
        }
        Var interference = t.addScalar(t.exchange(t.square(v), s.others()), Channels.NOISE);
        Var sinr = t.div(t.square(t.mul(d, v)), interference);
        return t.scale(t.log(t.addScalar(sinr, 1)), 1 / Math.log(2));
    }

    /** Entries [from, from + in·out) of θ as a [copies, in, out] weight. */
    private static Var weight(Tape t, Var theta, int from, int in, int out) {
        Var w = t.slice(theta, from, from + in * out);
        return t.reshape(w, w.value().rows(), in, out);
    }

    private static Var bias(Tape t, Var theta, int from, int width) { return t.slice(theta, from, from + width); }
}
