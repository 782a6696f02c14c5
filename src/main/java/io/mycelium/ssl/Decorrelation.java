package io.mycelium.ssl;

/**
 * CCA-SSG's loss (Zhang et al. 2021, spec §4.2) on two views A, B of a batch of N outputs (N × d), and
 * what one node needs to know about the batch to compute its own part of the gradient.
 *
 * <p>Loss: Ẑ = (Z − μ)/s per dimension (μ the batch mean, s² the batch variance divided by N),
 * C_A = ẐAᵀẐA/N, C_B = ẐBᵀẐB/N, C_AB = ẐAᵀẐB/N and
 * L = −tr C_AB + λ(‖C_A − I‖²_F + ‖C_B − I‖²_F).
 *
 * <p>A node's gradient. Write g_i = −ẑB_i + 4λ(C_A − I)ẑA_i (N times ∂L/∂ẑA_i). Through the
 * standardization, N·∂L/∂zA_i = (g_i − mean_j g_j − ẑA_i ∘ mean_j(g_j ∘ ẑA_j)) / s_A. The standardized views
 * have mean 0, so mean_j g_j = 0, and mean_j(g_jk ẑA_jk) = κ_A,k = −C_AB,kk + 4λ(Σ_m C_A,km² − C_A,kk):
 * <pre>  N·∂L/∂zA_i = (g_i − ẑA_i ∘ κ_A) / s_A   (and B with the roles swapped)</pre>
 * So a node needs, besides its own views, only μ, s, C_A, C_B and the diagonal of C_AB, and these are
 * functions of the batch means of five per-node moments: zA, zB, zA∘zB and the upper triangles of zA zAᵀ
 * and zB zBᵀ ({@link #size} numbers). Decentralized, those means are what gossip averages; centrally they
 * are exact. N·∂L/∂z is the gradient a node steps on: its mean over the nodes is ∂L/∂θ.
 */
final class Decorrelation {
    private Decorrelation() {}

    /** Numbers in the moments of one d-wide layer: μA, μB, mean zA∘zB, then the two upper triangles. */
    static int size(int d) { return 3 * d + d * (d + 1); }

    /** Adds {@code weight} × the moments of one node's views zA[oa..oa+d), zB[ob..ob+d) to stats[so..]. */
    static void accumulate(double[] zA, int oa, double[] zB, int ob, int d, double weight, double[] stats, int so) {
        for (int k = 0; k < d; k++) {
            double a = zA[oa + k], b = zB[ob + k];
            stats[so + k] += weight * a;
            stats[so + d + k] += weight * b;
            stats[so + 2 * d + k] += weight * a * b;
        }
        int t = so + 3 * d, tb = t + d * (d + 1) / 2;
        for (int k = 0; k < d; k++) {
            double a = weight * zA[oa + k], b = weight * zB[ob + k];
            for (int m = k; m < d; m++, t++, tb++) {
                stats[t] += a * zA[oa + m];
                stats[tb] += b * zB[ob + m];
            }
        }
    }

    /** The batch as one node sees it: μ, 1/s, the correlation matrices and κ, from mean moments. */
    static final class Batch {
        final int d;
        final double lambda;
        final double[] muA, muB, invA, invB, cA, cB, cAB, kA, kB;
        double loss;

        Batch(int d, double lambda) {
            this.d = d;
            this.lambda = lambda;
            muA = new double[d];
            muB = new double[d];
            invA = new double[d];
            invB = new double[d];
            cA = new double[d * d];
            cB = new double[d * d];
            cAB = new double[d];
            kA = new double[d];
            kB = new double[d];
        }

        /** Reads mean moments at stats[so..] (a dimension whose variance is not positive gets 1/s = 0). */
        Batch from(double[] stats, int so) {
            int tA = so + 3 * d, tB = tA + d * (d + 1) / 2;
            System.arraycopy(stats, so, muA, 0, d);
            System.arraycopy(stats, so + d, muB, 0, d);
            correlation(stats, tA, muA, invA, cA);
            correlation(stats, tB, muB, invB, cB);
            double l = 0;
            for (int k = 0; k < d; k++) {
                cAB[k] = (stats[so + 2 * d + k] - muA[k] * muB[k]) * invA[k] * invB[k];
                double qa = 0, qb = 0;
                for (int m = 0; m < d; m++) {
                    double a = cA[k * d + m] - (k == m ? 1 : 0), b = cB[k * d + m] - (k == m ? 1 : 0);
                    qa += cA[k * d + m] * cA[k * d + m];
                    qb += cB[k * d + m] * cB[k * d + m];
                    l += lambda * (a * a + b * b);
                }
                kA[k] = -cAB[k] + 4 * lambda * (qa - cA[k * d + k]);
                kB[k] = -cAB[k] + 4 * lambda * (qb - cB[k * d + k]);
                l -= cAB[k];
            }
            loss = l;
            return this;
        }

        private void correlation(double[] stats, int t, double[] mu, double[] inv, double[] c) {
            int q = t;
            for (int k = 0; k < d; k++)
                for (int m = k; m < d; m++, q++) c[k * d + m] = c[m * d + k] = stats[q] - mu[k] * mu[m];
            for (int k = 0; k < d; k++) inv[k] = c[k * d + k] > 0 ? 1 / Math.sqrt(c[k * d + k]) : 0;
            for (int k = 0; k < d; k++) for (int m = 0; m < d; m++) c[k * d + m] *= inv[k] * inv[m];
        }

        /**
         * N·∂L/∂zA and N·∂L/∂zB for one node's views into dzA[0..d), dzB[0..d); {@code scratch} holds 2d.
         */
        void nodeGradient(double[] zA, int oa, double[] zB, int ob, double[] dzA, double[] dzB, double[] scratch) {
            for (int k = 0; k < d; k++) {
                scratch[k] = (zA[oa + k] - muA[k]) * invA[k];
                scratch[d + k] = (zB[ob + k] - muB[k]) * invB[k];
            }
            for (int k = 0; k < d; k++) {
                double ga = -scratch[d + k] - 4 * lambda * scratch[k], gb = -scratch[k] - 4 * lambda * scratch[d + k];
                for (int m = 0; m < d; m++) {
                    ga += 4 * lambda * cA[k * d + m] * scratch[m];
                    gb += 4 * lambda * cB[k * d + m] * scratch[d + m];
                }
                dzA[k] = (ga - scratch[k] * kA[k]) * invA[k];
                dzB[k] = (gb - scratch[d + k] * kB[k]) * invB[k];
            }
        }
    }
}
