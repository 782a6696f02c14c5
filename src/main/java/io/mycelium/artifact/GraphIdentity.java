package io.mycelium.artifact;

import io.mycelium.graph.Graph;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which graph a model was trained on: its node count, its edge count and the SHA-256 of its
 * canonical edge list: every undirected edge once as {@code (u, v, w)} with u &lt; v, sorted by u
 * then v, each written as two little-endian 32-bit integers and a little-endian IEEE-754 double
 * (the edge weight, 1.0 on an unweighted graph). See docs/model-files.md.
 */
public record GraphIdentity(int nodes, int edges, String edgeHash) {

    public static GraphIdentity of(Graph g) {
        MessageDigest sha = sha256();
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        int[] off = g.offsets(), nb = g.neighbours();
        for (int u = 0; u < g.n(); u++) {
            int from = off[u], to = off[u + 1];
            int[] order = sortedPositions(nb, from, to);   // CSR rows need not be sorted
            for (int p : order) {
                if (nb[p] <= u) continue;
                b.clear();
                b.putInt(u).putInt(nb[p]).putDouble(g.weight(p));
                sha.update(b.array());
            }
        }
        return new GraphIdentity(g.n(), g.edgeCount(), HexFormat.of().formatHex(sha.digest()));
    }

    /** Positions from..to-1 of {@code nb} ordered by neighbour id. */
    private static int[] sortedPositions(int[] nb, int from, int to) {
        long[] keyed = new long[to - from];
        for (int p = from; p < to; p++) keyed[p - from] = ((long) nb[p] << 32) | p;
        java.util.Arrays.sort(keyed);
        int[] out = new int[keyed.length];
        for (int q = 0; q < out.length; q++) out[q] = (int) keyed[q];
        return out;
    }

    @Override
    public String toString() { return nodes + " nodes, " + edges + " edges, edge hash " + edgeHash.substring(0, Math.min(12, edgeHash.length())) + "…"; }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
