package io.mycelium.ssl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LinearProbeTest {
    /** Three Gaussian blobs in 4 dimensions, 60 nodes: 0-29 train, 30-44 val, 45-59 test. */
    static double[] blobs(int[] labels, double spread) {
        double[] x = new double[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
            for (int k = 0; k < 4; k++)
                x[i * 4 + k] = (k == labels[i] ? 3 : 0) + spread * Draw.normal(Draw.hash(9, 1, i, k, 0), Draw.hash(9, 2, i, k, 0));
        }
        return x;
    }

    static int[] range(int a, int b) { return java.util.stream.IntStream.range(a, b).toArray(); }

    @Test
    void separatesSeparableClassesAndNotRandomOnes() {
        int[] labels = new int[60];
        double[] x = blobs(labels, 0.3);
        LinearProbe.Result r = LinearProbe.evaluate(x, 4, labels, 3, range(0, 30), range(30, 45), range(45, 60));
        assertThat(r.testAccuracy()).isEqualTo(1.0);
        // labels that do not depend on x: no better than a lucky guess on 15 test nodes
        int[] random = new int[60];
        for (int i = 0; i < 60; i++) random[i] = Draw.below(Draw.hash(4, 4, i, 0, 0), 3);
        double[] noise = new double[240];
        for (int k = 0; k < noise.length; k++) noise[k] = Draw.normal(Draw.hash(5, 1, k, 0, 0), Draw.hash(5, 2, k, 0, 0));
        assertThat(LinearProbe.evaluate(noise, 4, random, 3, range(0, 30), range(30, 45), range(45, 60)).testAccuracy()).isLessThan(0.7);
    }

    @Test
    void fitReachesTheRegularizedOptimum() {
        int[] labels = new int[60];
        double[] x = LinearProbe.standardized(blobs(labels, 2.0), 60, 4);
        int[] train = range(0, 30);
        double l2 = 0.1, h = 1e-6;
        double[] w = new double[5 * 3];
        LinearProbe.fit(x, 4, labels, 3, train, l2, w);
        // finite-difference gradient of (1/m)·Σ CE + (λ/2)·‖W‖² (bias unpenalized) vanishes at the fit
        for (int k = 0; k < w.length; k++) {
            double[] wp = w.clone(), wm = w.clone();
            wp[k] += h;
            wm[k] -= h;
            double gk = (objective(x, labels, train, wp, l2) - objective(x, labels, train, wm, l2)) / (2 * h);
            assertThat(Math.abs(gk)).as("gradient %d", k).isLessThan(1e-4);
        }
    }

    static double objective(double[] x, int[] labels, int[] rows, double[] w, double l2) {
        double s = 0;
        for (int i : rows) {
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) { z[c] = w[12 + c]; for (int k = 0; k < 4; k++) z[c] += x[i * 4 + k] * w[k * 3 + c]; }
            double max = Math.max(z[0], Math.max(z[1], z[2])), lse = 0;
            for (double v : z) lse += Math.exp(v - max);
            s += max + Math.log(lse) - z[labels[i]];
        }
        double reg = 0;
        for (int k = 0; k < 12; k++) reg += w[k] * w[k];
        return s / rows.length + l2 / 2 * reg;
    }
}
