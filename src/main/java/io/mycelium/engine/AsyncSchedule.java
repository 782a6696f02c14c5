package io.mycelium.engine;

/**
 * How the asynchronous engine times updates and messages (partial asynchrony, hogwild paper §2.1
 * and Appendix E). Ticks are numbered from 1.
 * <ul>
 *   <li>{@code stagger} S ≥ 1: a node's first update comes at a tick drawn uniformly from 1..S, and
 *       each next one 1..S ticks after its last.</li>
 *   <li>{@code history} D ≥ 1: when a node updates at tick t it views each neighbour as of a tick
 *       τ drawn uniformly from t−D+1..t, i.e. it reads one of the neighbour's last D values.</li>
 *   <li>{@code lossProb}: each message is lost with this probability; the receiver then keeps what it
 *       had (the latest earlier message that did arrive).</li>
 *   <li>{@code maxDelay}: each message's delay is drawn uniformly from 0..maxDelay ticks (per link
 *       from 0..{@code linkMaxDelay[e]} when that array, indexed by CSR edge, is given); a message is
 *       visible to a view at τ only if it had arrived by τ.</li>
 *   <li>{@code seed}: every draw is a hash of (seed, what, where, when), so the same seed gives the
 *       same run on any number of threads.</li>
 * </ul>
 * Without loss, a value read at tick t was produced at most S + D + maxDelay − 2 ticks earlier.
 * {@link #synchronous()} (S = D = 1, no loss, no delay) reproduces the synchronous engine exactly.
 */
public record AsyncSchedule(int stagger, int history, double lossProb, int maxDelay, int[] linkMaxDelay, long seed) {
    public AsyncSchedule {
        if (stagger < 1) throw new IllegalArgumentException("stagger must be at least 1, got " + stagger);
        if (history < 1) throw new IllegalArgumentException("history must be at least 1, got " + history);
        if (!(lossProb >= 0 && lossProb < 1)) throw new IllegalArgumentException("loss probability must be in [0, 1), got " + lossProb);
        if (maxDelay < 0) throw new IllegalArgumentException("maxDelay must be at least 0, got " + maxDelay);
        if (linkMaxDelay != null) for (int d : linkMaxDelay) if (d < 0) throw new IllegalArgumentException("link delays must be at least 0");
    }

    /** Every node every tick, latest values: the synchronous computation. */
    public static AsyncSchedule synchronous() { return new AsyncSchedule(1, 1, 0, 0, null, 0); }

    /** Stagger and history, no loss or delay. */
    public static AsyncSchedule of(int stagger, int history, long seed) { return new AsyncSchedule(stagger, history, 0, 0, null, seed); }

    public AsyncSchedule withLoss(double p) { return new AsyncSchedule(stagger, history, p, maxDelay, linkMaxDelay, seed); }

    public AsyncSchedule withDelay(int max) { return new AsyncSchedule(stagger, history, lossProb, max, linkMaxDelay, seed); }

    /** Per-link maximum delays (CSR edge order), overriding {@code maxDelay}. */
    public AsyncSchedule withLinkDelays(int[] perEdgeMax) { return new AsyncSchedule(stagger, history, lossProb, maxDelay, perEdgeMax.clone(), seed); }

    public AsyncSchedule withSeed(long s) { return new AsyncSchedule(stagger, history, lossProb, maxDelay, linkMaxDelay, s); }

    /** The largest delay any link can have. */
    public int maxLinkDelay() {
        if (linkMaxDelay == null) return maxDelay;
        int m = 0;
        for (int d : linkMaxDelay) m = Math.max(m, d);
        return m;
    }

    /** Bound on the age of values read when no message is lost: S + D + delay. */
    public int stalenessBound() { return stagger + history + maxLinkDelay(); }

    boolean isLockstep() { return stagger == 1 && history == 1 && lossProb == 0 && maxLinkDelay() == 0; }
}
