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
}
