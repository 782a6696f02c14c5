package io.mycelium.wireless;

import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;

/**
 * One CSI sample as graphs and operators. The interference graph links i and j when either hears
 * the other ({@code H_ij ≠ 0} or {@code H_ji ≠ 0}); on it the sums of WMMSE are one exchange each:
 * <ul>
 *   <li>{@link #received}: {@code (S x)_i = Σ_j H_ji² x_j} (what receiver i hears, j = i included);</li>
 *   <li>{@link #others}: the same without j = i (the interference in the SINR);</li>
 *   <li>{@link #sent}: {@code (S x)_i = Σ_j H_ij² x_j} (what transmitter i causes at every receiver);</li>
 *   <li>{@link #shift}: {@code (S x)_i = Σ_j H_ij x_j}, the GCNNs' shift operator S = H.</li>
 * </ul>
 * The communication graph of consensus is sparser: i ~ j only when both directions survive the
 * cut-off (the authors' {@code gen_cmtx}); {@link #consensus} is its Metropolis–Hastings matrix.
 */
public record Interference(Graph graph, Operator received, Operator others, Operator sent, Operator shift, Graph links, Operator consensus) {

    /** The graphs and operators of sample {@code h[offset …]}. */
    public static Interference of(double[] h, int offset) {
        int n = Channels.LINKS;
        int count = 0, both = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                boolean a = h[offset + i * n + j] != 0, b = h[offset + j * n + i] != 0;
                if (a || b) count++;
                if (a && b) both++;
            }
        int[] u = new int[count], v = new int[count], cu = new int[both], cv = new int[both];
        for (int i = 0, k = 0, c = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                boolean a = h[offset + i * n + j] != 0, b = h[offset + j * n + i] != 0;
                if (a || b) { u[k] = i; v[k++] = j; }
                if (a && b) { cu[c] = i; cv[c++] = j; }
            }
        Graph g = Graph.fromEdges(n, u, v);
        int[] off = g.offsets(), nb = g.neighbours();
        double[] rs = new double[n], ss = new double[n], hs = new double[n];
        double[] rw = new double[nb.length], sw = new double[nb.length], hw = new double[nb.length];
        for (int i = 0; i < n; i++) {
            double d = h[offset + i * n + i];
            rs[i] = ss[i] = d * d;
            hs[i] = d;
            for (int p = off[i]; p < off[i + 1]; p++) {
                int j = nb[p];
                double hij = h[offset + i * n + j], hji = h[offset + j * n + i];
                rw[p] = hji * hji;
                sw[p] = hij * hij;
                hw[p] = hij;
            }
        }
        Graph links = Graph.fromEdges(n, cu, cv);
        return new Interference(g, Operator.of("received", g, rs, rw), Operator.of("others", g, new double[n], rw), Operator.of("sent", g, ss, sw), Operator.of("H", g, hs, hw),
                links, ShiftOperator.metropolisHastings(links));
    }

    /** Writes the dense Metropolis–Hastings matrix of the communication graph of sample {@code h[offset …]} into {@code w} (N², row-major). */
    public static void consensusMatrix(double[] h, int offset, int[] degree, double[] w) {
        int n = Channels.LINKS;
        for (int i = 0; i < n; i++) {
            int d = 0;
            for (int j = 0; j < n; j++) if (j != i && h[offset + i * n + j] != 0 && h[offset + j * n + i] != 0) d++;
            degree[i] = d;
        }
        for (int i = 0; i < n; i++) {
            double self = 1;
            for (int j = 0; j < n; j++) {
                double x = 0;
                if (j != i && h[offset + i * n + j] != 0 && h[offset + j * n + i] != 0) x = 1.0 / (1 + Math.max(degree[i], degree[j]));
                w[i * n + j] = x;
                self -= x;
            }
            w[i * n + i] = self;
        }
    }
}
