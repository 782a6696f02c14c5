package io.mycelium.engine;

import io.mycelium.graph.Graph;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;

/**
 * The time of an asynchronous run, shared by every path of {@link AsyncEngine}: which nodes update at
 * which tick (each node again 1..S ticks after its last update), Algorithm 1's views (per directed
 * edge i ← j, the tick τ as of which receiver i views sender j), the run's counters and the
 * statistics of what was read. All randomness is a hash of (seed, draw, place, time), so runs are
 * deterministic by seed and independent of threads.
 */
final class Timeline {
    static final int NEVER = Integer.MAX_VALUE;

    /** What a hash draws; each has its own stream of the seed. */
    enum Draw { FIRST, NEXT, LAG, LOSS, DELAY }

    final Graph graph;
    final int n;
    final int[] off, nb;
    final AsyncSchedule sched;
    final int stagger, history, maxDelay, ringCap, histBins;
    final int[] linkMax;
    final double loss;
    /** No loss and no delay: every view finds a value in the rings. */
    final boolean simple;
    private final long[] drawBase = new long[Draw.values().length];

    /**
     * Algorithm 1's τ_j^i per directed edge (i ← j): the tick as of which receiver i views sender j.
     * It moves only at i's updates and only forward: τ ← t − lag, lag uniform in 0..min(t − τ, D).
     */
    final int[] viewAt;
    final int[] next, lastUpdate, updates;
    final boolean[] upd;
    /** Per chunk or block, from its first node on: the ids of the nodes updating at the current tick. */
    final int[] updList;
    int tick;
    long rounds;
    /**
     * Per chunk: the staleness histogram (ages 0..bound, then an overflow bin), then the largest
     * age, unreceived reads and layer mismatches; then 16 unused longs (two cache lines), so that
     * threads counting every edge into neighbouring chunks' histograms do not share a cache line.
     */
    final long[][] chunkStats = new long[Parallel.MAX_CHUNKS][];
    final double[] chunkMax = new double[Parallel.MAX_CHUNKS];
    final int[] chunkCount = new int[Parallel.MAX_CHUNKS];

    Timeline(Graph g, AsyncSchedule schedule) {
        if (schedule.linkMaxDelay() != null && schedule.linkMaxDelay().length != g.directedEdgeCount())
            throw new IllegalArgumentException("per-link delays need one entry per directed edge (" + g.directedEdgeCount() + ")");
        this.graph = g;
        this.n = g.n();
        this.off = g.offsets();
        this.nb = g.neighbours();
        this.sched = schedule;
        this.stagger = schedule.stagger();
        this.history = schedule.history();
        this.maxDelay = schedule.maxDelay();
        this.linkMax = schedule.linkMaxDelay();
        this.loss = schedule.lossProb();
        this.simple = loss == 0 && schedule.maxLinkDelay() == 0;
        // views reach back D ticks (D + 1 values) and delays up to maxDelay more; one slot more is the one
        // the lossless fused path writes a new state into while neighbours still read the others
        this.ringCap = history + schedule.maxLinkDelay() + 2;
        this.histBins = schedule.stalenessBound() + 2; // ages 0..bound, then one overflow bin
        this.viewAt = new int[g.directedEdgeCount()];
        this.next = new int[n];
        this.lastUpdate = new int[n];
        this.updates = new int[n];
        this.upd = new boolean[n];
        this.updList = new int[n];
        for (int c = 0; c < chunkStats.length; c++) chunkStats[c] = new long[histBins + 3 + 16];
        for (Draw d : Draw.values()) drawBase[d.ordinal()] = mix(mix(schedule.seed() * 0x9E3779B97F4A7C15L + d.ordinal() + 1));
    }

    /** A new run: no updates yet, every view at the initial values, each node's first update drawn. */
    void reset() {
        rounds = 0;
        Arrays.fill(lastUpdate, 0);
        Arrays.fill(updates, 0);
        Arrays.fill(viewAt, 0); // Algorithm 1: τ_j^i = 0, the initial values
        for (long[] s : chunkStats) Arrays.fill(s, 0);
        for (int i = 0; i < n; i++) next[i] = 1 + bounded(hash(Draw.FIRST, i, 0, 0), stagger);
    }

    /** Marks the nodes updating at {@code tick} and advances their views; returns how many. */
    int markUpdaters() {
        int chunks = Parallel.chunks(n, 1);
        Arrays.fill(chunkCount, 0);
        int t = tick;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            int cnt = 0;
            for (int i = from; i < to; i++) {
                boolean u = next[i] == t;
                upd[i] = u;
                if (u) {
                    cnt++;
                    advanceViews(i, t);
                }
            }
            chunkCount[c] = cnt;
        });
        int s = 0;
        for (int c = 0; c < chunks; c++) s += chunkCount[c];
        return s;
    }

    /** Node i updated at tick t: counts it and draws its next update (never, once an explicit run's node made its {@code cap} updates). */
    void scheduleNext(int i, int t, boolean explicit, int cap) {
        updates[i]++;
        lastUpdate[i] = t;
        next[i] = explicit && updates[i] >= cap ? NEVER : nextUpdate(i, t);
    }

    /** The tick of node i's next update after one at tick t: 1..S ticks later. */
    int nextUpdate(int i, int t) { return t + 1 + bounded(hash(Draw.NEXT, i, t, 0), stagger); }

    // ------------------------------------------------------------------ views (Algorithm 1)

    /**
     * Algorithm 1's view update of updating receiver i at tick t: for each incoming edge, τ ← t − lag
     * with lag uniform in 0..min(t − τ, D), so a view reaches back at most D ticks and never moves
     * back in time. One hash gives the lags of four consecutive edges (16 bits each); the fused
     * kernels draw the same words ({@link #lagWord}) and advance the same views.
     */
    void advanceViews(int i, int t) {
        if (history == 0) return;
        long word = 0;
        for (int e = off[i], e0 = e, end = off[i + 1]; e < end; e++) {
            int local = e - e0;
            if ((local & 3) == 0) word = hash(Draw.LAG, i, t, local >>> 2);
            advanceView(e, word, local, t);
        }
    }

    /** One edge's step of {@link #advanceViews}; returns the new τ. */
    int advanceView(int e, long word, int local, int t) {
        int tau = t - lag(word, local, Math.min(t - viewAt[e], history) + 1);
        viewAt[e] = tau;
        return tau;
    }

    /** The tick as of which receiver edge e reads at tick t: its view, never before tick 1 (the initial values). */
    int viewTick(int e, int t) {
        return history == 0 ? t : Math.max(1, viewAt[e]);
    }

    /** Uniform in 0..d−1 from the 16 bits of {@code word} that belong to edge {@code local}. */
    static int lag(long word, int local, int d) { return (int) ((((word >>> ((local & 3) << 4)) & 0xFFFF) * d) >>> 16); }

    /** {@code hash(LAG, i, t, ·)}'s part that depends on t only: the kernels' per-tick base of {@link #lagWord}. */
    long lagBase(int t) { return drawBase[Draw.LAG.ordinal()] + (long) t * 0x165667B19E3779F9L; }

    /** The lag word of receiver i's {@code local}-th edge: {@code hash(LAG, i, t, local / 4)} from {@link #lagBase}. */
    static long lagWord(long lagBase, int i, int local) {
        return mix(lagBase + i * 0xC2B2AE3D27D4EB4FL + (long) (local >>> 2) * 0x27D4EB2F165667C5L);
    }

    // ------------------------------------------------------------------ statistics and results

    /** Counts one read of the given age (−1: nothing was ever received) into a chunk's statistics. */
    void count(long[] stats, int age) {
        if (age < 0) {
            stats[histBins + 1]++;
            return;
        }
        stats[Math.min(age, histBins - 1)]++;
        if (age > stats[histBins]) stats[histBins] = age;
    }

    /** {@link #count} of a received value for the kernels, the largest age kept in a local. */
    static long countAge(long[] stats, int bins, int age, long maxAge) {
        stats[age < bins - 1 ? age : bins - 1]++;
        return age > maxAge ? age : maxAge;
    }

    /** Sets a tick's largest change in the trace, growing it when needed. */
    static double[] record(double[] trace, int t, double change) {
        if (t > trace.length) trace = Arrays.copyOf(trace, Math.max(t, trace.length * 2));
        trace[t - 1] = change;
        return trace;
    }

    /** The run's result: its state (also as output), counters and the statistics summed over chunks. */
    AsyncRun finish(Tensor state, int ticks, boolean converged, double[] trace, long start) {
        double secs = (System.nanoTime() - start) / 1e9;
        long[] hist = new long[histBins];
        long unreceived = 0, max = 0, mismatches = 0;
        for (long[] s : chunkStats) {
            for (int b = 0; b < histBins; b++) hist[b] += s[b];
            max = Math.max(max, s[histBins]);
            unreceived += s[histBins + 1];
            mismatches += s[histBins + 2];
        }
        return new AsyncRun(state, state, ticks, converged, updates.clone(), hist, (int) max, unreceived,
                Arrays.copyOf(trace, Math.min(ticks, trace.length)), rounds, secs, mismatches);
    }

    // ------------------------------------------------------------------ seeded draws

    /** One SplitMix64 finalizer over a per-(seed, draw) base plus the coordinates: cheap enough for every edge read. */
    long hash(Draw d, long a, long b, long c) {
        return mix(drawBase[d.ordinal()] + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L + c * 0x27D4EB2F165667C5L);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in 0..bound-1. */
    static int bounded(long h, int bound) { return (int) (((h >>> 32) * bound) >>> 32); }

    static double uniform(long h) { return (h >>> 11) * 0x1.0p-53; }
}
