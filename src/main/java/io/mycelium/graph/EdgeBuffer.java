package io.mycelium.graph;

import java.util.Arrays;

/** A growable pair of int arrays, so large edge lists never box their endpoints. */
final class EdgeBuffer {
    private int[] u, v;
    private int size;

    EdgeBuffer(int capacity) {
        u = new int[Math.max(1, capacity)];
        v = new int[u.length];
    }

    void add(int a, int b) {
        if (size == u.length) {
            // Each undirected edge takes two CSR slots, which must stay addressable by int.
            if (size >= Integer.MAX_VALUE / 2 - 8) throw new IllegalArgumentException("too many edges for one graph");
            int cap = (int) Math.min((long) size * 2, Integer.MAX_VALUE / 2 - 8);
            u = Arrays.copyOf(u, cap);
            v = Arrays.copyOf(v, cap);
        }
        u[size] = a;
        v[size++] = b;
    }

    int size() { return size; }

    int[] u() { return Arrays.copyOf(u, size); }

    int[] v() { return Arrays.copyOf(v, size); }
}
