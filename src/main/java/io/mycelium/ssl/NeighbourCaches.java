package io.mycelium.ssl;

import io.mycelium.graph.Graph;

/**
 * Every node's cache of the latest (version, send round, vector) of each layer from itself and from each
 * neighbour. Node v's slots are {@code base[v]} (itself), then one per neighbour in the order of its edge
 * list; {@code recvSlot[p]} is the slot at the receiving end of edge p. Layer 0 (the features, which never
 * change) keeps no vectors: its entries only record whether and when the features arrived.
 */
final class NeighbourCaches {
    final int[] base, recvSlot;
    /** Per layer: the cached vectors (slot × width; null for layer 0), their versions (0: none yet) and send rounds. */
    final double[][] vec;
    final int[][] ver, sent;

    NeighbourCaches(Graph g, int[] w) {
        int[] off = g.offsets(), nb = g.neighbours();
        int n = off.length - 1;
        base = new int[n + 1];
        for (int v = 0; v < n; v++) base[v + 1] = base[v] + 1 + (off[v + 1] - off[v]);
        recvSlot = new int[nb.length];
        for (int v = 0; v < n; v++)
            for (int p = off[v]; p < off[v + 1]; p++) recvSlot[p] = base[nb[p]] + 1 + (g.edgeIndex(nb[p], v) - off[nb[p]]);
        int layers = w.length - 1;
        vec = new double[layers + 1][];
        ver = new int[layers + 1][];
        sent = new int[layers + 1][];
        for (int l = 0; l <= layers; l++) {
            vec[l] = l == 0 ? null : new double[Math.multiplyExact(base[n], w[l])];
            ver[l] = new int[base[n]];
            sent[l] = new int[base[n]];
        }
    }

    /** Stores version {@code version} of a layer-l vector (src[o..o+width)) into slot s if it is newer. */
    void store(int l, int s, int version, int sentAt, double[] src, int o, int width) {
        if (ver[l][s] >= version) return;
        ver[l][s] = version;
        sent[l][s] = sentAt;
        if (l > 0) System.arraycopy(src, o, vec[l], s * width, width);
    }

    /** The fraction of (node, neighbour) pairs where the node has not received the neighbour's features. */
    double missingFeatures() {
        long missing = 0, pairs = recvSlot.length;
        for (int v = 0; v + 1 < base.length; v++) for (int s = base[v] + 1; s < base[v + 1]; s++) if (ver[0][s] == 0) missing++;
        return pairs == 0 ? 0 : (double) missing / pairs;
    }
}
