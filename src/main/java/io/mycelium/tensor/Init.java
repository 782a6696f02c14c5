package io.mycelium.tensor;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/** Seeded random tensors. Every random number in Mycelium comes from a provider made here. */
public final class Init {
    private Init() {}

    /** The project's generator: same seed, same stream, on every machine. */
    public static UniformRandomProvider rng(long seed) { return RandomSource.XO_SHI_RO_256_PP.create(seed); }

    public static Tensor uniform(UniformRandomProvider rng, double lo, double hi, int... shape) {
        Tensor t = Tensor.zeros(shape);
        double[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
        return t;
    }

    public static Tensor normal(UniformRandomProvider rng, double mean, double std, int... shape) {
        Tensor t = Tensor.zeros(shape);
        var g = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = mean + std * g.sample();
        return t;
    }

    /** Glorot/Xavier uniform for a {@code [1, fanIn, fanOut]} weight. */
    public static Tensor glorot(UniformRandomProvider rng, int fanIn, int fanOut) {
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        return uniform(rng, -a, a, 1, fanIn, fanOut);
    }

    /**
     * How an affine layer {@code y = x W + b} starts ({@code W}: {@code [1, fanIn, fanOut]}, {@code b}:
     * {@code [1, fanOut]}). The papers name no initialization, so this is a choice of framework defaults.
     */
    public enum Affine {
        /** Glorot-uniform W, zero b: Mycelium's default (and Flax's zero bias). Draws nothing for b. */
        GLOROT_ZERO,
        /** PyTorch's {@code nn.Linear} default: W and b each U(−1/√fanIn, 1/√fanIn) (kaiming_uniform with a = √5). */
        TORCH_LINEAR;

        public Tensor weight(UniformRandomProvider rng, int fanIn, int fanOut) {
            if (this == GLOROT_ZERO) return glorot(rng, fanIn, fanOut);
            double a = 1 / Math.sqrt(fanIn);
            return uniform(rng, -a, a, 1, fanIn, fanOut);
        }

        public Tensor bias(UniformRandomProvider rng, int fanIn, int fanOut) {
            if (this == GLOROT_ZERO) return Tensor.zeros(1, fanOut);
            double a = 1 / Math.sqrt(fanIn);
            return uniform(rng, -a, a, 1, fanOut);
        }

        /** The command-line name: {@code glorot} or {@code torch}. */
        public String id() { return this == GLOROT_ZERO ? "glorot" : "torch"; }

        public static Affine of(String id) {
            for (Affine a : values()) if (a.id().equals(id)) return a;
            throw new IllegalArgumentException("unknown initialization '" + id + "'; choose glorot or torch");
        }
    }
}
