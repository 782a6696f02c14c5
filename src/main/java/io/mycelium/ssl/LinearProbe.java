package io.mycelium.ssl;

import java.util.Arrays;

/**
 * The linear-probe evaluation of frozen embeddings: standardize every dimension (mean and standard
 * deviation over all nodes), fit a multinomial logistic regression with an L2 penalty on the training
 * nodes for each penalty of a grid, keep the one with the best validation accuracy (the first on a tie),
 * and report its test accuracy. The fit is full-batch accelerated gradient descent from zero, so the
 * probe is deterministic: the spread over seeds comes from the encoder alone.
 */
public final class LinearProbe {
    /** The penalties tried: λ in (1/n)·Σ cross-entropy + (λ/2)·‖W‖². */
    public static final double[] L2_GRID = {1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3, 10};
    static final int ITERATIONS = 400;

    public record Result(double testAccuracy, double valAccuracy, double l2) {}

    private LinearProbe() {}

    /** {@code emb} is {@code n × dim} row-major; labels of the split nodes must be ≥ 0. */
    public static Result evaluate(double[] emb, int dim, int[] labels, int classes, int[] train, int[] val, int[] test) {
        int n = labels.length;
        if (emb.length != (long) n * dim) throw new IllegalArgumentException("embeddings hold " + emb.length + " values, expected " + n + " × " + dim);
        double[] x = standardized(emb, n, dim);
        Result best = null;
        double[] w = new double[(dim + 1) * classes];
        for (double l2 : L2_GRID) {
            fit(x, dim, labels, classes, train, l2, w);
            double va = accuracy(x, dim, labels, classes, val, w);
            if (best == null || va > best.valAccuracy()) best = new Result(accuracy(x, dim, labels, classes, test, w), va, l2);
        }
        return best;
    }

    static double[] standardized(double[] emb, int n, int dim) {
        double[] x = emb.clone();
        for (int k = 0; k < dim; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i * dim + k];
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) { double d = x[i * dim + k] - mean; var += d * d; }
            double sd = Math.sqrt(var / n);
            for (int i = 0; i < n; i++) x[i * dim + k] = sd > 1e-12 ? (x[i * dim + k] - mean) / sd : 0;
        }
        return x;
    }

    /**
     * Minimizes (1/|train|)·Σ CE + (λ/2)·‖W‖² (bias unpenalized) by Nesterov's method with step 1/L,
     * L = ½·λmax(XᵀX/|train|) + λ bounding the Hessian; {@code w} is (dim+1) × classes, bias last.
     */
    static void fit(double[] x, int dim, int[] labels, int classes, int[] train, double l2, double[] w) {
        int m = train.length, p = (dim + 1) * classes;
        double lip = 0.5 * topEigen(x, dim, train) + l2;
        double step = 1 / lip;
        Arrays.fill(w, 0);
        double[] prev = new double[p], look = new double[p], g = new double[p], z = new double[classes];
        double t = 1;
        for (int it = 0; it < ITERATIONS; it++) {
            gradient(x, dim, labels, classes, train, l2, look, g, z);
            System.arraycopy(w, 0, prev, 0, p);
            for (int k = 0; k < p; k++) w[k] = look[k] - step * g[k];
            double tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2, mom = (t - 1) / tn;
            for (int k = 0; k < p; k++) look[k] = w[k] + mom * (w[k] - prev[k]);
            t = tn;
        }
    }

    private static void gradient(double[] x, int dim, int[] labels, int classes, int[] rows, double l2, double[] w, double[] g, double[] z) {
        int m = rows.length;
        for (int k = 0; k < dim * classes; k++) g[k] = l2 * w[k];
        Arrays.fill(g, dim * classes, g.length, 0);
        for (int i : rows) {
            logits(x, i, dim, classes, w, z);
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (double v : z) max = Math.max(max, v);
            for (int c = 0; c < classes; c++) { z[c] = Math.exp(z[c] - max); s += z[c]; }
            for (int c = 0; c < classes; c++) z[c] = (z[c] / s - (c == labels[i] ? 1 : 0)) / m;
            int base = i * dim;
            for (int k = 0; k < dim; k++) {
                double xk = x[base + k];
                int o = k * classes;
                for (int c = 0; c < classes; c++) g[o + c] += xk * z[c];
            }
            for (int c = 0; c < classes; c++) g[dim * classes + c] += z[c];
        }
    }

    private static void logits(double[] x, int i, int dim, int classes, double[] w, double[] z) {
        System.arraycopy(w, dim * classes, z, 0, classes);
        int base = i * dim;
        for (int k = 0; k < dim; k++) {
            double xk = x[base + k];
            int o = k * classes;
            for (int c = 0; c < classes; c++) z[c] += xk * w[o + c];
        }
    }

    static double accuracy(double[] x, int dim, int[] labels, int classes, int[] rows, double[] w) {
        double[] z = new double[classes];
        int ok = 0;
        for (int i : rows) {
            logits(x, i, dim, classes, w, z);
            int arg = 0;
            for (int c = 1; c < classes; c++) if (z[c] > z[arg]) arg = c;
            if (arg == labels[i]) ok++;
        }
        return (double) ok / rows.length;
    }

    /** Largest eigenvalue of XᵀX/|rows| with a bias column of ones, by power iteration. */
    private static double topEigen(double[] x, int dim, int[] rows) {
        double[] v = new double[dim + 1], u = new double[dim + 1];
        Arrays.fill(v, 1 / Math.sqrt(dim + 1));
        double lambda = 0;
        for (int it = 0; it < 100; it++) {
            Arrays.fill(u, 0);
            for (int i : rows) {
                double s = v[dim];
                for (int k = 0; k < dim; k++) s += x[i * dim + k] * v[k];
                for (int k = 0; k < dim; k++) u[k] += s * x[i * dim + k];
                u[dim] += s;
            }
            double norm = 0;
            for (double a : u) norm += a * a;
            norm = Math.sqrt(norm);
            if (norm == 0) return 1;
            lambda = norm / rows.length;
            for (int k = 0; k <= dim; k++) v[k] = u[k] / norm;
        }
        return lambda;
    }
}
