package io.mycelium.ssl;

/**
 * Every node's bounded buffer of pushed embeddings for one layer: one slot per origin (a newer version
 * from the same origin replaces the entry), the entry with the oldest send round evicted when full.
 * Neighbours and the node itself are refused at the door, so every entry is a valid negative. All
 * nodes' buffers live in flat arrays.
 */
final class NegativeBuffer {
    private final int capacity, width;
    private final int[] origin, version, sent, size;
    final double[] vectors;

    NegativeBuffer(int n, int capacity, int width) {
        this.capacity = capacity;
        this.width = width;
        origin = new int[n * capacity];
        version = new int[n * capacity];
        sent = new int[n * capacity];
        size = new int[n];
        vectors = new double[(long) n * capacity * width > Integer.MAX_VALUE ? 0 : n * capacity * width];
        if (vectors.length == 0 && n > 0) throw new IllegalArgumentException("negative buffers too large: " + n + " × " + capacity + " × " + width);
    }

    /** Stores {@code from}'s vector (ver, sent at round {@code at}) at {@code node}; false if it was not newer. */
    boolean offer(int node, int from, int ver, int at, double[] src, int srcOff) {
        int base = node * capacity, s = size[node], slot = -1;
        for (int k = 0; k < s; k++)
            if (origin[base + k] == from) {
                if (version[base + k] >= ver) return false;
                slot = base + k;
                break;
            }
        if (slot < 0) {
            if (s < capacity) slot = base + size[node]++;
            else {
                slot = base;
                for (int k = 1; k < capacity; k++) if (sent[base + k] < sent[slot]) slot = base + k;
            }
        }
        origin[slot] = from;
        version[slot] = ver;
        sent[slot] = at;
        System.arraycopy(src, srcOff, vectors, slot * width, width);
        return true;
    }

    /**
     * Draws up to q distinct entries of {@code node} sent at most {@code maxAge} rounds before {@code now},
     * uniformly without replacement; writes their slots into {@code out} (scratch of capacity length)
     * and returns how many.
     */
    int sample(int node, int now, int maxAge, int q, long hashBase, int[] out) {
        int base = node * capacity, m = 0;
        for (int k = 0; k < size[node]; k++) if (now - sent[base + k] <= maxAge) out[m++] = base + k;
        int take = Math.min(q, m);
        for (int i = 0; i < take; i++) {
            int j = i + Draw.below(Draw.mix(hashBase + i), m - i);
            int tmp = out[i];
            out[i] = out[j];
            out[j] = tmp;
        }
        return take;
    }

    int sentAt(int slot) { return sent[slot]; }

    int origin(int slot) { return origin[slot]; }

    int fill(int node) { return size[node]; }
}
