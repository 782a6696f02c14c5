package io.mycelium.train;

/**
 * Anderson acceleration (type II, Walker and Ni 2011) of a fixed-point iteration {@code x ← g(x)}
 * over flat double arrays. Each call of {@link #next} gets {@code x_k} and {@code g(x_k)} and returns
 * {@code x_{k+1} = g(x_k) − Σ_j γ_j Δg_j}, where γ minimizes ‖f_k − Σ_j γ_j Δf_j‖ over the last
 * {@code m} differences of residuals {@code f = g(x) − x} (normal equations with a small ridge).
 *
 * <p>The solution is the same fixed point (the iteration only stops when ‖g(x) − x‖∞ is below the
 * tolerance), so training and its implicit gradient do not change; slowly contracting maps (energy
 * GNNs' gradient steps, 1 − αβ ≈ 0.98) take several times fewer applications of g. A step whose
 * residual grows far beyond the best seen restarts the history (the plain step is always safe).
 * Used only by the centralized solver in training: distributed inference iterates the plain map.
 */
final class Anderson {
    private final int m;
    private final double[][] df, dg;
    private final double[] fPrev, gPrev, f;
    private int stored, head;
    private boolean havePrev;
    private double best = Double.POSITIVE_INFINITY;

    Anderson(int m, int size) {
        this.m = m;
        this.df = new double[m][size];
        this.dg = new double[m][size];
        this.fPrev = new double[size];
        this.gPrev = new double[size];
        this.f = new double[size];
    }

    /** Writes x_{k+1} into {@code x} (which holds x_k) from {@code g} = g(x_k). */
    void next(double[] x, double[] g) {
        int n = x.length;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            f[i] = g[i] - x[i];
            norm += f[i] * f[i];
        }
        if (norm > 1e4 * best) restart();
        best = Math.min(best, norm);
        if (havePrev) {
            double[] a = df[head], b = dg[head];
            for (int i = 0; i < n; i++) {
                a[i] = f[i] - fPrev[i];
                b[i] = g[i] - gPrev[i];
            }
            head = (head + 1) % m;
            stored = Math.min(stored + 1, m);
        }
        System.arraycopy(f, 0, fPrev, 0, n);
        System.arraycopy(g, 0, gPrev, 0, n);
        havePrev = true;
        System.arraycopy(g, 0, x, 0, n);
        if (stored == 0) return;
        int s = stored;
        double[][] gram = new double[s][s];
        double[] rhs = new double[s];
        double trace = 0;
        for (int p = 0; p < s; p++) {
            for (int q = 0; q <= p; q++) {
                double d = dot(df[p], df[q]);
                gram[p][q] = d;
                gram[q][p] = d;
            }
            rhs[p] = dot(df[p], f);
            trace += gram[p][p];
        }
        if (!(trace > 0)) return;
        double ridge = 1e-10 * trace / s;
        for (int p = 0; p < s; p++) gram[p][p] += ridge;
        double[] gamma = solve(gram, rhs);
        if (gamma == null) {
            restart();
            return;
        }
        for (int p = 0; p < s; p++) {
            double c = gamma[p];
            if (!Double.isFinite(c)) {
                System.arraycopy(g, 0, x, 0, n);
                restart();
                return;
            }
            double[] b = dg[p];
            for (int i = 0; i < n; i++) x[i] -= c * b[i];
        }
    }

    void restart() {
        stored = 0;
        head = 0;
        havePrev = false;
        best = Double.POSITIVE_INFINITY;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Cholesky solve of a small symmetric positive definite system; null if it is not. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) return null;
                    l[i][i] = Math.sqrt(s);
                } else l[i][j] = s / l[j][j];
            }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i][k] * y[k];
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k];
            x[i] = s / l[i][i];
        }
        return x;
    }
}
