package io.mycelium.wireless;

/**
 * The channel model of the UWMMSE experiment (wireless spec B.1–B.2): 25 transmitter–receiver pairs
 * placed uniformly in a 1 km square, 3GPP UMa "optional" path loss at 0.9 GHz, log-normal shadowing
 * (7.2 dB, clipped at ±2σ), Rayleigh fading, and a cut-off that zeroes amplitudes below the link
 * budget. One location realization carries {@value #SAMPLES} CSI samples that differ in shadowing
 * and fading. Draws follow the authors' generator on numpy's legacy stream in the same order.
 *
 * <p>Layout of a batch: {@code h[b·N² + i·N + j]} = |channel from transmitter i to receiver j| of
 * sample b; {@code h[b·N² + i·N + i]} is link i's direct channel.
 */
public final class Channels {
    private Channels() {}

    /** Links (transmitter–receiver pairs). */
    public static final int LINKS = 25;
    /** CSI samples per location realization: one mini-batch. */
    public static final int SAMPLES = 64;
    /** Entries of one sample's channel matrix. */
    public static final int SIZE = LINKS * LINKS;
    /** Maximum transmit power, W. */
    public static final double P_MAX = 5;
    /** Maximum transmit amplitude √P_max. */
    public static final double V_MAX = Math.sqrt(P_MAX);
    /** Noise power σ² in W: −136.87 dBW (−106.87 dBm, kTB at 5 MHz). */
    public static final double NOISE = Math.pow(10, -136.87 / 10);
    /** Half the side of the square, m. */
    public static final double HALF_WIDTH = 500;
    /** Carrier frequency, GHz. */
    public static final double CARRIER_GHZ = 0.9;
    /** Shadowing standard deviation, dB (clipped at ±2σ). */
    public static final double SHADOWING_DB = 7.2;
    /** Rayleigh scale 1/√2, so E[r²] = 1. */
    public static final double RAYLEIGH_SCALE = 1 / Math.sqrt(2);
    /** Amplitudes below this are set to 0: 5 W in dBm, minus the noise floor, minus 10 dB SNR, plus 5 dB tolerance. */
    public static final double CUTOFF = Math.pow(10, -(10 * Math.log10(P_MAX / 1e-3) + 106.87 - 10 + 5) / 20);
    /** Bandwidth, Hz: bit/s/Hz × 5 MHz = bit/s (the paper's y-axis is Mbit/s). */
    public static final double BANDWIDTH_HZ = 5e6;
    /**
     * Distances are clamped at this many metres before the logarithm. The authors' code has no
     * minimum; a distance under 1 m has probability about 6e-6 per pair, so this never changes a draw
     * in practice and only keeps a zero distance from giving an infinite gain.
     */
    public static final double MIN_DISTANCE_M = 1;

    private static final double LN10 = Math.log(10);

    /** Draws one location realization: {@value #SAMPLES} samples into {@code h} ({@code SAMPLES · SIZE}). */
    public static void location(LegacyNumpyRandom r, double[] h, double[] pathLossDb) {
        int n = LINKS;
        double[] tx = new double[n], ty = new double[n], rx = new double[n], ry = new double[n];
        for (int i = 0; i < n; i++) tx[i] = r.uniform(-HALF_WIDTH, HALF_WIDTH);
        for (int i = 0; i < n; i++) ty[i] = r.uniform(-HALF_WIDTH, HALF_WIDTH);
        for (int i = 0; i < n; i++) rx[i] = r.uniform(-HALF_WIDTH, HALF_WIDTH);
        for (int i = 0; i < n; i++) ry[i] = r.uniform(-HALF_WIDTH, HALF_WIDTH);
        double pl0 = 32.4 + 20 * Math.log10(CARRIER_GHZ);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double dx = tx[i] - rx[j], dy = ty[i] - ry[j];
                double d = Math.max(MIN_DISTANCE_M, Math.sqrt(dx * dx + dy * dy));
                pathLossDb[i * n + j] = pl0 + 30 * Math.log10(d);
            }
        double clip = 2 * SHADOWING_DB;
        for (int b = 0; b < SAMPLES; b++)
            for (int k = 0; k < SIZE; k++) {
                double x = Math.min(clip, Math.max(-clip, SHADOWING_DB * r.nextGaussian()));
                h[b * SIZE + k] = Math.exp(-(pathLossDb[k] + x) / 20 * LN10);   // 10^(−dB/20), as exp: a third of pow's time
            }
        for (int q = 0; q < SAMPLES * SIZE; q++) {
            double v = h[q] * r.rayleigh(RAYLEIGH_SCALE);
            h[q] = v < CUTOFF ? 0 : v;
        }
    }

    /** Advances the stream past one location realization exactly as {@link #location} would, without building it. */
    public static void skipLocation(LegacyNumpyRandom r) {
        for (int k = 0; k < 4 * LINKS; k++) r.nextDouble();
        for (int k = 0; k < SAMPLES * SIZE; k++) r.nextGaussian();
        for (int k = 0; k < SAMPLES * SIZE; k++) r.rayleigh(1);
    }
}
