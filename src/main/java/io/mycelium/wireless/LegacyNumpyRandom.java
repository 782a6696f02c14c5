package io.mycelium.wireless;

/**
 * The random stream of numpy's legacy {@code RandomState(seed)}: MT19937 seeded by
 * {@code init_genrand}, doubles from two 32-bit words (53 bits), normals by the polar method with
 * the second value kept for the next call, Rayleigh as {@code scale·sqrt(−2 log1p(−u))}.
 *
 * <p>Why not Commons RNG: its Mersenne Twister seeds by {@code init_by_array} and its samplers are
 * different algorithms, so it cannot give the authors' channel draws. With this stream the wireless
 * experiment regenerates their training and test channels (wireless spec B.2), and their WMMSE
 * numbers come out to four digits. The state can be saved and restored, so a training set of
 * 10,000 locations is kept as one saved state per location instead of 3.2 GB of channels.
 */
public final class LegacyNumpyRandom {
    private static final int N = 624, M = 397;
    private final int[] mt = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    public LegacyNumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed must be in [0, 2^32 - 1], got " + seed);
        int s = (int) seed;
        for (int i = 0; i < N; i++) {
            mt[i] = s;
            s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
        }
        pos = N;
    }

    private LegacyNumpyRandom(LegacyNumpyRandom o) {
        System.arraycopy(o.mt, 0, mt, 0, N);
        pos = o.pos;
        hasGauss = o.hasGauss;
        gauss = o.gauss;
    }

    /** An independent copy of the current state. */
    public LegacyNumpyRandom copy() { return new LegacyNumpyRandom(this); }

    /** Makes this stream continue from {@code o}'s state. */
    public void restore(LegacyNumpyRandom o) {
        System.arraycopy(o.mt, 0, mt, 0, N);
        pos = o.pos;
        hasGauss = o.hasGauss;
        gauss = o.gauss;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        pos = 0;
    }

    /** The next 32-bit word, as an unsigned value in a long. */
    public long nextInt32() {
        if (pos == N) twist();
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** {@code random_sample()}: uniform on [0, 1) with 53 random bits. */
    public double nextDouble() {
        long a = nextInt32() >>> 5, b = nextInt32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** {@code uniform(lo, hi)}. */
    public double uniform(double lo, double hi) { return lo + (hi - lo) * nextDouble(); }

    /** {@code standard_normal()}: the polar method, two values per accepted pair. */
    public double nextGaussian() {
        if (hasGauss) {
            hasGauss = false;
            double t = gauss;
            gauss = 0;
            return t;
        }
        double x1, x2, r2;
        do {
            x1 = 2 * nextDouble() - 1;
            x2 = 2 * nextDouble() - 1;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1 || r2 == 0);
        double f = Math.sqrt(-2 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code rayleigh(scale)}. */
    public double rayleigh(double scale) { return scale * Math.sqrt(-2 * Math.log1p(-nextDouble())); }
}
