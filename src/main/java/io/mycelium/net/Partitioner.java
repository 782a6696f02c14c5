package io.mycelium.net;

import io.mycelium.graph.Graph;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * How the networked engine splits a graph over processes: {@link #split}. Deterministic: every process
 * computes the same map from the same graph (and proves it with {@link #hash}).
 */
public final class Partitioner {
    private Partitioner() {}

    /** Breadth-first orders tried by {@link #split}, from roots spread evenly over the node ids. */
    static final int STARTS = 8;
    /** Moves an improvement pass makes past its best state before it gives up (as in Fiduccia–Mattheyses). */
    private static final int PATIENCE = 50;
    private static final int MAX_PASSES = 30;

    /**
     * The map {@code net run}, {@code net infer} and {@code bench net} use: {@link #STARTS} breadth-first
     * maps ({@link #bfs} from roots {@code s·n/STARTS}; s = 0 is {@code bfs(g, parts)}), each refined by
     * {@link #refine}, and the one with the smallest {@link #volume} (the first on a tie). Partition
     * sizes are those of the breadth-first blocks (⌊n/parts⌋ or ⌈n/parts⌉), so compute stays balanced.
     */
    public static int[] split(Graph g, int parts) {
        int n = g.n();
        int[] best = null;
        long bestVolume = Long.MAX_VALUE;
        for (int s = 0; s < Math.min(STARTS, n); s++) {
            int[] m = refine(g, bfs(g, parts, (int) ((long) s * n / STARTS)), parts);
            long v = volume(g, m, parts);
            if (v < bestVolume) {
                bestVolume = v;
                best = m;
            }
        }
        return best;
    }

    /**
     * Nodes in breadth-first order (from the lowest unvisited id, neighbours in CSR order) cut into
     * {@code parts} consecutive blocks of near-equal size: neighbourhoods mostly stay together, so
     * halos stay small.
     */
    public static int[] bfs(Graph g, int parts) { return bfs(g, parts, 0); }

    /** {@link #bfs(Graph, int)} starting from {@code root}, then from the lowest unvisited id after it (cyclically). */
    static int[] bfs(Graph g, int parts, int root) {
        int n = g.n();
        if (parts < 1 || parts > n) throw new IllegalArgumentException("cannot split " + n + " nodes into " + parts + " partitions");
        int[] order = new int[n], off = g.offsets(), nb = g.neighbours();
        boolean[] seen = new boolean[n];
        int w = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            int s = (root + i) % n;
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

    /**
     * The communication volume of a map: the rows a synchronous round sends, summed over partitions,
     * i.e. over nodes v the number of other partitions holding a neighbour of v (Partition's
     * {@code sendRows}, all peers). A round's bytes are this times the row width.
     */
    public static long volume(Graph g, int[] partOf, int parts) {
        return new Volume(g, partOf, parts).total();
    }

    /**
     * Fiduccia–Mattheyses refinement of a map's {@link #volume}: a pass moves one node at a time to a
     * partition that holds one of its neighbours, always the move that lowers the volume most (or
     * raises it least; lowest node id, then partition, on a tie), each node at most once, letting a
     * partition's size stray by one from its bounds; it stops {@link #PATIENCE} moves after its best
     * state and rolls back to that state (the best one whose sizes are within the bounds). Passes
     * repeat while they improve. Sizes stay within [⌊n/parts⌋, ⌈n/parts⌉]. Returns a new map.
     */
    static int[] refine(Graph g, int[] start, int parts) {
        int n = g.n();
        Volume vol = new Volume(g, start, parts);
        int lo = n / parts, hi = (n + parts - 1) / parts;
        long best = vol.total();
        int[] moved = new int[n], from = new int[n];
        long[] gains = new long[n * parts];      // gains[v * parts + q], valid while !stale[v]
        boolean[] stale = new boolean[n];
        java.util.Arrays.fill(stale, true);
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            boolean[] locked = new boolean[n];
            long current = best;
            int made = 0, bestAt = 0;
            while (made - bestAt < PATIENCE && made < n) {
                int bv = -1, bq = -1;
                long bg = Long.MIN_VALUE;
                for (int v = 0; v < n; v++) {
                    int p = vol.part[v];
                    if (locked[v] || vol.size[p] - 1 < lo - 1) continue;
                    for (int q = 0; q < parts; q++) {
                        if (q == p || vol.count(v, q) == 0 || vol.size[q] + 1 > hi + 1) continue;
                        if (stale[v]) vol.gains(v, gains);
                        stale[v] = false;
                        long gain = gains[v * parts + q];
                        if (gain > bg) {
                            bg = gain;
                            bv = v;
                            bq = q;
                        }
                    }
                }
                if (bv < 0) break;
                from[made] = vol.part[bv];
                moved[made++] = bv;
                vol.move(bv, bq);
                vol.touch(bv, stale);
                locked[bv] = true;
                current -= bg;
                if (current < best && vol.balanced(lo, hi)) {
                    best = current;
                    bestAt = made;
                }
            }
            for (int i = made - 1; i >= bestAt; i--) {
                vol.move(moved[i], from[i]);
                vol.touch(moved[i], stale);
            }
            if (bestAt == 0) break;
        }
        return vol.part.clone();
    }

    /** A map with, per node, how many of its neighbours each partition holds: volume, and a move's gain from the mover's neighbourhood. */
    private static final class Volume {
        final int n, parts;
        final int[] off, nb, part, size, count;   // count[v * parts + q]: neighbours of v in partition q

        Volume(Graph g, int[] partOf, int parts) {
            n = g.n();
            this.parts = parts;
            off = g.offsets();
            nb = g.neighbours();
            part = partOf.clone();
            size = new int[parts];
            count = new int[n * parts];
            for (int v = 0; v < n; v++) {
                size[part[v]]++;
                for (int e = off[v]; e < off[v + 1]; e++) count[v * parts + partOf[nb[e]]]++;
            }
        }

        int count(int v, int q) { return count[v * parts + q]; }

        /** Other partitions holding a neighbour of w: the rows w sends per round. */
        int sends(int w) {
            int s = 0;
            for (int q = 0; q < parts; q++) if (q != part[w] && count[w * parts + q] > 0) s++;
            return s;
        }

        long total() {
            long s = 0;
            for (int v = 0; v < n; v++) s += sends(v);
            return s;
        }

        void move(int v, int q) {
            int p = part[v];
            for (int e = off[v]; e < off[v + 1]; e++) {
                count[nb[e] * parts + p]--;
                count[nb[e] * parts + q]++;
            }
            part[v] = q;
            size[p]--;
            size[q]++;
        }

        /**
         * Into {@code gains[v * parts + q]}, for each partition q holding a neighbour of v: how much
         * moving v to q lowers the volume (only v's and its neighbours' sends change).
         */
        void gains(int v, long[] gains) {
            int p = part[v];
            long before = around(v);
            for (int q = 0; q < parts; q++) {
                if (q == p || count(v, q) == 0) continue;
                move(v, q);
                gains[v * parts + q] = before - around(v);
                move(v, p);
            }
        }

        /** Marks stale every node whose gains moving v changed: v, its neighbours and theirs. */
        void touch(int v, boolean[] stale) {
            stale[v] = true;
            for (int e = off[v]; e < off[v + 1]; e++) {
                int u = nb[e];
                stale[u] = true;
                for (int f = off[u]; f < off[u + 1]; f++) stale[nb[f]] = true;
            }
        }

        private long around(int v) {
            long s = sends(v);
            for (int e = off[v]; e < off[v + 1]; e++) s += sends(nb[e]);   // a neighbour on two edges counts twice, before and after alike
            return s;
        }

        boolean balanced(int lo, int hi) {
            for (int s : size) if (s < lo || s > hi) return false;
            return true;
        }
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
