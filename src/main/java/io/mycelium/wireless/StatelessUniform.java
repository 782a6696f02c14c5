package io.mycelium.wireless;

/**
 * TensorFlow's {@code tf.random.stateless_uniform(shape, seed=[s0, s1], dtype=float64)} on the CPU,
 * bit for bit: Philox4x32-10 (Salmon et al., "Random123"), the key and counter TensorFlow derives from
 * the seed pair (one Philox call on the seed under a fixed key), and two 32-bit words per double (52
 * mantissa bits, {@code [1, 2) − 1}). Keras's {@code GlorotUniform(seed=s)} draws its kernel with
 * seed pair (s, 0), so this regenerates the initial actor of the authors' link-scheduling code.
 */
final class StatelessUniform {
    private StatelessUniform() {}

    private static final int W_A = 0x9E3779B9, W_B = 0xBB67AE85, M_A = 0xD2511F53, M_B = 0xCD9E8D57;

    /** One Philox4x32-10 block: 10 rounds on {@code counter} under {@code key} (both unchanged). */
    static int[] philox(int[] counter, int[] key) {
        int c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3], k0 = key[0], k1 = key[1];
        for (int r = 0; r < 10; r++) {
            long p0 = (M_A & 0xffffffffL) * (c0 & 0xffffffffL), p1 = (M_B & 0xffffffffL) * (c2 & 0xffffffffL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0, n1 = (int) p1, n2 = (int) (p0 >>> 32) ^ c3 ^ k1, n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W_A;
            k1 += W_B;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** {@code size} doubles uniform in [0, 1), the stream TensorFlow gives seed pair (s0, s1). */
    static double[] draw(long s0, long s1, int size) {
        int[] mix = philox(new int[] {(int) s0, (int) (s0 >>> 32), (int) s1, (int) (s1 >>> 32)}, new int[] {0x3ec8f720, 0x02461e29});
        int[] key = {mix[0], mix[1]};
        long lo = 0, hi = (mix[2] & 0xffffffffL) | ((long) mix[3] << 32);   // the 128-bit counter: words 0-1 and 2-3
        double[] out = new double[size];
        for (int k = 0; k < size; k += 2) {
            int[] r = philox(new int[] {(int) lo, (int) (lo >>> 32), (int) hi, (int) (hi >>> 32)}, key);
            out[k] = toDouble(r[0], r[1]);
            if (k + 1 < size) out[k + 1] = toDouble(r[2], r[3]);
            if (++lo == 0) hi++;
        }
        return out;
    }

    private static double toDouble(int x0, int x1) {
        long mantissa = ((long) (x0 & 0xfffff) << 32) | (x1 & 0xffffffffL);
        return Double.longBitsToDouble((1023L << 52) | mantissa) - 1.0;
    }
}
