package io.mycelium.wireless;

/**
 * The objective of wireless spec B.6: {@code Σ_i log2(1 + SINR_i)} with
 * {@code SINR_i = H_ii² v_i² / (σ² + Σ_{j≠i} H_ji² v_j²)}, in bit/s/Hz. Each receiver measures its own
 * SINR, so evaluating it takes no message.
 */
public final class SumRate {
    private SumRate() {}

    /** Sum rate of one sample ({@code h} from {@code offset}, {@code v} from {@code vOffset}). */
    public static double of(double[] h, int offset, double[] v, int vOffset) {
        int n = Channels.LINKS;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double interference = Channels.NOISE;
            for (int j = 0; j < n; j++) {
                if (j == i) continue;
                double a = h[offset + j * n + i] * v[vOffset + j];
                interference += a * a;
            }
            double s = h[offset + i * n + i] * v[vOffset + i];
            total += Math.log1p(s * s / interference) / Math.log(2);
        }
        return total;
    }
}
