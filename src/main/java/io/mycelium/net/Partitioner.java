package io.mycelium.net;

import io.mycelium.graph.Graph;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;

/** How the networked engine splits a graph over processes. */
public final class Partitioner {
    private Partitioner() {}

    /**
     * Nodes in breadth-first order (from the lowest unvisited id, neighbours in CSR order) cut into
     * {@code parts} consecutive blocks of near-equal size: neighbourhoods mostly stay together, so
     * halos stay small. Deterministic: every process computes the same map from the same graph.
     */
    public static int[] bfs(Graph g, int parts) {
        int n = g.n();
        if (parts < 1 || parts > n) throw new IllegalArgumentException("cannot split " + n + " nodes into " + parts + " partitions");
        int[] order = new int[n], off = g.offsets(), nb = g.neighbours();
        boolean[] seen = new boolean[n];
        int w = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int s = 0; s < n; s++) {
            if (seen[s]) continue;
            seen[s] = true;
            queue.add(s);
            while (!queue.isEmpty()) {
                int v = queue.poll();
                order[w++] = v;
                for (int e = off[v]; e < off[v + 1]; e++)
                    if (!seen[nb[e]]) {
                        seen[nb[e]] = true;
                        queue.add(nb[e]);
                    }
            }
        }
        int[] partOf = new int[n];
        for (int i = 0; i < n; i++) partOf[order[i]] = (int) ((long) i * parts / n);
        return partOf;
    }

    /** A short digest of a partition map (and the graph's size), to check that every process split alike. */
    public static String hash(Graph g, int[] partOf) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * (2 + g.neighbours().length + partOf.length));
            b.putInt(g.n()).putInt(g.directedEdgeCount());
            for (int e : g.neighbours()) b.putInt(e);
            for (int p : partOf) b.putInt(p);
            d.update(b.array());
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
