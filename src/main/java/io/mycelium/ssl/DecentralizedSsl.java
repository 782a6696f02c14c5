package io.mycelium.ssl;

import io.mycelium.graph.Graph;
import io.mycelium.ssl.DecentralizedConfig.Merge;
import io.mycelium.ssl.DecentralizedConfig.NegativeSource;
import io.mycelium.ssl.DecentralizedConfig.Schedule;
import io.mycelium.ssl.Traffic.Kind;

import java.util.Arrays;

/**
 * Decentralized layer-wise SSL, simulated round by round on one thread. Every node holds its own copy
 * of every layer's parameters, its own Adam moments and step count, and for every layer a cache of
 * the latest (version, send round, vector) it received from each neighbour and from itself. A step of
 * layer l at node v reads only v's caches and v's negative buffer, all constants, and changes only
 * v's copy of layer l: no gradient crosses a layer or a node. After the step v recomputes its layer-l
 * output on the same inputs and sends it (EMB, layer-tagged and versioned) to its neighbours; a cache
 * keeps an arriving vector only if its version is newer, so reordering and duplicates are harmless.
 *
 * <p>Negatives: every round each node pushes its current outputs of all layers (one NEG message) to
 * {@code fanout} uniform random peers, which keep them in a bounded buffer that refuses neighbours.
 * Gossip: every ~gossipPeriod rounds each node sends its parameters and their ages (the number of
 * local steps folded in) to one uniform random peer, which merges them into its own copy on arrival
 * and trains on (merge-then-update); model messages act within the round they are sent. Message loss, delay and churn are drawn from hashes of the seed.
 *
 * <p>Round 0 is the forward wavefront of the initial parameters: features, then each layer's first
 * output, sent as EMB messages without delay.
 */
public final class DecentralizedSsl {
    private static final int EMB = 0, SELF = 1, NEG = 2;
    private static final int LOSS = 21, DELAY = 22, PEER = 23, TIMER = 24, NEGSAMPLE = 26, STATS_PEER = 200;

    private final SslGraph data;
    private final Graph g;
    private final SslConfig c;
    private final DecentralizedConfig d;
    private final int n, layers, maxWidth, inDim, hist;
    private final int[] off, nb, w, featurePayload;
    private final long seed;
    final LayerCopies[] copies;
    private final int[][] nextStep;
    private final NeighbourCaches cache;
    private final double[][] out, history, prevOut;
    private final int[][] version;
    private final NegativeBuffer[] buffers;
    private final int[] nextNeg, nextGossip;
    private final Churn churn;
    private final boolean[] online;
    private final RoundQueue queue;
    private final double[] a, u, grad;
    private final EdgeReconstructionGradient edgeLoss;
    private final int[] negSlots, negNodes;
    private final double[][] gsum;
    private final boolean[][] stepped;
    private final boolean decorrelation;
    /** Decorrelation: views, batch moments and gradient scratch (null for the edge-reconstruction loss). */
    private final DecorrelationState dec;
    private final Traffic traffic = new Traffic();
    private final StalenessCounters counters = new StalenessCounters();
    private long msgSeq;
    private int now;

    public DecentralizedSsl(SslGraph data, SslConfig c, DecentralizedConfig d) {
        this.data = data;
        this.g = data.graph();
        this.c = c;
        this.d = d;
        this.n = data.n();
        this.layers = c.layers();
        this.inDim = data.inputDim();
        this.seed = c.seed();
        this.hist = d.maxDelay() + 2;
        off = g.offsets();
        nb = g.neighbours();
        featurePayload = new int[n];
        for (int v = 0; v < n; v++) {
            int nnz = 0;
            for (int k = 0; k < inDim; k++) if (data.inputs()[v * inDim + k] != 0) nnz++;
            featurePayload[v] = Math.min(inDim, 2 * nnz); // dense, or (index, value) pairs when that is smaller
        }
        w = new int[layers + 1];
        w[0] = inDim;
        int mw = 0, maxBlock = 0;
        for (int l = 1; l <= layers; l++) mw = Math.max(mw, w[l] = c.width(l));
        this.maxWidth = mw;
        copies = new LayerCopies[layers + 1];
        nextStep = new int[layers + 1][];
        gsum = new double[layers + 1][];
        stepped = new boolean[layers + 1][];
        boolean adam = c.optimizer() == SslConfig.Optimizer.ADAM;
        for (int l = 1; l <= layers; l++) {
            copies[l] = new LayerCopies(n, w[l - 1], w[l], Encoder.init(c, l, inDim), l == 1 ? LayerCopies.touchedRows(data) : null, adam,
                    d.merge() == Merge.TRACKING);
            for (int v = 0; v < n; v++) maxBlock = Math.max(maxBlock, copies[l].blockLength(v));
            nextStep[l] = new int[n];
            stepped[l] = new boolean[n];
            if (d.merge() == Merge.EXACT) gsum[l] = new double[c.paramCount(l, inDim)];
        }
        cache = new NeighbourCaches(g, w);
        out = new double[layers + 1][];
        history = new double[layers + 1][];
        version = new int[layers + 1][];
        prevOut = new double[layers + 1][];
        buffers = new NegativeBuffer[layers + 1];
        for (int l = 0; l <= layers; l++) {
            version[l] = new int[n];
            if (l == 0) continue;
            out[l] = new double[n * w[l]];
            history[l] = new double[n * hist * w[l]];
            if (d.negatives() == NegativeSource.ORACLE) prevOut[l] = new double[n * w[l]];
            else if (c.loss() == SslConfig.Loss.EDGE_RECONSTRUCTION) buffers[l] = new NegativeBuffer(n, d.bufferCapacity(), w[l]);
        }
        nextNeg = new int[n];
        nextGossip = new int[n];
        churn = new Churn(n, d, seed);
        online = churn.online;
        queue = new RoundQueue(hist);
        a = new double[Math.max(inDim, maxWidth)];
        u = new double[maxWidth];
        edgeLoss = new EdgeReconstructionGradient(maxWidth, c.tau());
        grad = new double[maxBlock];
        negSlots = new int[Math.max(d.bufferCapacity(), c.negatives())];
        negNodes = new int[c.negatives()];
        decorrelation = c.loss() == SslConfig.Loss.DECORRELATION;
        dec = decorrelation ? new DecorrelationState(n, w, d.merge() == Merge.EXACT, c.lambda(), a.length, maxWidth) : null;
        start();
    }

    /** Runs rounds 1..{@link #rounds()}, calling {@code each} after every round. */
    public void run(RoundListener each) {
        for (int r = 1; r <= rounds(); r++) {
            round();
            if (each != null) each.after(r, this);
        }
    }

    /** Called after a round with the simulator, whose state it may read. */
    public interface RoundListener {
        void after(int round, DecentralizedSsl sim);
    }

    /** LOCKSTEP and ASYNC: the configured epochs; PROGRESSIVE: layers × window. */
    public int rounds() { return d.schedule() == Schedule.PROGRESSIVE ? layers * d.window() : c.epochs(); }

    /** Round 0: timers and the forward wavefront of the initial parameters (the churn state is drawn by {@link Churn}). */
    private void start() {
        for (int v = 0; v < n; v++) {
            for (int l = 1; l <= layers; l++) nextStep[l][v] = 1 + timer(v, l, 0);
            nextNeg[v] = 1;
            nextGossip[v] = 1 + (int) (Draw.uniform(Draw.hash(seed, TIMER, v, 0, 99)) * d.gossipPeriod());
        }
        for (int v = 0; v < n; v++) {
            version[0][v] = 1;
            store(0, cache.base[v], v, 1, 0); // a node knows its own features, online or not
            if (online[v]) for (int p = off[v]; p < off[v + 1]; p++) sendNow(Kind.EMBEDDING, featurePayload[v], 0, v, p, 1);
        }
        for (int l = 1; l <= layers; l++) {
            for (int v = 0; v < n; v++) if (online[v]) output(v, l);
            for (int v = 0; v < n; v++) {
                if (!online[v]) continue;
                store(l, cache.base[v], v, version[l][v], 0);
                for (int p = off[v]; p < off[v + 1]; p++) sendNow(Kind.EMBEDDING, w[l], l, v, p, version[l][v]);
            }
        }
        if (prevOut[1] != null) for (int l = 1; l <= layers; l++) System.arraycopy(out[l], 0, prevOut[l], 0, out[l].length);
        if (decorrelation && d.merge() != Merge.EXACT) {
            for (int l = 1; l <= layers; l++) for (int v = 0; v < n; v++) if (online[v]) { views(v, l); dec.fold(v, l); }
            for (int x = 0; x < d.statsWarmup(); x++) exchangeMoments(x);
        }
    }

    /** The wavefront's EMB: lost with the loss probability, otherwise delivered at once. */
    private void sendNow(Kind k, int payload, int l, int v, int p, int ver) {
        traffic.sent(k, payload);
        int to = nb[p];
        if (lost()) traffic.lost[k.ordinal()]++;
        else if (!online[to]) traffic.offline[k.ordinal()]++;
        else store(l, cache.recvSlot[p], v, ver, 0);
    }

    private boolean lost() { return d.lossProb() > 0 && Draw.uniform(Draw.hash(seed, LOSS, msgSeq++, 0, 0)) < d.lossProb(); }

    void round() {
        now++;
        churn.advance(now);
        for (int v = 0; v < n; v++) if (churn.joined[v]) join(v);
        deliver();
        for (int l = 1; l <= layers; l++)
            for (int v = 0; v < n; v++) stepped[l][v] = active(l) && online[v] && nextStep[l][v] <= now;
        if (decorrelation) gatherMoments();
        for (int l = 1; l <= layers; l++) {
            if (!active(l)) continue;
            for (int v = 0; v < n; v++) {
                if (!stepped[l][v]) continue;
                if (decorrelation) stepDecorrelation(v, l);
                else step(v, l);
                nextStep[l][v] = now + 1 + timer(v, l, now);
            }
        }
        if (d.merge() == Merge.EXACT) applyMean();
        for (int l = 1; l <= layers; l++) {
            if (!active(l)) continue;
            for (int v = 0; v < n; v++) if (stepped[l][v]) { output(v, l); emit(v, l); }
        }
        if (d.featureRefresh() > 0)
            for (int v = 0; v < n; v++)
                if (online[v] && (now + v) % d.featureRefresh() == 0)
                    for (int p = off[v]; p < off[v + 1]; p++) send(Kind.EMBEDDING, featurePayload[v], EMB, v, p, 0, 1);
        if (d.negatives() == NegativeSource.PUSH && !decorrelation) pushNegatives();
        if (d.merge() != Merge.NONE && d.merge() != Merge.EXACT) { gossip(); rowGossip(); }
        if (prevOut[1] != null) for (int l = 1; l <= layers; l++) System.arraycopy(out[l], 0, prevOut[l], 0, out[l].length);
    }

    /**
     * A node that comes online announces itself: it sends its features and the outputs it has to its neighbours,
     * and every online neighbour answers with its features (what the node missed while offline, e.g. round 0's).
     */
    private void join(int v) {
        for (int p = off[v]; p < off[v + 1]; p++) {
            send(Kind.EMBEDDING, featurePayload[v], EMB, v, p, 0, 1);
            for (int l = 1; l <= layers; l++) if (version[l][v] > 0) send(Kind.EMBEDDING, w[l], EMB, v, p, l, version[l][v]);
            int u = nb[p];
            if (!online[u]) continue;
            for (int q = off[u]; q < off[u + 1]; q++) if (nb[q] == v) { send(Kind.EMBEDDING, featurePayload[u], EMB, u, q, 0, 1); break; }
        }
    }

    /** How far layer l's training is at the current round (its window in PROGRESSIVE, else all rounds): the clock of the learning-rate decay. */
    private double progress(int l) {
        return d.schedule() == Schedule.PROGRESSIVE ? (now - 1.0 - (l - 1) * d.window()) / d.window() : (now - 1.0) / Math.max(1, c.epochs());
    }

    private boolean active(int l) {
        return d.schedule() != Schedule.PROGRESSIVE || (now > (l - 1) * d.window() && now <= l * d.window());
    }

    private int timer(int v, int l, int t) {
        return d.schedule() == Schedule.LOCKSTEP ? 0 : Draw.below(Draw.hash(seed, TIMER, v, l, t), d.stagger());
    }

    /** Stores the vector of {@code from}'s layer-l version {@code ver} into cache slot s if it is newer. */
    private void store(int l, int s, int from, int ver, int sentAt) {
        cache.store(l, s, ver, sentAt, history[l], (from * hist + ver % hist) * w[l], w[l]);
    }

    /** Accounts a message and queues it unless lost; returns false if lost. */
    private boolean send(Kind kind, long payload, int type, int from, int to, int l, int ver) {
        traffic.sent(kind, payload);
        if (lost()) { traffic.lost[kind.ordinal()]++; return false; }
        int delay = d.maxDelay() == 0 ? 0 : Draw.below(Draw.hash(seed, DELAY, msgSeq++, 0, 0), d.maxDelay() + 1);
        queue.add(now + 1 + delay, type, from, to, l, ver, now);
        return true;
    }

    private void deliver() {
        int[] q = queue.records(now);
        for (int k = 0; k < queue.length(now); k += RoundQueue.RECORD) {
            int type = q[k], from = q[k + 1], to = q[k + 2], l = q[k + 3], ver = q[k + 4], sentAt = q[k + 5];
            switch (type) {
                case SELF -> store(l, cache.base[from], from, ver, sentAt);
                case EMB -> {
                    if (online[nb[to]]) store(l, cache.recvSlot[to], from, ver, sentAt);
                    else traffic.offline[Kind.EMBEDDING.ordinal()]++;
                }
                case NEG -> {
                    if (!online[to]) { if (l == 1) traffic.offline[Kind.NEGATIVE.ordinal()]++; }
                    else if (to != from && !g.hasEdge(to, from))
                        buffers[l].offer(to, from, ver, sentAt, history[l], (from * hist + ver % hist) * w[l]);
                }
                default -> throw new IllegalStateException("message type " + type);
            }
        }
        queue.clear(now);
    }

    /**
     * Aggregates node v's layer-(l−1) cache into a: GCN weights, ReLU of the cached pre-activations
     * (features as they are), entries not yet received left out.
     */
    private void aggregate(int v, int l) { aggregateView(v, l, -1, a); }

    /** u = a·W_v + b_v for node v's copy of layer l. */
    private void affine(int v, int l) { copies[l].affine(v, a, u); }

    /** One local step of layer l at node v on its cached constants. */
    private void step(int v, int l) {
        counters.step(cache, v, l, now);
        aggregate(v, l);
        affine(v, l);
        int width = w[l];
        edgeLoss.start(u, width);
        int pos = 0;
        for (int s = cache.base[v] + 1; s < cache.base[v + 1]; s++) if (cache.ver[l][s] > 0) pos++;
        for (int s = cache.base[v] + 1; s < cache.base[v + 1]; s++)
            if (cache.ver[l][s] > 0) edgeLoss.addTerm(cache.vec[l], s * width, -(1.0 / pos), true);
        int used;
        if (d.negatives() == NegativeSource.ORACLE) {
            used = 0;
            for (int q = 0; q < c.negatives(); q++) {
                int x = Encoder.oracleNegative(g, seed, v, now, l, q);
                if (x >= 0) negNodes[used++] = x;
            }
            for (int q = 0; q < used; q++) edgeLoss.addTerm(prevOut[l], negNodes[q] * width, c.negWeight() / used, false);
        } else {
            used = buffers[l].sample(v, now, d.maxNegAge(), c.negatives(), Draw.hash(seed, NEGSAMPLE, v, now, l), negSlots);
            for (int q = 0; q < used; q++) {
                counters.negative(now - buffers[l].sentAt(negSlots[q]));
                edgeLoss.addTerm(buffers[l].vectors, negSlots[q] * width, c.negWeight() / used, false);
            }
        }
        counters.negatives(used, c.negatives());
        edgeLoss.finish();
        double[] du = edgeLoss.du;
        int in = w[l - 1];
        if (d.merge() == Merge.EXACT) {
            double[] gs = gsum[l];
            for (int k = 0; k < in; k++) {
                double ak = a[k];
                if (ak != 0) for (int j = 0; j < width; j++) gs[k * width + j] += ak * du[j];
            }
            for (int j = 0; j < width; j++) gs[in * width + j] += du[j];
            return;
        }
        copies[l].step(c, v, a, du, grad, progress(l));
    }

    /**
     * Node v's layer-l input aggregated as view {@code view} of this step (edge and dimension drop of
     * {@link Encoder#keepsNeighbour}, {@link Encoder#keepsDim}; view −1: no drop) into {@code into}.
     */
    private void aggregateView(int v, int l, int view, double[] into) {
        int in = w[l - 1];
        double[] cv = cache.vec[l - 1];
        int[] ver = cache.ver[l - 1];
        Arrays.fill(into, 0, in, 0);
        for (int s = cache.base[v]; s < cache.base[v + 1]; s++) {
            if (ver[s] == 0) continue;
            boolean self = s == cache.base[v];
            if (!self && view >= 0 && !Encoder.keepsNeighbour(c, v, now, l, view, s - cache.base[v] - 1)) continue;
            int from = self ? v : nb[off[v] + s - cache.base[v] - 1];
            double wt = Encoder.weight(g, v, from);
            if (l == 1) {
                double[] x = data.inputs();
                int o = from * in;
                for (int k = 0; k < in; k++) into[k] += wt * x[o + k];
            } else {
                int o = s * in;
                for (int k = 0; k < in; k++) into[k] += wt * Math.max(0, cv[o + k]);
            }
        }
        if (view >= 0) for (int k = 0; k < in; k++) if (into[k] != 0 && !Encoder.keepsDim(c, v, now, l, view, k)) into[k] = 0;
    }

    /** Node v's two views of layer l with its current copy: aggregates in a (A) and aB (B), outputs in viewA/viewB. */
    private void views(int v, int l) {
        int width = w[l];
        aggregateView(v, l, 0, a);
        copies[l].affine(v, a, u);
        System.arraycopy(u, 0, dec.viewA[l], v * width, width);
        aggregateView(v, l, 1, dec.aB);
        copies[l].affine(v, dec.aB, u);
        System.arraycopy(u, 0, dec.viewB[l], v * width, width);
    }

    /**
     * Before the steps of a round: every stepping node computes its views; EXACT sums their moments over all
     * stepping nodes (the centralized batch), gossip folds them into the node's estimate and then runs
     * {@code statsExchanges} rounds of pairwise averaging.
     */
    private void gatherMoments() {
        for (int l = 1; l <= layers; l++) {
            if (!active(l)) continue;
            if (d.merge() == Merge.EXACT) {
                dec.clearSum(l);
                for (int v = 0; v < n; v++) if (stepped[l][v]) { views(v, l); dec.addToSum(v, l); }
                dec.batchFromSum(l);
            } else for (int v = 0; v < n; v++) if (stepped[l][v]) { views(v, l); dec.fold(v, l); }
        }
        if (d.merge() != Merge.EXACT) for (int x = 0; x < d.statsExchanges(); x++) exchangeMoments(x);
    }

    /**
     * One exchange per online node: it sends its moment estimates (every training layer) to a uniform random
     * peer, which replies with its own; both keep the average. Without loss this keeps the sum of the
     * estimates equal to the sum of the contributions; a lost request changes nothing, a lost reply leaves
     * the sender's estimate as it was (the sum then moves by half their difference).
     */
    private void exchangeMoments(int x) {
        long payload = 0;
        for (int l = 1; l <= layers; l++) if (active(l)) payload += dec.messageLength(l);
        for (int v = 0; v < n; v++) {
            if (!online[v]) continue;
            int p = peer(v, STATS_PEER + x);
            traffic.sent(Kind.MOMENTS, payload);
            if (lost()) { traffic.lost[Kind.MOMENTS.ordinal()]++; continue; }
            if (!online[p]) { traffic.offline[Kind.MOMENTS.ordinal()]++; continue; }
            traffic.sent(Kind.MOMENTS, payload);
            boolean replyLost = lost();
            if (replyLost) traffic.lost[Kind.MOMENTS.ordinal()]++;
            for (int l = 1; l <= layers; l++) if (active(l)) dec.average(l, v, p, replyLost);
        }
    }

    /** One local step of layer l at node v on the decorrelation loss, its views computed this round. */
    private void stepDecorrelation(int v, int l) {
        counters.step(cache, v, l, now);
        int width = w[l], in = w[l - 1];
        dec.gradient(v, l);
        double[] aB = dec.aB, dzA = dec.dzA, dzB = dec.dzB;
        aggregateView(v, l, 0, a);
        aggregateView(v, l, 1, aB);
        if (d.merge() == Merge.EXACT) {
            double[] gs = gsum[l];
            for (int k = 0; k < in; k++) {
                double x = a[k], y = aB[k];
                if (x != 0 || y != 0) for (int j = 0; j < width; j++) gs[k * width + j] += x * dzA[j] + y * dzB[j];
            }
            return; // no bias gradient: see LayerCopies#step with two views
        }
        copies[l].step(c, v, a, dzA, aB, dzB, grad, progress(l));
    }

    /** Gossip: node v's current estimate of layer l's mean moments (count first, then the means). */
    double[] momentEstimate(int v, int l) { return dec.estimate(v, l); }

    /** Gossip: the exact mean moments of the contributions the nodes have folded in (count first). */
    double[] momentTruth(int l) { return dec.truth(l); }

    /** EXACT: every node that stepped applies the mean of the summed gradients to its own copy. */
    private void applyMean() {
        for (int l = 1; l <= layers; l++) {
            if (!active(l)) continue;
            int count = 0;
            for (int v = 0; v < n; v++) if (stepped[l][v]) count++;
            if (count == 0) continue;
            double[] gs = gsum[l];
            for (int k = 0; k < gs.length; k++) gs[k] /= count;
            for (int v = 0; v < n; v++) if (stepped[l][v]) copies[l].stepWithFull(c, v, gs, grad, progress(l));
            Arrays.fill(gs, 0);
        }
    }

    /** Recomputes node v's layer-l pre-activation with its current copy on its current cache, as a new version. */
    private void output(int v, int l) {
        aggregate(v, l);
        affine(v, l);
        int width = w[l], o = v * width, ver = ++version[l][v];
        System.arraycopy(u, 0, out[l], o, width);
        System.arraycopy(out[l], o, history[l], (v * hist + ver % hist) * width, width);
    }

    /** EMB of v's new layer-l output to every neighbour, and into its own cache next round. */
    private void emit(int v, int l) {
        queue.add(now + 1, SELF, v, v, l, version[l][v], now);
        for (int p = off[v]; p < off[v + 1]; p++) send(Kind.EMBEDDING, w[l], EMB, v, p, l, version[l][v]);
    }

    private void pushNegatives() {
        for (int v = 0; v < n; v++) {
            if (!online[v] || nextNeg[v] > now) continue;
            nextNeg[v] = now + 1;
            for (int k = 0; k < d.fanout(); k++) {
                int to = peer(v, 100 + k);
                traffic.sent(Kind.NEGATIVE, c.embeddingDim());
                if (lost()) { traffic.lost[Kind.NEGATIVE.ordinal()]++; continue; }
                int delay = d.maxDelay() == 0 ? 0 : Draw.below(Draw.hash(seed, DELAY, msgSeq++, 0, 0), d.maxDelay() + 1);
                for (int l = 1; l <= layers; l++) queue.add(now + 1 + delay, NEG, v, to, l, version[l][v], now);
            }
        }
    }

    /** A uniform random node other than v. */
    private int peer(int v, int salt) {
        int x = Draw.below(Draw.hash(seed, PEER, v, now, salt), n - 1);
        return x >= v ? x + 1 : x;
    }

    /**
     * Every node whose gossip timer fires sends its copies of the training layers and their ages to one
     * uniform random peer, which merges them on arrival. Model messages take effect within the round
     * they are sent (they are subject to loss and churn, not to delay), so no copy is in flight.
     */
    private void gossip() {
        int times = d.gossipPeriod() < 1 ? (int) Math.round(1 / d.gossipPeriod()) : 1;
        for (int x = 0; x < times; x++) gossip(x);
    }

    /** The x-th gossip exchange of this round (several when the gossip period is below one round). */
    private void gossip(int x) {
        for (int v = 0; v < n; v++) {
            if (!online[v] || (x == 0 && nextGossip[v] > now)) continue;
            if (x == 0) {
                double jitter = 0.5 + Draw.uniform(Draw.hash(seed, TIMER, v, now, 98));
                nextGossip[v] = now + Math.max(1, (int) Math.round(jitter * d.gossipPeriod()));
            }
            int deg = off[v + 1] - off[v];
            int to = deg > 0 && d.gossipLocal() > 0 && Draw.uniform(Draw.hash(seed, PEER, v, now, 8 + 100L * x)) < d.gossipLocal()
                    ? nb[off[v] + Draw.below(Draw.hash(seed, PEER, v, now, 9 + 100L * x), deg)] : peer(v, 7 + 100 * x);
            long payload = 0;
            boolean tracking = d.merge() == Merge.TRACKING;
            for (int l = 1; l <= layers; l++)
                if (active(l)) payload += rowsApart(l) ? w[l] + 1 : copies[l].payload(v) + (tracking ? copies[l].blockLength(v) : 0);
            traffic.sent(Kind.GOSSIP, payload);
            if (lost()) traffic.lost[Kind.GOSSIP.ordinal()]++;
            else if (!online[to]) traffic.offline[Kind.GOSSIP.ordinal()]++;
            else if (tracking) {
                long back = 0;
                for (int l = 1; l <= layers; l++) if (active(l)) back += copies[l].payload(to) + copies[l].blockLength(to);
                traffic.sent(Kind.GOSSIP, back);
                boolean replyLost = lost();
                if (replyLost) traffic.lost[Kind.GOSSIP.ordinal()]++;
                for (int l = 1; l <= layers; l++) if (active(l)) copies[l].exchange(v, to, replyLost);
            } else for (int l = 1; l <= layers; l++) if (active(l)) merge(to, v, l);
        }
    }

    /** Node v merges the received copy of layer l (node {@code from}'s) into its own: uniform or age-weighted; age ← max. */
    private void merge(int v, int from, int l) {
        double mine = copies[l].age[v], theirs = copies[l].age[from];
        double wm = d.merge() == Merge.AGE_WEIGHTED && mine + theirs > 0 ? mine / (mine + theirs) : 0.5;
        copies[l].merge(v, from, wm, rowsApart(l));
    }

    /** Whether layer l's rows travel by row gossip rather than in MODEL messages. */
    private boolean rowsApart(int l) { return d.rowExchanges() > 0 && copies[l].partial() && d.merge() != Merge.TRACKING; }

    /** Row gossip ({@link DecentralizedConfig#rowExchanges}) on every training layer whose copies are partial. */
    private void rowGossip() {
        for (int l = 1; l <= layers; l++)
            if (active(l) && rowsApart(l)) RowGossip.round(copies[l], d.rowExchanges(), seed, now, online, traffic, this::lost);
    }

    /**
     * The deployed embeddings: every node computes [h^1 ‖ … ‖ h^L] from its own parameter copies and its
     * own caches, as it could at any time ({@code n × embeddingDim}).
     */
    public double[] embedding() {
        int dim = c.embeddingDim();
        double[] e = new double[n * dim];
        for (int v = 0; v < n; v++)
            for (int l = 1; l <= layers; l++) {
                aggregate(v, l);
                affine(v, l);
                int o = v * dim + c.embeddingOffset(l);
                for (int j = 0; j < w[l]; j++) e[o + j] = Math.max(0, u[j]);
            }
        return e;
    }

    /**
     * The consensus embeddings (spec §5.3): the mean of all nodes' copies of each layer, applied centrally
     * to the whole graph. Not something a node can compute; it separates what the copies learned from how
     * far apart they are.
     */
    public double[] consensusEmbedding() { return EncoderFile.embedding(data, c, consensusParameters()); }

    /** The mean of all nodes' copies, per layer ({@code [l]}: W then b; index 0 unused), as {@link #consensusEmbedding} applies it. */
    public double[][] consensusParameters() {
        double[][] p = new double[layers + 1][];
        for (int l = 1; l <= layers; l++) p[l] = copies[l].mean();
        return p;
    }

    /** Node v's copy of layer l's parameters (W then b); rows v does not hold are at their initial values. */
    public double[] parameters(int v, int l) { return copies[l].full(v); }

    /** Whether node v holds row k of layer l's W (the rows its inputs can touch; see {@link LayerCopies}). */
    public boolean holds(int v, int l, int k) { return copies[l].holds(v, k); }

    public Traffic traffic() { return traffic; }

    public int round0() { return now; }

    /** Staleness and buffer statistics so far. */
    public record Stats(long steps, double meanNegativeAge, int maxNegativeAge, long negativesUsed, long starvedSteps,
                        double meanInputAge, double meanBufferFill, double onlineFraction, double missingFeatureFraction) {}

    public Stats stats() {
        double fill = 0;
        if (buffers[layers] != null) for (int v = 0; v < n; v++) fill += buffers[layers].fill(v);
        int on = 0;
        for (boolean b : online) if (b) on++;
        return counters.stats(fill / n, (double) on / n, cache.missingFeatures());
    }
}
