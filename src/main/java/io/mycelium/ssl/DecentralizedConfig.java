package io.mycelium.ssl;

/**
 * How the decentralized run is scheduled and what the network does to it. Time runs in rounds
 * (ticks of the nominal period Δ); nothing waits for a barrier except in {@link Schedule#LOCKSTEP}.
 *
 * @param schedule        when layers step (see {@link Schedule})
 * @param stagger         ASYNC: a node's layer steps again 1..stagger rounds after its last step (uniform),
 *                        as the asynchronous engine's stagger S; 1 means every round
 * @param maxDelay        every message takes 1 + U{0..maxDelay} rounds
 * @param lossProb        every message is lost with this probability
 * @param churn           fraction of nodes offline on average: sessions alternate, lengths lognormal (σ = 1)
 *                        with mean {@code sessionMean} online and sessionMean·churn/(1−churn) offline;
 *                        an offline node neither steps, sends nor receives, and keeps its state
 * @param negatives       PUSH (the poster's protocol) or ORACLE (a uniform draw read without a message;
 *                        the centralized trainer's draw, for the equivalence test)
 * @param fanout          PUSH: peers each push goes to (uniform over all nodes: an overlay is assumed)
 * @param bufferCapacity  PUSH: negative-buffer slots per node and layer (one per origin, FIFO eviction)
 * @param maxNegAge       PUSH: buffer entries older than this many rounds are not sampled
 * @param merge           gossip merge rule; EXACT replaces gossip by exact averaging of the step
 * @param gossipPeriod    a node sends its parameters to one uniform random peer every
 *                        U[0.5, 1.5]·gossipPeriod rounds (at least 1); below 1, round(1/gossipPeriod) times
 *                        every round, each to its own peer
 * @param window          PROGRESSIVE: rounds each layer trains before it is frozen
 * @param gossipLocal     probability that a MODEL message goes to a uniform random neighbour instead of a
 *                        uniform random node (neighbours hold most of the same first-layer rows)
 * @param featureRefresh  a node re-sends its input features to its neighbours every this many rounds (the
 *                        spec's Δ_emb refresh for an input that never changes; it repairs lost messages and
 *                        neighbours that were offline); 0: only once, at the start
 * @param statsExchanges  decorrelation loss: pairwise averaging exchanges of the batch moments each node starts
 *                        per round (with a uniform random peer; request and reply)
 * @param statsWarmup     decorrelation loss: exchanges each node starts before the first round, on the initial
 *                        parameters' moments
 * @param rowExchanges    partial first-layer copies (see LayerCopies): every round, for each row of W it holds, a
 *                        node averages that row with a uniform random other holder of the row this many times
 *                        (push-pull: a request and a reply of one row each); MODEL messages then carry only the
 *                        layer's bias, not its rows. 0: rows travel in MODEL messages and merge only when two
 *                        holders meet
 */
public record DecentralizedConfig(Schedule schedule, int stagger, int maxDelay, double lossProb, double churn, int sessionMean,
                                  NegativeSource negatives, int fanout, int bufferCapacity, int maxNegAge,
                                  Merge merge, double gossipPeriod, int window, double gossipLocal, int featureRefresh,
                                  int statsExchanges, int statsWarmup, int rowExchanges) {

    /** When layers step. */
    public enum Schedule {
        /** Every layer of every node steps every round on the previous round's values (the reference). */
        LOCKSTEP,
        /** Every layer of every node steps on its own timer, all layers at once (the poster's setting). */
        ASYNC,
        /** Layer l steps only in rounds ((l−1)·window, l·window], then is frozen. */
        PROGRESSIVE
    }

    public enum NegativeSource { PUSH, ORACLE }

    public enum Merge {
        /** No gossip: every node trains alone. */
        NONE,
        /** θ ← (θ + θ')/2, age ← max. */
        UNIFORM,
        /** θ ← (aθ + a'θ')/(a + a') (uniform when both ages are 0), age ← max. */
        AGE_WEIGHTED,
        /** No gossip messages; every step uses the mean of all nodes' gradients (tied parameters). */
        EXACT,
        /**
         * Gradient tracking: every node steps on a tracker of the mean gradient; a gossip exchange is push-pull
         * (request and reply), and both ends average parameters and trackers (see LayerCopies#exchange).
         */
        TRACKING
    }

    public DecentralizedConfig {
        if (stagger < 1) throw new IllegalArgumentException("stagger must be at least 1, got " + stagger);
        if (maxDelay < 0) throw new IllegalArgumentException("maxDelay must be at least 0, got " + maxDelay);
        if (!(lossProb >= 0 && lossProb < 1)) throw new IllegalArgumentException("loss probability must be in [0, 1), got " + lossProb);
        if (!(churn >= 0 && churn < 1)) throw new IllegalArgumentException("churn must be in [0, 1), got " + churn);
        if (sessionMean < 1) throw new IllegalArgumentException("session mean must be at least 1 round, got " + sessionMean);
        if (fanout < 0) throw new IllegalArgumentException("fanout must be at least 0, got " + fanout);
        if (bufferCapacity < 1) throw new IllegalArgumentException("buffer capacity must be at least 1, got " + bufferCapacity);
        if (maxNegAge < 1) throw new IllegalArgumentException("maximum negative age must be at least 1, got " + maxNegAge);
        if (!(gossipPeriod > 0)) throw new IllegalArgumentException("gossip period must be positive, got " + gossipPeriod);
        if (window < 1) throw new IllegalArgumentException("window must be at least 1 round, got " + window);
        if (!(gossipLocal >= 0 && gossipLocal <= 1)) throw new IllegalArgumentException("gossipLocal must be in [0, 1], got " + gossipLocal);
        if (featureRefresh < 0) throw new IllegalArgumentException("feature refresh must be at least 0, got " + featureRefresh);
        if (statsExchanges < 0) throw new IllegalArgumentException("stats exchanges must be at least 0, got " + statsExchanges);
        if (statsWarmup < 0) throw new IllegalArgumentException("stats warm-up must be at least 0, got " + statsWarmup);
        if (rowExchanges < 0) throw new IllegalArgumentException("row exchanges must be at least 0, got " + rowExchanges);
        if (merge == Merge.EXACT && schedule != Schedule.LOCKSTEP) throw new IllegalArgumentException("exact averaging needs the lockstep schedule");
    }

    /**
     * The command's defaults: asynchronous (every layer steps every round, stagger 1; messages take 1–2 rounds), push
     * negatives, age-weighted gossip of three MODEL messages a round, half of them to a random neighbour, one row
     * exchange per held first-layer row and round, no faults.
     */
    public static DecentralizedConfig defaults() {
        return new DecentralizedConfig(Schedule.ASYNC, 1, 1, 0, 0, 20, NegativeSource.PUSH, 2, 32, 10, Merge.AGE_WEIGHTED, 0.333, 50, 0.5, 10, 1, 10, 1);
    }

    /** The equivalence pin: lockstep, oracle negatives, exact averaging, no faults. */
    public static DecentralizedConfig exactLockstep() {
        return new DecentralizedConfig(Schedule.LOCKSTEP, 1, 0, 0, 0, 20, NegativeSource.ORACLE, 2, 32, 10, Merge.EXACT, 1, 50, 0, 0, 1, 0, 0);
    }

    public DecentralizedConfig withSchedule(Schedule s) {
        return new DecentralizedConfig(s, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withMerge(Merge m) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, m, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withWindow(int w) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, w, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withFeatureRefresh(int r) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, r, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withGossipLocal(double p) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, p, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withNegatives(NegativeSource s) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, s, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withStatsExchanges(int k) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, k, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withStatsWarmup(int k) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, k, rowExchanges);
    }

    public DecentralizedConfig withGossipPeriod(double p) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, p, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withFaults(double churnFraction, double loss) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, loss, churnFraction, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withRowExchanges(int k) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, k);
    }

    /** PUSH negatives: {@code fanout} peers per push, buffer entries older than {@code maxNegAge} rounds not sampled. */
    public DecentralizedConfig withNegativePush(int fanout, int maxNegAge) {
        return new DecentralizedConfig(schedule, stagger, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }

    public DecentralizedConfig withStagger(int s) {
        return new DecentralizedConfig(schedule, s, maxDelay, lossProb, churn, sessionMean, negatives, fanout, bufferCapacity, maxNegAge, merge, gossipPeriod, window, gossipLocal, featureRefresh, statsExchanges, statsWarmup, rowExchanges);
    }
}
