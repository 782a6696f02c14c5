package io.mycelium.ssl;

/**
 * Counter-based randomness: every draw is a hash of (seed, kind, a, b, c), so a run does not depend on
 * the order in which draws happen and the same seed gives the same bits (as engine/AsyncEngine does).
 */
final class Draw {
    private Draw() {}

    static long hash(long seed, int kind, long a, long b, long c) {
        long z = seed * 0x9E3779B97F4A7C15L + kind * 0xC2B2AE3D27D4EB4FL;
        z = mix(z + a * 0x165667B19E3779F9L);
        z = mix(z + b * 0x85EBCA77C2B2AE63L);
        return mix(z + c * 0x27D4EB2F165667C5L);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    static double uniform(long h) { return (h >>> 11) * 0x1.0p-53; }

    /** Uniform in 0..n-1. */
    static int below(long h, int n) { return (int) Math.floorMod(h, (long) n); }

    /** Standard normal from two hashes (Box–Muller). */
    static double normal(long h1, long h2) {
        double u = 1 - uniform(h1), v = uniform(h2);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
