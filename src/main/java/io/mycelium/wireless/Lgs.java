package io.mycelium.wireless;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;

import java.util.Arrays;

/**
 * Maximum-weight independent set heuristics of the link-scheduling experiment (wireless spec C.2).
 * Vertex v beats u when {@code w_v > w_u}, or the weights are equal and v has the lower index.
 * <ul>
 *   <li>{@link #greedy}: centralized; take the best remaining vertex, drop its neighbours, repeat.</li>
 *   <li>{@link #iterations}: the local greedy solver (LGS) simulated centrally; every undecided vertex
 *       that beats all its undecided neighbours joins at once, then the winners' neighbours leave.</li>
 *   <li>{@link #distributed}: LGS as message passing on a {@link Comm}: one round in which every vertex
 *       broadcasts its weight, then per iteration a round of "joined" flags and a round of "removed"
 *       flags; each vertex decides from what its neighbours sent.</li>
 * </ul>
 */
public final class Lgs {
    private Lgs() {}

    private static boolean beats(double[] w, int v, int u) { return w[v] > w[u] || (w[v] == w[u] && v < u); }

    /** Centralized greedy: the chosen vertices as a 0/1 mask. */
    public static boolean[] greedy(Graph g, double[] w) {
        int n = g.n();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> beats(w, a, b) ? -1 : beats(w, b, a) ? 1 : 0);
        boolean[] in = new boolean[n], out = new boolean[n];
        int[] off = g.offsets(), nb = g.neighbours();
        for (int v : order) {
            if (out[v]) continue;
            in[v] = true;
            out[v] = true;
            for (int p = off[v]; p < off[v + 1]; p++) out[nb[p]] = true;
        }
        return in;
    }

    /** The set LGS chooses (into {@code in}) and the number of its iterations, simulated centrally. */
    public static int iterations(Graph g, double[] w, boolean[] in) {
        int n = g.n();
        int[] off = g.offsets(), nb = g.neighbours();
        boolean[] undecided = new boolean[n], joins = new boolean[n];
        Arrays.fill(undecided, true);
        Arrays.fill(in, false);
        int left = n, iterations = 0;
        while (left > 0) {
            iterations++;
            for (int v = 0; v < n; v++) {
                joins[v] = false;
                if (!undecided[v]) continue;
                boolean wins = true;
                for (int p = off[v]; p < off[v + 1] && wins; p++) if (undecided[nb[p]] && !beats(w, v, nb[p])) wins = false;
                joins[v] = wins;
            }
            for (int v = 0; v < n; v++) {
                if (!joins[v]) continue;
                in[v] = true;
                if (undecided[v]) { undecided[v] = false; left--; }
                for (int p = off[v]; p < off[v + 1]; p++) if (undecided[nb[p]]) { undecided[nb[p]] = false; left--; }
            }
        }
        return iterations;
    }

    /**
     * LGS on the local vertices of {@code comm}'s partition (weights {@code w} of local vertices).
     * Returns the local 0/1 decisions; every message is charged to {@code comm}. Runs until no local
     * vertex is undecided (on the whole graph, until LGS ends).
     */
    public static boolean[] distributed(Comm comm, double[] w) {
        Partition p = comm.partition();
        int n = p.size();
        int[] rowPtr = p.rowPtr(), cols = p.cols();
        int edges = rowPtr[n];
        double[] nw = new double[edges];            // each neighbour's weight, as received
        int[] id = new int[edges];                   // and its global index (ties go to the lower one)
        boolean[] live = new boolean[edges];         // neighbour still undecided, as last heard
        int[] nodes = p.nodes(), halo = p.halo();
        double[] halo1 = Exchange.pull(comm, w, 1);
        for (int e = 0; e < edges; e++) {
            int c = cols[e];
            nw[e] = c < n ? w[c] : halo1[c - n];
            id[e] = c < n ? nodes[c] : halo[c - n];
            live[e] = true;
        }
        boolean[] in = new boolean[n], undecided = new boolean[n];
        Arrays.fill(undecided, true);
        double[] flag = new double[n];
        int left = n;
        while (left > 0) {
            // decide, then announce "joined"
            for (int i = 0; i < n; i++) {
                flag[i] = 0;
                if (!undecided[i]) continue;
                boolean wins = true;
                for (int e = rowPtr[i]; e < rowPtr[i + 1] && wins; e++)
                    if (live[e] && !(w[i] > nw[e] || (w[i] == nw[e] && nodes[i] < id[e]))) wins = false;
                if (wins) flag[i] = 1;
            }
            double[] got = Exchange.pull(comm, flag, 1);
            for (int i = 0; i < n; i++) {
                boolean out = false;
                for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                    int c = cols[e];
                    if ((c < n ? flag[c] : got[c - n]) == 1) { live[e] = false; out = true; }
                }
                if (flag[i] == 1) { in[i] = true; undecided[i] = false; left--; }
                else if (undecided[i] && out) { undecided[i] = false; left--; flag[i] = 2; }
            }
            // vertices that left announce it, so their neighbours stop waiting for them
            for (int i = 0; i < n; i++) flag[i] = flag[i] == 2 ? 1 : 0;
            got = Exchange.pull(comm, flag, 1);
            for (int i = 0; i < n; i++)
                for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                    int c = cols[e];
                    if ((c < n ? flag[c] : got[c - n]) == 1) live[e] = false;
                }
        }
        return in;
    }

    /** Rounds of distributed LGS with {@code iterations} iterations: the weight broadcast plus two per iteration. */
    public static int rounds(int iterations) { return 1 + 2 * iterations; }

    /** Total weight of the chosen vertices. */
    public static double utility(boolean[] in, double[] w) {
        double u = 0;
        for (int i = 0; i < in.length; i++) if (in[i]) u += w[i];
        return u;
    }
}
