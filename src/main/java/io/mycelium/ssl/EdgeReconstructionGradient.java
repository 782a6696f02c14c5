package io.mycelium.ssl;

import java.util.Arrays;

/**
 * One node's gradient of the layer-wise edge-reconstruction loss with respect to its output u: the loss
 * compares the normalized output with the cached neighbours' outputs (positives) and with negatives by
 * temperature-scaled cosine similarity. {@link #start} normalizes u, {@link #addTerm} adds one positive or
 * negative, {@link #finish} takes the sum back through the normalization into {@link #du}. Arithmetic and
 * scratch only; which vectors are positives and negatives is the simulator's business.
 */
final class EdgeReconstructionGradient {
    private final double tau;
    private final double[] hz, dz;
    /** The gradient with respect to u after {@link #finish}. */
    final double[] du;
    private int width;
    private double norm;

    EdgeReconstructionGradient(int maxWidth, double tau) {
        this.tau = tau;
        hz = new double[maxWidth];
        dz = new double[maxWidth];
        du = new double[maxWidth];
    }

    /** Starts the gradient at output u[0..width). */
    void start(double[] u, int width) {
        this.width = width;
        double norm = 0;
        for (int j = 0; j < width; j++) { hz[j] = u[j]; norm += hz[j] * hz[j]; }
        norm = Math.sqrt(norm);
        if (norm > 0) for (int j = 0; j < width; j++) hz[j] /= norm;
        this.norm = norm;
        Arrays.fill(dz, 0);
    }

    /** Adds the loss term of one positive (coefficient −w·(1−σ(s/τ))/τ) or negative (w·σ(s/τ)/τ) vec[o..o+width). */
    void addTerm(double[] vec, int o, double w, boolean positive) {
        double nn = 0, dot = 0;
        for (int j = 0; j < width; j++) { nn += vec[o + j] * vec[o + j]; dot += hz[j] * vec[o + j]; }
        if (nn == 0) return;
        nn = Math.sqrt(nn);
        double s = dot / nn / tau;
        double coef = positive ? w * (1 - Encoder.sigmoid(s)) / tau : w * Encoder.sigmoid(s) / tau;
        coef /= nn;
        for (int j = 0; j < width; j++) dz[j] += coef * vec[o + j];
    }

    /** Takes the summed terms back through the normalization into {@link #du} (zero for a zero output). */
    void finish() {
        if (norm > 0) {
            double proj = 0;
            for (int j = 0; j < width; j++) proj += dz[j] * hz[j];
            for (int j = 0; j < width; j++) du[j] = (dz[j] - proj * hz[j]) / norm;
        } else Arrays.fill(du, 0);
    }
}
