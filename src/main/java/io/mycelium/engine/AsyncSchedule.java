package io.mycelium.engine;

/**
 * How the asynchronous engine times updates and messages (partial asynchrony, hogwild paper §2.1
 * and Appendix E). Ticks are numbered from 1.
 * <ul>
 *   <li>{@code stagger} S ≥ 1: a node's first update comes at a tick drawn uniformly from 1..S, and
 *       each next one 1..S ticks after its last.</li>
 *   <li>{@code history} D ≥ 0: Algorithm 1's views. Receiver i views each neighbour j as of a tick
 *       τ (0 at the start); at each of i's updates at tick t it draws τ ← t − lag with lag uniform in
 *       0..min(t − τ, D): a view reaches back at most D ticks and never moves back in time. D = 0
 *       reads the latest values.</li>
 *   <li>{@code lossProb}: each message is lost with this probability; the receiver then keeps what it
 *       had (the latest earlier message that did arrive).</li>
 *   <li>{@code maxDelay}: each message's delay is drawn uniformly from 0..maxDelay ticks (per link
 *       from 0..{@code linkMaxDelay[e]} when that array, indexed by CSR edge, is given); a message is
 *       visible to a view at τ only if it had arrived by τ.</li>
 *   <li>{@code seed}: every draw is a hash of (seed, what, where, when), so the same seed gives the
 *       same run on any number of threads.</li>
 * </ul>
 * A value's age is t minus the tick at which its sender computed it (the paper's τ_j^i(t) ∈ T^j,
 * §2.1; initial values count as computed at tick 0, so a read of the latest value has age 1).
 * Without loss the largest age is {@link #stalenessBound()} = S + D + maxDelay, and long runs reach
 * it: the paper's S = 4, D = 3 gives its B = 7. {@link #synchronous()} (S = 1, D = 0, no loss, no
 * delay) reproduces the synchronous engine exactly.
 */
public record AsyncSchedule(int stagger, int history, double lossProb, int maxDelay, int[] linkMaxDelay, long seed) {
    public AsyncSchedule {
        if (stagger < 1) throw new IllegalArgumentException("stagger must be at least 1, got " + stagger);
        if (history < 0) throw new IllegalArgumentException("history must be at least 0, got " + history);
        if (!(lossProb >= 0 && lossProb < 1)) throw new IllegalArgumentException("loss probability must be in [0, 1), got " + lossProb);
        if (maxDelay < 0) throw new IllegalArgumentException("maxDelay must be at least 0, got " + maxDelay);
        if (linkMaxDelay != null) for (int d : linkMaxDelay) if (d < 0) throw new IllegalArgumentException("link delays must be at least 0");
    }

    /** Every node every tick, latest values: the synchronous computation. */
    public static AsyncSchedule synchronous() { return new AsyncSchedule(1, 0, 0, 0, null, 0); }

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

    /** The largest age of values read when no message is lost: S + D + delay (reached by long runs). */
    public int stalenessBound() { return stagger + history + maxLinkDelay(); }

}
