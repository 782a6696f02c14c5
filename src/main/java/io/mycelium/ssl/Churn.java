package io.mycelium.ssl;

/**
 * Which nodes are online. Each node alternates between online and offline sessions of lognormal length
 * (σ = 1) whose means make the configured churn the offline fraction; the initial state and every session
 * length are drawn from hashes of the seed, so they do not depend on anything else in the simulation.
 */
final class Churn {
    private static final int CHURN = 25;
    private final DecentralizedConfig d;
    private final long seed;
    final boolean[] online;
    /** The nodes that came online at the start of the current round. */
    final boolean[] joined;
    private final int[] nextFlip;

    /** Round 0: every node's initial state and the round of its first flip. */
    Churn(int n, DecentralizedConfig d, long seed) {
        this.d = d;
        this.seed = seed;
        online = new boolean[n];
        joined = new boolean[n];
        nextFlip = new int[n];
        for (int v = 0; v < n; v++) {
            online[v] = d.churn() == 0 || Draw.uniform(Draw.hash(seed, CHURN, v, 0, 1)) >= d.churn();
            nextFlip[v] = d.churn() == 0 ? Integer.MAX_VALUE : 1 + (int) (Draw.uniform(Draw.hash(seed, CHURN, v, 0, 2)) * session(v, 0));
        }
    }

    /** Lognormal session length (σ = 1) with the online or offline mean. */
    private int session(int v, int t) {
        double mean = online[v] ? d.sessionMean() : d.sessionMean() * d.churn() / (1 - d.churn());
        double z = Draw.normal(Draw.hash(seed, CHURN, v, t, 3), Draw.hash(seed, CHURN, v, t, 4));
        return Math.max(1, (int) Math.round(mean * Math.exp(z - 0.5)));
    }

    /** The start of round {@code now}: nodes whose session ends flip ({@link #joined}: those that came online). */
    void advance(int now) {
        if (d.churn() == 0) return;
        for (int v = 0; v < online.length; v++) {
            joined[v] = false;
            if (now >= nextFlip[v]) {
                online[v] = !online[v];
                joined[v] = online[v];
                nextFlip[v] = now + session(v, now);
            }
        }
    }
}
