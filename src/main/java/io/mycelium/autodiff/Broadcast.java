package io.mycelium.autodiff;

import java.util.Arrays;

/**
 * Elementwise binary ops with node-aware broadcasting: axis 0 (nodes, edges or copies) must match
 * or be 1; the remaining axes broadcast as in NumPy, aligned from the right. So a per-node scalar
 * {@code [n]} or a bias {@code [n, F]} combines with activations {@code [n, S, F]}.
 */
final class Broadcast {
    enum Kind { ADD, SUB, MUL, DIV, MAX, MIN }

    final int[] out;
    final int[] aStride, bStride; // in out's axes; 0 where broadcast
    final boolean same;

    Broadcast(int[] a, int[] b) {
        int ra = a.length - 1, rb = b.length - 1;
        int r = Math.max(ra, rb);
        out = new int[r + 1];
        aStride = new int[r + 1];
        bStride = new int[r + 1];
        out[0] = dim0(a[0], b[0], a, b);
        int[] as = strides(a), bs = strides(b);
        aStride[0] = a[0] == 1 ? 0 : as[0];
        bStride[0] = b[0] == 1 ? 0 : bs[0];
        for (int k = 1; k <= r; k++) {
            int ia = k - (r - ra), ib = k - (r - rb); // axis in a / b, < 1 when missing
            int da = ia >= 1 ? a[ia] : 1, db = ib >= 1 ? b[ib] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[k] = Math.max(da, db);
            aStride[k] = ia >= 1 && da != 1 ? as[ia] : 0;
            bStride[k] = ib >= 1 && db != 1 ? bs[ib] : 0;
        }
        same = Arrays.equals(a, b);
    }

    private static int dim0(int x, int y, int[] a, int[] b) {
        if (x == y || y == 1) return x;
        if (x == 1) return y;
        throw new IllegalArgumentException("axis 0 differs: " + Arrays.toString(a) + " vs " + Arrays.toString(b));
    }

    private static int[] strides(int[] s) {
        int[] st = new int[s.length];
        int acc = 1;
        for (int k = s.length - 1; k >= 0; k--) {
            st[k] = acc;
            acc *= s[k];
        }
        return st;
    }

    static double f(Kind k, double x, double y) {
        return switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    void forward(Kind k, double[] a, double[] b, double[] o) {
        if (same) {
            switch (k) {
                case ADD -> { for (int i = 0; i < o.length; i++) o[i] = a[i] + b[i]; }
                case SUB -> { for (int i = 0; i < o.length; i++) o[i] = a[i] - b[i]; }
                case MUL -> { for (int i = 0; i < o.length; i++) o[i] = a[i] * b[i]; }
                default -> { for (int i = 0; i < o.length; i++) o[i] = f(k, a[i], b[i]); }
            }
            return;
        }
        walk((oi, ai, bi) -> o[oi] = f(k, a[ai], b[bi]));
    }

    /** Accumulates the gradients of a and b (either may be null when not needed). */
    void backward(Kind k, double[] a, double[] b, double[] g, double[] ga, double[] gb) {
        walk((oi, ai, bi) -> {
            double x = a[ai], y = b[bi], gg = g[oi];
            switch (k) {
                case ADD -> { if (ga != null) ga[ai] += gg; if (gb != null) gb[bi] += gg; }
                case SUB -> { if (ga != null) ga[ai] += gg; if (gb != null) gb[bi] -= gg; }
                case MUL -> { if (ga != null) ga[ai] += gg * y; if (gb != null) gb[bi] += gg * x; }
                case DIV -> { if (ga != null) ga[ai] += gg / y; if (gb != null) gb[bi] -= gg * x / (y * y); }
                // ties send the gradient to the first argument
                case MAX -> { if (x >= y) { if (ga != null) ga[ai] += gg; } else if (gb != null) gb[bi] += gg; }
                case MIN -> { if (x <= y) { if (ga != null) ga[ai] += gg; } else if (gb != null) gb[bi] += gg; }
            }
        });
    }

    interface Visit { void at(int o, int a, int b); }

    /** Visits every output element with the matching input offsets, in row-major order. */
    void walk(Visit v) {
        int r = out.length;
        int[] idx = new int[r];
        int total = 1;
        for (int d : out) total *= d;
        if (total == 0) return;
        int ai = 0, bi = 0;
        int last = r - 1, n = out[last], sa = aStride[last], sb = bStride[last];
        for (int o = 0; o < total; ) {
            int a0 = ai, b0 = bi;
            for (int k = 0; k < n; k++, o++) v.at(o, a0 + k * sa, b0 + k * sb);
            // advance the odometer over axes before the last
            int ax = last - 1;
            while (ax >= 0) {
                idx[ax]++;
                ai += aStride[ax];
                bi += bStride[ax];
                if (idx[ax] < out[ax]) break;
                ai -= aStride[ax] * out[ax];
                bi -= bStride[ax] * out[ax];
                idx[ax] = 0;
                ax--;
            }
        }
    }
}
