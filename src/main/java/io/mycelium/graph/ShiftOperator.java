package io.mycelium.graph;

import java.util.Locale;

/**
 * The graph shift operators S of the papers, and the Metropolis–Hastings consensus weights. On a
 * weighted graph, A holds the edge weights and D the weighted degrees Σ_j w_ij; the consensus
 * weights depend only on who talks to whom (neighbour counts), never on edge weights.
 */
public enum ShiftOperator {
    /** A. */
    ADJACENCY,
    /** D^-1/2 A D^-1/2. */
    NORMALIZED_ADJACENCY,
    /** Kipf and Welling's renormalization: (D+I)^-1/2 (A+I) (D+I)^-1/2. */
    RENORMALIZED_ADJACENCY,
    /** L = D - A. */
    LAPLACIAN,
    /** I - D^-1/2 A D^-1/2. */
    NORMALIZED_LAPLACIAN;

    public Operator of(Graph g) {
        int n = g.n();
        int[] off = g.offsets(), nb = g.neighbours();
        double[] self = new double[n];
        double[] w = new double[g.directedEdgeCount()];
        double[] invSqrt = new double[n];
        int shiftDeg = this == RENORMALIZED_ADJACENCY ? 1 : 0;
        for (int i = 0; i < n; i++) {
            double d = g.weightedDegree(i) + shiftDeg;
            invSqrt[i] = d == 0 ? 0 : 1 / Math.sqrt(d);
        }
        for (int i = 0; i < n; i++) {
            switch (this) {
                case ADJACENCY, NORMALIZED_ADJACENCY -> self[i] = 0;
                case RENORMALIZED_ADJACENCY -> self[i] = invSqrt[i] * invSqrt[i];
                case LAPLACIAN -> self[i] = g.weightedDegree(i);
                // An isolated node has no normalized neighbourhood; its diagonal entry stays 1.
                case NORMALIZED_LAPLACIAN -> self[i] = 1;
            }
            for (int p = off[i]; p < off[i + 1]; p++) {
                int j = nb[p];
                double a = g.weight(p);
                w[p] = switch (this) {
                    case ADJACENCY -> a;
                    case NORMALIZED_ADJACENCY, RENORMALIZED_ADJACENCY -> invSqrt[i] * invSqrt[j] * a;   // a = 1 unweighted: the same bits
                    case LAPLACIAN -> -a;
                    case NORMALIZED_LAPLACIAN -> -invSqrt[i] * invSqrt[j] * a;
                };
            }
        }
        return new Operator(name().toLowerCase(Locale.ROOT), g, self, w, true);
    }

    /** Parses names such as {@code normalized-laplacian} or {@code NORMALIZED_LAPLACIAN}. */
    public static ShiftOperator parse(String s) {
        String k = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ShiftOperator o : values()) if (o.name().equals(k)) return o;
        throw new io.mycelium.util.InputException("unknown shift operator '" + s + "'; choose one of "
                + java.util.Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }

    /**
     * Metropolis–Hastings consensus weights (eq. 16 of the training paper):
     * W_ij = 1/(1+max(d_i,d_j)) on edges, W_ii = 1 - sum_j W_ij. Symmetric and doubly stochastic.
     */
    public static Operator metropolisHastings(Graph g) {
        int n = g.n();
        int[] off = g.offsets(), nb = g.neighbours();
        double[] self = new double[n];
        double[] w = new double[g.directedEdgeCount()];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int p = off[i]; p < off[i + 1]; p++) {
                w[p] = 1.0 / (1 + Math.max(g.degree(i), g.degree(nb[p])));
                s += w[p];
            }
            self[i] = 1 - s;
        }
        return new Operator("metropolis-hastings", g, self, w, true);
    }
}
