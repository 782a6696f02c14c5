package io.mycelium.engine;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.model.Activation;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.LayeredModel;
import io.mycelium.model.LinearFixedPoint;
import io.mycelium.model.LinearForm;
import io.mycelium.model.Model;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Partially asynchronous inference (hogwild paper §2.1, Appendix E) of unchanged model programs.
 *
 * <p><b>How a model written once runs here.</b> Every tick the model's own tape program runs over
 * the whole graph, on a partition whose halo has one slot per directed edge
 * ({@link Partition#perEdgeHalo}). Each round of message passing is delivered by this engine's
 * {@link Comm}: for round k of the tick, halo slot e (edge i ← j) gets the value of j's round-k row
 * that node i's view picks — j's value as of a tick τ at most D ticks back, possibly delayed or lost — from a ring of
 * j's past round-k rows. After the program, only the nodes that update at this tick commit their new
 * rows. So a model never knows it runs asynchronously, and with S = D = 1 and no loss or delay
 * every read is the latest value and the run is the synchronous computation, bit for bit.
 *
 * <p><b>What a node's round-k value is.</b> Rows of the first round of a program depend only on a
 * node's own state (nothing has been received yet), so they are the node's current value even when
 * it does not update: they enter j's ring whenever j's state changed, as the value current from
 * the tick after the update. Rows of later rounds are computed from received values, so they are
 * meaningful only for a node that updates at this tick: they enter the ring at that tick, and a
 * neighbour updating at the same tick may read them (the synchronous layer-by-layer case).
 *
 * <p><b>Explicit models</b> ({@link #runExplicit}, {@link LayeredModel}s such as GCN and GAT) follow
 * the paper's eq. (9) and Algorithm 1: node i keeps a layer counter t_i; at each of its update times
 * with t_i &lt; L it computes ONE layer, layer t_i, from its own current embedding and its stale
 * view (as of a tick at most D back) of each neighbour's <i>current</i> embedding — which may belong
 * to another layer; then t_i += 1. After L updates its output is the readout of its embedding. Per
 * tick the engine runs the program of every layer l over the whole graph, all reading the
 * neighbours' embeddings through the same views, and commits layer l's rows only for the updating
 * nodes at layer l. A node that has finished keeps announcing its final embedding at its update
 * times (an identity update): it is its current value, and this keeps every read within the
 * staleness bound S + D (+ delay) of partial asynchrony even when a neighbour finished long ago.
 * {@link #runLayerMatched} keeps the earlier simplification (every update runs all L layers, layer k
 * reading the neighbours' layer-k values), which hides most of the damage asynchrony does; its
 * ages are measured from a value's production, and since nodes stop after their updates they can
 * exceed S + D. <b>Implicit models</b> ({@link #runImplicit}): each update is one {@code step}; the run
 * stops when no node changed by {@code tol} or more for two staleness bounds' worth of ticks, or when the
 * tick budget ends. A {@link LinearFixedPoint} model (IGNN, GSDGNN, any model whose step is
 * {@code φ(S h M + e)}) with tied parameters takes a fused kernel that consumes the step's
 * {@link LinearForm}: the encoding is computed once and the step's arithmetic done in the form's
 * order (tests pin it bitwise to the generic path).
 *
 * <p><b>Views</b> are Algorithm 1's (hogwild paper, Appendix E): receiver i keeps, per neighbour j, the
 * tick τ as of which it views j (0 at the start); at each of i's updates at tick t it draws
 * τ ← t − lag, lag uniform in 0..min(t − τ, D), so a view is never more than D ticks back and never
 * moves back in time. A value's age is t minus the tick at which its sender computed it (§2.1:
 * τ_j^i(t) ∈ T^j; the initial values count as computed at tick 0). Without loss or delay the largest
 * age is S + D: the view reaches back D ticks to a value computed up to S ticks before that, and
 * long runs reach it. Every path (the generic tick loop, layered runs, the fused kernel and its
 * wavefront) draws the same views.
 *
 * <p>All randomness is a hash of (seed, kind, place, time), so runs are deterministic by seed and
 * independent of threads; per-tick work is split over nodes in {@link Parallel}'s fixed chunking.
 */
public final class AsyncEngine {
    private static final int NEVER = Integer.MAX_VALUE;
    private static final int FIRST = 0, NEXT = 1, LAG = 2, LOSS = 3, DELAY = 4;

    private final Graph graph;
    private final int n;
    private final int[] off, nb;
    private final AsyncSchedule sched;
    private final Params params;
    private final Host host;
    private final int ringCap, stagger, history, maxDelay;
    private final int[] linkMax;
    private final double loss;
    private final boolean simple;
    private final int histBins;
    /** Views table of the lossless fused path: 2^viewShift ≥ D + 2 entries per sender, by tick modulo 2^viewShift. */
    private final int viewShift;
    /**
     * Algorithm 1's τ_j^i per directed edge (i ← j): the tick as of which receiver i views sender j.
     * It moves only at i's updates and only forward: τ ← t − lag, lag uniform in 0..min(t − τ, D).
     */
    private final int[] viewAt;
    private boolean fusedEnabled = true;
    /** Tests: called in layered runs with each tick and its due nodes (centralized replays). */
    java.util.function.ObjIntConsumer<boolean[]> dueListener;
    private final long[] kindBase = new long[5];

    // state of the current run
    private int tick;
    private final int[] next, lastUpdate, updates;
    private final boolean[] upd;
    private final int[] updList;
    private final ArrayList<Stream> streams = new ArrayList<>();
    private int pullsThisTick, deliversThisTick;
    private long rounds;
    private boolean layered;       // a layered explicit run: every pull carries embeddings, one round per tick
    private int passLayer = -1;    // the layer whose program runs now (layered runs), else -1
    private final long[][] chunkStats = new long[Parallel.MAX_CHUNKS][];
    private final double[] chunkMax = new double[Parallel.MAX_CHUNKS];
    private final int[] chunkCount = new int[Parallel.MAX_CHUNKS];

    public AsyncEngine(Graph g, Params params, AsyncSchedule schedule) {
        if (!params.isTied() && params.copies() != g.n())
            throw new IllegalArgumentException("parameters have " + params.copies() + " copies for " + g.n() + " nodes");
        if (schedule.linkMaxDelay() != null && schedule.linkMaxDelay().length != g.directedEdgeCount())
            throw new IllegalArgumentException("per-link delays need one entry per directed edge (" + g.directedEdgeCount() + ")");
        this.graph = g;
        this.n = g.n();
        this.off = g.offsets();
        this.nb = g.neighbours();
        this.sched = schedule;
        this.params = params;
        Partition p = Partition.perEdgeHalo(g);
        this.host = new Host(p, new EdgeComm(p), params);
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
        this.viewShift = 32 - Integer.numberOfLeadingZeros(history + 1);
        this.viewAt = new int[g.directedEdgeCount()];
        this.next = new int[n];
        this.lastUpdate = new int[n];
        this.updates = new int[n];
        this.upd = new boolean[n];
        this.updList = new int[n];
        // + max age, unreceived, layer mismatches; then 16 unused longs (two cache lines), so that threads
        // counting every edge into neighbouring chunks' histograms do not share a cache line
        for (int c = 0; c < chunkStats.length; c++) chunkStats[c] = new long[histBins + 3 + 16];
        for (int kind = 0; kind < kindBase.length; kind++) kindBase[kind] = mix(mix(schedule.seed() * 0x9E3779B97F4A7C15L + kind + 1));
    }

    public Graph graph() { return graph; }

    public AsyncSchedule schedule() { return sched; }

    /** Turns the fused kernel of {@link LinearFixedPoint} models off (to pin it against the generic path) or on. */
    public AsyncEngine setFusedEnabled(boolean on) {
        this.fusedEnabled = on;
        return this;
    }

    // ------------------------------------------------------------------ public runs

    /**
     * Explicit model: a {@link LayeredModel} with the paper's semantics (one layer per update, reads
     * of the neighbours' current embeddings whatever their layer); any other model layer-matched.
     */
    public AsyncRun runExplicit(Model model, Tensor x) {
        return model instanceof LayeredModel lm ? runLayered(lm, x) : runLayerMatched(model, x, model.rounds());
    }

    /**
     * Explicit model, layer-matched (not the paper's semantics): each node updates
     * {@code updatesPerNode} times, each time running all of the program's rounds with the views
     * of its neighbours' values of each round; its output is that of its last update.
     */
    public AsyncRun runLayerMatched(Model model, Tensor x, int updatesPerNode) {
        if (updatesPerNode < 1) throw new IllegalArgumentException("each node needs at least one update");
        Tensor xs = host.rows(x);
        return runGeneric((t, s) -> model.forward(t, t.constant(xs)), null, true, updatesPerNode, 0, Integer.MAX_VALUE);
    }

    /**
     * Implicit model from {@code h0} (zeros when null) until converged to {@code tol} or
     * {@code maxTicks}; {@code edgeFeatures} ({@code [edges, f]}, CSR order) may be null.
     */
    public AsyncRun runImplicit(ImplicitModel model, Tensor x, Tensor edgeFeatures, Tensor h0, double tol, int maxTicks) {
        if (maxTicks < 1) throw new IllegalArgumentException("tick budget must be at least 1");
        int k = model.stateWidth();
        Tensor h = h0 == null ? Tensor.zeros(n, k) : h0.copy();
        if (!h.hasShape(n, k)) throw new IllegalArgumentException("initial state must be [" + n + ", " + k + "], got " + Arrays.toString(h.shape()));
        AsyncRun r;
        if (fusedEnabled && model instanceof LinearFixedPoint linear && params.isTied()) {
            r = runLinearFused(linear, x, edgeFeatures, h, tol, maxTicks);
        } else {
            Tensor es = edgeFeatures;
            r = runGeneric((t, s) -> model.step(t, t.constant(s),
                    new GraphInput(t.constant(x), es == null ? null : t.constant(es))), h, false, 0, tol, maxTicks);
        }
        Tape t = host.tape();
        Tensor out = model.readout(t, t.constant(r.state()), new GraphInput(t.constant(x), edgeFeatures == null ? null : t.constant(edgeFeatures))).value().copy();
        return new AsyncRun(r.state(), out, r.ticks(), r.converged(), r.updates(), r.staleness(), r.maxStaleness(),
                r.unreceived(), r.trace(), r.rounds(), r.seconds(), r.layerMismatches());
    }

    /**
     * The paper's asynchronous inference of an explicit GNN (eq. 9, Algorithm 1 UpdateNodeFinite):
     * h^0 = encode(x) everywhere; a node due at tick t with t_i &lt; L sets h_i ← layer_{t_i}(h_i,
     * views of h_j) and t_i += 1; finished nodes re-announce h_i^L; the run ends when every node has
     * made its L updates, and the output is the readout of the final embeddings.
     */
    public AsyncRun runLayered(LayeredModel model, Tensor x) {
        reset();
        int L = model.layers(), k = model.width();
        Tensor xs = host.rows(x);
        Tape t0 = host.tape();
        Tensor h = model.encode(t0, GraphInput.of(t0.constant(xs))).value().copy();
        if (!h.hasShape(n, k))
            throw new IllegalStateException("the encoder returned " + Arrays.toString(h.shape()) + ", expected [" + n + ", " + k + "]");
        double[] hs = h.data(), pending = new double[n * k];
        boolean[] due = new boolean[n];
        long start = System.nanoTime();
        double[] trace = new double[1 << 8];
        boolean converged = false;
        int t;
        layered = true;
        try {
            for (t = 1; ; t++) {
                tick = t;
                if (markUpdaters() > 0) {
                    System.arraycopy(upd, 0, due, 0, n);
                    if (dueListener != null) dueListener.accept(due.clone(), t);
                    pullsThisTick = 0;
                    deliversThisTick = 0;
                    double change = 0;
                    // Every layer's program runs, even one no due node is at: each stream must take
                    // every new embedding in the tick after it was made, or a later view could not pick it.
                    for (int l = 0; l < L; l++) {
                        for (int i = 0; i < n; i++) upd[i] = due[i] && updates[i] == l;
                        passLayer = l;
                        int before = deliversThisTick;
                        Tape tape = host.tape();
                        Var out = model.layer(tape, l, tape.constant(h), GraphInput.of(tape.constant(xs)));
                        if (deliversThisTick - before != 1)
                            throw new IllegalStateException("layer " + l + " passed " + (deliversThisTick - before) + " rounds of messages, expected one");
                        if (!out.value().hasShape(n, k))
                            throw new IllegalStateException("layer " + l + " returned " + Arrays.toString(out.shape()) + ", expected [" + n + ", " + k + "]");
                        double[] o = out.value().data();
                        for (int i = 0; i < n; i++) {
                            if (!upd[i]) continue;
                            for (int q = i * k; q < (i + 1) * k; q++) {
                                double d = Math.abs(o[q] - hs[q]);
                                if (!(d <= change)) change = d; // NaN propagates
                                pending[q] = o[q];
                            }
                        }
                    }
                    passLayer = -1;
                    // commit after all layers: within a tick every program saw the same embeddings
                    for (int i = 0; i < n; i++) {
                        if (!due[i]) continue;
                        if (updates[i] < L) {
                            System.arraycopy(pending, i * k, hs, i * k, k);
                            updates[i]++;
                        }
                        lastUpdate[i] = t; // a finished node's update re-announces its final embedding
                        next[i] = t + 1 + bounded(hash(NEXT, i, t, 0), stagger);
                    }
                    rounds++; // each due node sent its current embedding once
                    trace = record(trace, t, change);
                }
                int done = 0;
                for (int i = 0; i < n; i++) if (updates[i] >= L) done++;
                if (done == n) { converged = true; break; }
            }
        } finally {
            layered = false;
            passLayer = -1;
        }
        AsyncRun r = finish(h, t, converged, trace, start);
        Tape tr = host.tape();
        Tensor out = model.readout(tr, tr.constant(h), GraphInput.of(tr.constant(xs))).value().copy();
        return new AsyncRun(h, out, r.ticks(), r.converged(), r.updates(), r.staleness(), r.maxStaleness(),
                r.unreceived(), r.trace(), r.rounds(), r.seconds(), r.layerMismatches());
    }

    // ------------------------------------------------------------------ the generic tick loop

    private interface Program {
        Var run(Tape t, Tensor state);
    }

    private void reset() {
        streams.clear();
        rounds = 0;
        Arrays.fill(lastUpdate, 0);
        Arrays.fill(updates, 0);
        Arrays.fill(viewAt, 0); // Algorithm 1: τ_j^i = 0, the initial values
        for (long[] s : chunkStats) Arrays.fill(s, 0);
        for (int i = 0; i < n; i++) next[i] = 1 + bounded(hash(FIRST, i, 0, 0), stagger);
    }

    private AsyncRun runGeneric(Program prog, Tensor state, boolean explicit, int cap, double tol, int maxTicks) {
        reset();
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int window = 2 * sched.stalenessBound(), lastBig = 0, done = 0, t;
        boolean converged = false;
        for (t = 1; t <= maxTicks; t++) {
            tick = t;
            if (markUpdaters() > 0) {
                pullsThisTick = 0;
                deliversThisTick = 0;
                Tape tape = host.tape();
                Var out = prog.run(tape, state);
                if (state == null) state = Tensor.zeros(out.value().shape());
                if (!out.value().sameShape(state))
                    throw new IllegalStateException("the program returned " + Arrays.toString(out.shape()) + ", expected " + Arrays.toString(state.shape()));
                double change = commit(out.value().data(), state.data(), state.rowSize(), explicit, cap);
                trace = record(trace, t, change);
                if (!(change < tol)) lastBig = t;
            }
            if (explicit) {
                done = 0;
                for (int i = 0; i < n; i++) if (next[i] == NEVER) done++;
                if (done == n) { converged = true; break; }
            } else if (t - lastBig >= window) { converged = true; break; }
        }
        int ticks = Math.min(t, maxTicks);
        return finish(state, ticks, converged, trace, start);
    }

    private static double[] record(double[] trace, int t, double change) {
        if (t > trace.length) trace = Arrays.copyOf(trace, Math.max(t, trace.length * 2));
        trace[t - 1] = change;
        return trace;
    }

    private AsyncRun finish(Tensor state, int ticks, boolean converged, double[] trace, long start) {
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

    /** Marks the nodes updating at {@code tick} and advances their views; returns how many. */
    private int markUpdaters() {
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

    /** Commits the updating nodes' rows; returns the largest change. */
    private double commit(double[] out, double[] state, int w, boolean explicit, int cap) {
        int chunks = Parallel.chunks(n, w);
        Arrays.fill(chunkMax, 0);
        int t = tick;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            double mx = 0;
            for (int i = from; i < to; i++) {
                if (!upd[i]) continue;
                int o = i * w;
                for (int q = o; q < o + w; q++) {
                    double d = Math.abs(out[q] - state[q]);
                    if (!(d <= mx) && mx == mx) mx = d; // a NaN propagates and stays
                    state[q] = out[q];
                }
                scheduleNext(i, t, explicit, cap);
            }
            chunkMax[c] = mx;
        });
        double mx = 0;
        for (int c = 0; c < chunks; c++) if (!(chunkMax[c] <= mx)) mx = chunkMax[c];
        return mx;
    }

    private void scheduleNext(int i, int t, boolean explicit, int cap) {
        updates[i]++;
        lastUpdate[i] = t;
        next[i] = explicit && updates[i] >= cap ? NEVER : t + 1 + bounded(hash(NEXT, i, t, 0), stagger);
    }

    // ------------------------------------------------------------------ streams of rows and views

    /** The past rows one round of the program carried, per source node, and what receivers hold. */
    static final class Stream {
        final int w;
        final boolean state;      // a first-round stream: rows depend only on the sender's own state
        final boolean keepHeld;   // whether a failed view can happen and must fall back to what was held
        final double[] vals;      // [n][ringCap][w]
        final int[] idx;          // tick from which each ring value is current, -1 = empty
        final int[] head;         // newest ring slot per node
        final int[] pushedFor;    // state streams: lastUpdate value whose row was pushed last
        final double[] held;      // [edges][w]: the last value each receiver read on each edge
        final int[] heldIdx;
        final int[] lay;          // layered runs: the layer of the embedding in each ring slot
        final int[] heldLay;

        Stream(int n, int edges, int cap, int w, boolean state, boolean keepHeld) {
            this.w = w;
            this.state = state;
            this.keepHeld = keepHeld;
            vals = new double[n * cap * w];
            idx = new int[n * cap];
            Arrays.fill(idx, -1);
            head = new int[n];
            pushedFor = new int[n];
            Arrays.fill(pushedFor, -1);
            // Without a failed view nothing is ever read from what receivers held (every view finds a
            // value: all states enter the rings at tick 1), so those per-edge arrays are not made:
            // for k = 16 on 10^5 nodes they would be 90 MB.
            int heldEdges = keepHeld ? edges : 0;
            held = new double[heldEdges * w];
            heldIdx = new int[heldEdges];
            Arrays.fill(heldIdx, -1);
            lay = new int[n * cap];
            heldLay = new int[heldEdges];
        }

        /** Where the ring slot's row starts in {@code vals}. */
        int at(int slot) { return slot * w; }
    }

    private Stream stream(int s, int w, boolean state) {
        if (s == streams.size()) {
            // Without loss or delay a state stream always has a value at or before any view: no fallback.
            streams.add(new Stream(n, graph.directedEdgeCount(), ringCap, w, state, !(simple && state)));
        }
        Stream st = streams.get(s);
        if (st.w != w || st.state != state)
            throw new IllegalStateException("the program's rounds changed between ticks (round " + s + ")");
        return st;
    }

    private void push(Stream st, int j, double[] src, int srcOff, int index) {
        int h = st.head[j] + 1;
        if (h == ringCap) h = 0;
        st.head[j] = h;
        int slot = j * ringCap + h;
        st.idx[slot] = index;
        st.lay[slot] = updates[j]; // in layered runs pushes precede the tick's commits: the row is h_j^{updates[j]}
        System.arraycopy(src, srcOff, st.vals, st.at(slot), st.w);
    }

    /** Adds this tick's producers' rows of {@code local} to the stream's rings. */
    private void produce(Stream st, double[] local, int offset) {
        int chunks = Parallel.chunks(n, st.w);
        int t = tick;
        Parallel.forRange(n, chunks, (c, from, to) -> {
            for (int j = from; j < to; j++) {
                if (st.state) {
                    if (st.pushedFor[j] != lastUpdate[j]) {
                        st.pushedFor[j] = lastUpdate[j];
                        push(st, j, local, offset + j * st.w, lastUpdate[j] + 1);
                    }
                } else if (upd[j]) push(st, j, local, offset + j * st.w, t);
            }
        });
    }

    /**
     * Algorithm 1's view update of updating receiver i at tick t: for each incoming edge, τ ← t − lag
     * with lag uniform in 0..min(t − τ, D), so a view reaches back at most D ticks and never moves
     * back in time. One hash gives the lags of four consecutive edges (16 bits each); the fused
     * kernels draw the same words ({@link #lagWord}) and advance the same views.
     */
    private void advanceViews(int i, int t) {
        if (history == 0) return;
        long word = 0;
        for (int e = off[i], e0 = e, end = off[i + 1]; e < end; e++) {
            int local = e - e0;
            if ((local & 3) == 0) word = hash(LAG, i, t, local >>> 2);
            advanceView(e, word, local, t);
        }
    }

    /** One edge's step of {@link #advanceViews}; returns the new τ. */
    private int advanceView(int e, long word, int local, int t) {
        int tau = t - lag(word, local, Math.min(t - viewAt[e], history) + 1);
        viewAt[e] = tau;
        return tau;
    }

    /** The tick as of which receiver edge e reads at tick t: its view, never before tick 1 (the initial values). */
    private int viewTick(int e, int t) {
        return history == 0 ? t : Math.max(1, viewAt[e]);
    }

    /**
     * The age of a value current from tick {@code idx}, read at tick t: t minus the tick at which
     * its sender computed it (the paper's τ_j^i(t) ∈ T^j, §2.1). A state-stream value is current
     * from the tick after its update (the initial values count as computed at tick 0); a later
     * round's value is computed and current at the same tick.
     */
    private static int age(Stream st, int t, int idx) { return t - idx + (st.state ? 1 : 0); }

    /** Uniform in 0..d−1 from the 16 bits of {@code word} that belong to edge {@code local}. */
    private static int lag(long word, int local, int d) { return (int) ((((word >>> ((local & 3) << 4)) & 0xFFFF) * d) >>> 16); }

    /**
     * The ring slot of j's value that receiver edge e sees as of tick τ in stream s, or -1 if no
     * value is visible (then the receiver keeps what it held).
     */
    private int pick(Stream st, int e, int j, int tau, int s) {
        int base = j * ringCap, h = st.head[j];
        int[] idx = st.idx;
        for (int q = 0; q < ringCap; q++) {
            int r = h - q;
            if (r < 0) r += ringCap;
            int p = idx[base + r];
            if (p < 0) return -1;
            if (p > tau) continue;
            if (!simple) {
                if (loss > 0 && uniform(hash(LOSS, e, p, s)) < loss) continue;
                int dmax = linkMax == null ? maxDelay : linkMax[e];
                if (dmax > 0 && p + bounded(hash(DELAY, e, p, s), dmax + 1) > tau) continue;
            }
            return base + r;
        }
        return -1;
    }

    /** Fills the halo (one row per edge) of the updating receivers with the values their views pick. */
    private void fill(Stream st, int s, double[] halo) {
        int w = st.w, t = tick, layer = passLayer;
        int chunks = Parallel.chunks(n, (long) w * (1 + graph.directedEdgeCount() / Math.max(1, n)));
        Parallel.forRange(n, chunks, (c, from, to) -> {
            long[] stats = chunkStats[c];
            for (int i = from; i < to; i++) {
                if (!upd[i]) {
                    // Layered runs: a receiver reads stream l only at its one layer-l update, so what it
                    // holds there when all recent values were lost must come from earlier receptions.
                    if (layer >= 0 && st.keepHeld) receive(st, s, i, t);
                    continue;
                }
                for (int e = off[i]; e < off[i + 1]; e++) {
                    int slot = pick(st, e, nb[e], viewTick(e, t), s);
                    int age, srcLayer;
                    if (slot >= 0) {
                        System.arraycopy(st.vals, st.at(slot), halo, e * w, w);
                        age = age(st, t, st.idx[slot]);
                        srcLayer = st.lay[slot];
                        if (st.keepHeld) {
                            System.arraycopy(st.vals, st.at(slot), st.held, e * w, w);
                            st.heldIdx[e] = st.idx[slot];
                            st.heldLay[e] = srcLayer;
                        }
                    } else {
                        System.arraycopy(st.held, e * w, halo, e * w, w);
                        age = st.heldIdx[e] < 0 ? -1 : age(st, t, st.heldIdx[e]);
                        srcLayer = st.heldLay[e];
                    }
                    count(stats, age);
                    // a layer-l update that reads a neighbour's embedding of another layer (eq. 9's corruption)
                    if (layer >= 0 && age >= 0 && srcLayer != layer) stats[histBins + 2]++;
                }
            }
        });
    }

    /** Receiver i, not updating at tick t, takes into what it holds the values its views pick. */
    private void receive(Stream st, int s, int i, int t) {
        int w = st.w;
        for (int e = off[i]; e < off[i + 1]; e++) {
            int slot = pick(st, e, nb[e], viewTick(e, t), s);
            if (slot < 0) continue;
            System.arraycopy(st.vals, st.at(slot), st.held, e * w, w);
            st.heldIdx[e] = st.idx[slot];
            st.heldLay[e] = st.lay[slot];
        }
    }

    private void count(long[] stats, int age) {
        if (age < 0) {
            stats[histBins + 1]++;
            return;
        }
        stats[Math.min(age, histBins - 1)]++;
        if (age > stats[histBins]) stats[histBins] = age;
    }

    /** The transport: every pull of the program is a stream whose halo the engine's views fill. */
    private final class EdgeComm extends Comm {
        EdgeComm(Partition p) { super(p); }

        @Override
        protected void deliver(Transfer[] transfers) {
            boolean state = layered || deliversThisTick == 0;
            for (Transfer tr : transfers) {
                if (!(tr instanceof Transfer.Pull pull))
                    throw new UnsupportedOperationException("the asynchronous engine runs inference programs (forward rounds) only");
                int s = pullsThisTick++;
                Stream st = stream(s, pull.width(), state);
                produce(st, pull.local(), pull.offset());
                fill(st, s, pull.halo());
            }
            deliversThisTick++;
            if (!layered) rounds++;
        }
    }

    // ------------------------------------------------------------------ fused kernel of linear fixed points

    /** The widest vectors the CPU has; a constant, or C2 does not intrinsify the vector code. */
    private static final VectorSpecies<Double> SP = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SP.length();
    private boolean vectorEnabled = true;

    /** Turns the vector form of the fused kernel off (to time or pin it against the scalar form) or on. */
    AsyncEngine setVectorEnabled(boolean on) {
        this.vectorEnabled = on;
        return this;
    }

    private AsyncRun runLinearFused(LinearFixedPoint model, Tensor x, Tensor edgeFeatures, Tensor h, double tol, int maxTicks) {
        reset();
        int k = model.stateWidth();
        Tape tape = host.tape();
        LinearForm form = model.linearForm(tape, new GraphInput(tape.constant(x), edgeFeatures == null ? null : tape.constant(edgeFeatures)));
        if (form.shift().graph() != graph || form.width() != k)
            throw new IllegalStateException("the linear form is for another graph or width (" + form.width() + ", state " + k + ")");
        double[] enc = form.encoding().data().clone();  // tape buffers: the tape is used again below
        double[] W = form.matrix() == null ? null : form.matrix().clone();
        double smooth = form.scale(); // the factor on the aggregate when there is no matrix
        Operator op = form.shift();
        Activation phi = form.phi();
        double[] self = op.self(), wt = op.weights();
        int kinds = phi == Activation.RELU ? 0 : phi == Activation.TANH ? 1 : 2;
        if (simple) return runLinearBlocked(k, h, enc, W, smooth, self, wt, kinds, tol, maxTicks);
        Stream st = stream(0, k, true);
        double[] hs = h.data();
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int window = 2 * sched.stalenessBound(), lastBig = 0, t;
        boolean converged = false;
        int chunks = Parallel.chunks(n, (long) k * k * (1 + graph.directedEdgeCount() / Math.max(1, n)));
        final boolean vec = vectorEnabled && k >= LANES && k % LANES == 0, vec2 = vec && k == 2 * LANES;
        for (t = 1; t <= maxTicks; t++) {
            tick = t;
            final int tt = t;
            Arrays.fill(chunkCount, 0);
            Arrays.fill(chunkMax, 0);
            // phase 1: who updates; states changed since their last push enter the rings
            Parallel.forRange(n, chunks, (c, from, to) -> {
                int cnt = from;
                for (int j = from; j < to; j++) {
                    updList[cnt] = j;
                    cnt += next[j] == tt ? 1 : 0;
                    if (st.pushedFor[j] != lastUpdate[j]) {
                        st.pushedFor[j] = lastUpdate[j];
                        push(st, j, hs, j * k, lastUpdate[j] + 1);
                    }
                }
                chunkCount[c] = cnt - from;
            });
            int count = 0;
            for (int c = 0; c < chunks; c++) count += chunkCount[c];
            if (count > 0) {
                rounds++;
                // phase 2: the updating nodes' steps, in place (neighbours read the rings, not hs)
                Parallel.forRange(n, chunks, (c, from, to) -> chunkMax[c] = kernel(vec, vec2, st, null, false, from, from + chunkCount[c], tt, k, hs,
                        enc, W, smooth, self, wt, kinds, chunkStats[c]));
                double change = 0;
                for (int c = 0; c < chunks; c++) if (!(chunkMax[c] <= change) && change == change) change = chunkMax[c];
                trace = record(trace, t, change);
                if (!(change < tol)) lastBig = t;
            }
            if (t - lastBig >= window) { converged = true; break; }
        }
        return finish(h, Math.min(t, maxTicks), converged, trace, start);
    }

    private double kernel(boolean vec, boolean vec2, Stream st, long[] view, boolean inRing, int from, int to, int t, int k, double[] hs,
                          double[] enc, double[] W, double smooth, double[] self, double[] wt, int kinds, long[] stats) {
        return vec2 ? linearChunkVec2(st, view, inRing, from, to, t, k, hs, enc, W, smooth, self, wt, kinds, stats)
                : vec ? linearChunkVec(st, view, inRing, from, to, t, k, hs, enc, W, smooth, self, wt, kinds, stats)
                : linearChunk(st, view, inRing, from, to, t, k, hs, enc, W, smooth, self, wt, kinds, stats);
    }

    // ------------------------------------------------------------------ blocked, time-skewed ticks (no loss, no delay)

    private int blockSizeOverride, skewOverride, threadsOverride;

    /**
     * Tests and experiments: nodes per block and ticks per time-skewed window of the lossless fused
     * path ({@link #runLinearBlocked}); 0 keeps the automatic choice. Results never depend on them.
     */
    AsyncEngine setBlocking(int blockSize, int skewTicks) { return setBlocking(blockSize, skewTicks, 0); }

    /** {@link #setBlocking(int, int)} and the threads (parts) of a wavefront, even beyond the cores; 0: automatic. */
    AsyncEngine setBlocking(int blockSize, int skewTicks, int threads) {
        if (blockSize < 0 || skewTicks < 0 || threads < 0 || threads > Parallel.MAX_CHUNKS)
            throw new IllegalArgumentException("bad blocking " + blockSize + ", " + skewTicks + ", " + threads);
        this.blockSizeOverride = blockSize;
        this.skewOverride = skewTicks;
        this.threadsOverride = threads;
        return this;
    }

    /**
     * Default ticks per time-skewed window. Measured on 10^5 nodes, k = 16, one thread (updates per
     * CPU-second): 2 ticks 4.3e6, 4: 5.3e6, 8: 6.3e6, 16: 6.9-7.2e6, 32: 6.7-6.8e6, 64: 2.8e6 (the
     * wavefront's ~(skew + 2) blocks of histories no longer fit in the shared cache).
     */
    static final int SKEW = Integer.getInteger("mycelium.async.skew", 16);
    /** Experiments: a fixed block size for the lossless fused path (0: automatic). */
    static final int BLOCK = Integer.getInteger("mycelium.async.block", 0);
    static final boolean DEBUG = Boolean.getBoolean("mycelium.async.debug");
    /** Threads the wavefronts of all engines may add to their callers' at a time: the cores beyond one. */
    private static final java.util.concurrent.Semaphore WAVE_HELPERS = new java.util.concurrent.Semaphore(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());

    /** Tests: how many more wavefront threads may start now. */
    static int waveHelpersAvailable() { return WAVE_HELPERS.availablePermits(); }
    static final java.util.concurrent.atomic.AtomicLong WAITED = new java.util.concurrent.atomic.AtomicLong(), BUSY = new java.util.concurrent.atomic.AtomicLong(), PHASE1 = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The fused linear fixed-point run without loss or delay, in blocks of consecutive node ids and windows
     * of several ticks (time skewing), so that a block's rows are reused from cache over the window's
     * ticks instead of streaming every node's history from memory every tick.
     *
     * <p><b>Why it is the same computation.</b> A node updating at tick t reads its neighbours' states
     * as of ticks t−D..t, i.e. values made by updates at ticks ≤ t−1, and writes its new state into
     * its ring slot holding the oldest value, which no view at a tick ≥ t picks. So block b may run
     * tick t once every block with an edge into b (within δ blocks) has run tick t−1, and before any of
     * them runs tick t+1. The wavefront runs block b's tick t0+q at step b + δq, q ascending within a
     * step: its neighbours' tick t0+q−1 came before, their tick t0+q+1 comes later. Within a tick updates are independent
     * (every read is of a value as of ≤ t), so the order of nodes and blocks changes nothing; the
     * per-tick largest change and the statistics are maxima and sums, combined after each window.
     *
     * <p><b>Views.</b> {@code view[j][τ mod M]} (M ≥ D + 2, a power of two) holds the ring slot and
     * tick of j's state as of τ; a block writes its nodes' entries for t+1 at the end of its tick t.
     * A reader at tick t needs τ in t−D..t, and no block is ahead of a neighbour by more than one
     * tick, so the entry for t+1 only replaces the one for t+1−M, which no reader needs any more.
     *
     * <p><b>Convergence.</b> The run stops at the first tick t with t − lastBig ≥ 2(S + D); a window
     * never reaches past lastBig + 2(S + D) − 1 (it shrinks to one tick near the end), so no tick is
     * computed beyond the one the tick-by-tick loop would stop at.
     */
    private AsyncRun runLinearBlocked(int k, Tensor h, double[] enc, double[] W, double smooth, double[] self, double[] wt, int kinds,
                                      double tol, int maxTicks) {
        final Stream st = stream(0, k, true);
        final double[] hs = h.data(), vals = st.vals;
        final int R = ringCap;
        final int[] head = st.head;
        int band = 0; // largest id distance along an edge
        for (int i = 0; i < n; i++) for (int e = off[i]; e < off[i + 1]; e++) band = Math.max(band, Math.abs(nb[e] - i));
        int skew = skewOverride > 0 ? skewOverride : SKEW, bs;
        if (blockSizeOverride > 0) bs = blockSizeOverride;
        else if (BLOCK > 0) bs = BLOCK;
        else {
            bs = Math.max(256, band);
            // a wavefront spans about 2·skew blocks: with a wide band (e.g. ids in random order) it covers
            // the graph and buys nothing; then plain ticks over blocks of a fixed size
            if (2L * (skew + 1) * bs > n / 2) {
                skew = 1;
                bs = 1024;
            }
        }
        final int B = bs, nbk = (n + B - 1) / B;
        int dl = 0; // δ: largest block distance along an edge
        for (int i = 0; i < n; i++) for (int e = off[i]; e < off[i + 1]; e++) dl = Math.max(dl, Math.abs(nb[e] / B - i / B));
        final int delta = Math.max(1, dl), T = skew;
        final int vshift = viewShift, vmask = (1 << vshift) - 1;
        final long[] view = new long[n << vshift];
        final int[] blockCount = new int[nbk];
        final int[] itemCount = new int[T * nbk];
        final double[] itemMax = new double[T * nbk];
        // tick 1: every node's initial state enters its ring (slot 0), current from tick 1 at every lag
        for (int j = 0; j < n; j++) {
            head[j] = 0;
            System.arraycopy(hs, j * k, vals, st.at(j * R), k);
            long v = (1L << 32) | (long) (j * R);
            for (int m = 0; m <= vmask; m++) view[(j << vshift) + m] = v;
        }
        for (int b = 0; b < nbk; b++) {
            int from = b * B, to = Math.min(n, from + B), c = from;
            for (int j = from; j < to; j++) {
                updList[c] = j;
                c += next[j] == 1 ? 1 : 0;
            }
            blockCount[b] = c - from;
        }
        final boolean vec = vectorEnabled && k >= LANES && k % LANES == 0, vec2 = vec && k == 2 * LANES;
        final int[] lastUp = lastUpdate, nxt = next, list = updList;
        // block b's tick t (item q of the window): its updates, then its nodes' views for t+1 and the list of t+1's updaters
        final class Item {
            void run(int b, int t, int q, int c) {
                int from = b * B, to = Math.min(n, from + B), cnt = blockCount[b];
                itemMax[q * nbk + b] = cnt == 0 ? 0 : kernel(vec, vec2, st, view, true, from, from + cnt, t, k, hs, enc, W, smooth, self, wt, kinds, chunkStats[c]);
                itemCount[q * nbk + b] = cnt;
                long p0 = DEBUG ? System.nanoTime() : 0;
                int now = t & vmask, nx = (t + 1) & vmask, m = from;
                for (int j = from; j < to; j++) {
                    int jb = j << vshift;
                    long v;
                    if (lastUp[j] == t) { // the step wrote into the slot after the head: it is current from t+1
                        int hd = head[j] + 1;
                        if (hd == R) hd = 0;
                        head[j] = hd;
                        v = ((long) (t + 1) << 32) | (long) (j * R + hd);
                    } else v = view[jb + now];
                    view[jb + nx] = v;
                    list[m] = j;
                    m += nxt[j] == t + 1 ? 1 : 0;
                }
                blockCount[b] = m - from;
                if (DEBUG) PHASE1.addAndGet(System.nanoTime() - p0);
            }
        }
        final Item item = new Item();
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int window = 2 * sched.stalenessBound(), lastBig = 0, t = 1;
        boolean converged = false;
        // Several threads: the blocks split into contiguous parts, one thread each, even parts sweeping
        // up and odd parts down, so two neighbouring parts meet at their common border at the same
        // point of their sweeps (both early or both late); a block's tick waits until the blocks
        // within δ of it have run the tick before (only blocks of a neighbouring part can be behind).
        // Each thread follows a valid order and some ordering of all items is consistent with every
        // part's order and every dependency, so the waits end; results never depend on the split.
        final java.util.concurrent.atomic.AtomicIntegerArray done = new java.util.concurrent.atomic.AtomicIntegerArray(nbk); // last tick each block ran
        // parts of at least 2δ blocks, so that only neighbouring parts share edges
        final int maxParts = Math.max(1, Math.min(nbk / (2 * delta), threadsOverride > 0 ? threadsOverride
                : Parallel.isEnabled() && !Thread.currentThread().isVirtual()
                ? Math.min(Parallel.MAX_CHUNKS, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1) : 1));
        if (Boolean.getBoolean("mycelium.async.debug"))
            System.err.printf("async blocked: band %d, block %d, blocks %d, delta %d, skew %d, threads up to %d%n", band, B, nbk, delta, T, maxParts);
        // Part p holds blocks cut[p]..cut[p+1]-1. The split only schedules (any split gives the same
        // bits), so after each window it moves toward equal busy times: on a shared machine one of
        // our threads may get much less of a core than the other, and the faster one then waits.
        int[] cut = {0, nbk};
        long[] busy = new long[1];
        outer:
        while (t <= maxTicks) {
            final int t0 = t;
            int te = Math.min(Math.min(t0 + T - 1, maxTicks), lastBig + window - 1);
            if (te < t0) te = t0;
            final int w = te - t0 + 1;
            if (w == 1) { // one tick: all blocks are independent
                int chunks = Parallel.chunks(nbk, (long) B * k * k * 4);
                Parallel.forRange(nbk, chunks, (c, bf, bt) -> {
                    for (int b = bf; b < bt; b++) item.run(b, t0, 0, c);
                });
                for (int b = 0; b < nbk; b++) done.set(b, t0);
            } else {
                final java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
                // extra threads only while the machine-wide allowance (cores − 1) lasts, so that engines
                // running side by side (e.g. one per table row) do not pile up threads; tests force them
                int got = 0;
                if (threadsOverride > 0) got = maxParts - 1;
                else while (got < maxParts - 1 && WAVE_HELPERS.tryAcquire()) got++;
                final int parts = 1 + got, acquired = threadsOverride > 0 ? 0 : got;
                if (cut.length != parts + 1) {
                    cut = new int[parts + 1];
                    for (int p = 0; p <= parts; p++) cut[p] = (int) ((long) nbk * p / parts);
                    busy = new long[parts];
                }
                final int[] cutW = cut;
                final long[] busyW = busy;
                final class Sweep implements Runnable {
                    final int p;

                    Sweep(int p) { this.p = p; }

                    @Override
                    public void run() {
                        try {
                            int lo = cutW[p], hi = cutW[p + 1], m = hi - lo;
                            long work = 0;
                            boolean up = p % 2 == 0;
                            // block lo+i (up) or hi-1-i (down) at tick t0+q at step i + δq, q ascending within a step
                            for (int st = 0, steps = m + delta * (w - 1); st < steps; st++)
                                for (int q = 0; q < w; q++) {
                                    int i = st - delta * q;
                                    if (i < 0) break;
                                    if (i >= m) continue;
                                    int b = up ? lo + i : hi - 1 - i, tq = t0 + q;
                                    if (parts > 1) await(b, tq - 1);
                                    long c0 = System.nanoTime();
                                    item.run(b, tq, q, p);
                                    work += System.nanoTime() - c0;
                                    done.set(b, tq);
                                }
                            busyW[p] = work;
                            if (DEBUG) BUSY.addAndGet(work);
                        } catch (Throwable e) { // the others must stop waiting for this part
                            failed.compareAndSet(null, e);
                        }
                    }

                    private void await(int b, int tick) {
                        long w0 = DEBUG ? System.nanoTime() : 0;
                        awaitSpin(b, tick);
                        if (DEBUG) WAITED.addAndGet(System.nanoTime() - w0);
                    }

                    private void awaitSpin(int b, int tick) {
                        for (int o = Math.max(0, b - delta), oe = Math.min(nbk - 1, b + delta); o <= oe; o++)
                            for (int spins = 0; done.get(o) < tick; spins++) {
                                if (failed.get() != null) throw new IllegalStateException("another part failed");
                                // on a busy machine the thread we wait for may be descheduled: after a short
                                // spin, sleep so that this core can run it (or whatever is keeping it off)
                                if (spins < 2000) Thread.onSpinWait();
                                else java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                            }
                    }
                }
                try {
                    Thread[] others = new Thread[parts - 1];
                    for (int p = 1; p < parts; p++) others[p - 1] = Thread.ofPlatform().daemon().start(new Sweep(p));
                    new Sweep(0).run();
                    for (Thread th : others) {
                        try {
                            th.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("interrupted", e);
                        }
                    }
                } finally {
                    WAVE_HELPERS.release(acquired);
                }
                if (failed.get() != null) throw new IllegalStateException("a wavefront part failed", failed.get());
                if (parts > 1) rebalance(cut, busy, 2 * delta);
            }
            for (int q = 0; q < w; q++, t++) {
                tick = t;
                int count = 0;
                double change = 0;
                for (int b = 0; b < nbk; b++) {
                    count += itemCount[q * nbk + b];
                    double cm = itemMax[q * nbk + b];
                    if (!(cm <= change) && change == change) change = cm;
                }
                if (count > 0) {
                    rounds++;
                    trace = record(trace, t, change);
                    if (!(change < tol)) lastBig = t;
                }
                if (t - lastBig >= window) {
                    if (t != te) throw new IllegalStateException("window ran past convergence at tick " + t);
                    converged = true;
                    break outer;
                }
            }
        }
        for (int j = 0; j < n; j++) System.arraycopy(vals, st.at(j * R + head[j]), hs, j * k, k);
        if (DEBUG) System.err.printf("parts %d: busy %.3f s, waited %.3f s, views and lists %.3f s, split %s%n", cut.length - 1, BUSY.getAndSet(0) / 1e9,
                WAITED.getAndSet(0) / 1e9, PHASE1.getAndSet(0) / 1e9, Arrays.toString(cut));
        return finish(h, Math.min(t, maxTicks), converged, trace, start);
    }

    /**
     * What receiver edge e (from j, its view τ just advanced) reads at tick t in the fused kernels,
     * with the generic path's draws: {@code (age << 32) | offset}, age −1 when nothing was ever
     * received; the offset points into the ring values, or, complemented (~), into what the receiver
     * held.
     */
    private long read(Stream st, long[] view, int e, int j, int tau, int t, int k) {
        if (view != null) {
            long va = view[(j << viewShift) + (tau & ((1 << viewShift) - 1))];
            int slot = (int) va;
            if (slot >= 0) return ((long) age(st, t, (int) (va >>> 32)) << 32) | st.at(slot);
        } else {
            int slot = pick(st, e, j, Math.max(1, tau), 0);
            if (slot >= 0) {
                int so = st.at(slot);
                if (st.keepHeld) {
                    System.arraycopy(st.vals, so, st.held, e * k, k);
                    st.heldIdx[e] = st.idx[slot];
                }
                return ((long) age(st, t, st.idx[slot]) << 32) | so;
            }
        }
        int was = st.heldIdx[e];
        return ((long) (was < 0 ? -1 : age(st, t, was)) << 32) | (~(e * k) & 0xFFFFFFFFL);
    }

    /** The lag word of receiver i's {@code local}-th edge at tick t: one hash gives four edges' lags (as {@link #advanceViews}). */
    private long lagWord(long lagBase, int i, int local) {
        return mix(lagBase + i * 0xC2B2AE3D27D4EB4FL + (long) (local >>> 2) * 0x27D4EB2F165667C5L);
    }

    private static long countAge(long[] stats, int bins, int age, long maxAge) {
        stats[age < bins - 1 ? age : bins - 1]++;
        return age > maxAge ? age : maxAge;
    }

    /**
     * One φ(S h M + e) update of node values; returns the largest change so far. The sums are formed in
     * exactly the generic path's order (exchange: self term, then edges in CSR order; matmul: for each
     * output column, 0 + Σ_a acc_a W_aq in increasing a; then + b, then φ), so results are identical.
     */
    private static double emit(double[] cur, int at, double[] enc, int eo, double sum, int kind, double mx, int wo) {
        double v = sum + enc[eo];
        double nv = kind == 0 ? (v <= 0 ? 0 : v) : kind == 1 ? Math.tanh(v) : v; // relu as Tape.relu: NaN stays
        double d = Math.abs(nv - cur[at]);
        cur[wo] = nv;
        return d <= mx || mx != mx ? mx : d; // a NaN stays, as in the vector form's max
    }

    /**
     * Updates the nodes {@code updList[from..to)} (a chunk's or block's updaters). With
     * {@code inRing} a node's current state is its ring's head and the step writes the new one into
     * the next slot, which holds the oldest value: no view picks it at this tick (a ring of D + 2
     * values, no delay: the views as of t−D..t find their values among the newest D + 1), so
     * neighbours read the rings undisturbed; the block's end of tick advances the head onto it.
     * Otherwise the state is {@code hs}, updated in place (neighbours read the rings, not hs).
     */
    private double linearChunk(Stream st, long[] view, boolean inRing, int from, int to, int t, int k, double[] hs, double[] enc, double[] W, double smooth,
                               double[] self, double[] wt, int kind, long[] stats) {
        final int D = history, bins = histBins;
        final long lagBase = kindBase[LAG] + (long) t * 0x165667B19E3779F9L; // hash(LAG, i, t, block) = mix(lagBase + i*K1 + block*K3)
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = off, nbs = nb, list = updList, head = st.head;
        final int R = ringCap;
        double[] acc = new double[k];
        double mx = 0;
        long maxAge = stats[bins], unreceived = 0;
        for (int u = from; u < to; u++) {
            int i = list[u];
            int eo = i * k, o = eo, wo = eo;
            if (inRing) {
                int hd = head[i];
                o = st.at(i * R + hd);
                wo = st.at(i * R + (hd + 1 == R ? 0 : hd + 1));
            }
            double si = self[i];
            long word = 0;
            int e0 = offs[i];
            double a0 = si * cur[o], a1 = k > 1 ? si * cur[o + 1] : 0;
            if (k > 2) for (int q = 0; q < k; q++) acc[q] = si * cur[o + q];
            for (int e = e0, end = offs[i + 1]; e < end; e++) {
                int local = e - e0, tau = t;
                if (D > 0) {
                    if ((local & 3) == 0) word = lagWord(lagBase, i, local);
                    tau = advanceView(e, word, local, t);
                }
                long rd = read(st, view, e, nbs[e], tau, t, k);
                int so = (int) rd, age = (int) (rd >> 32);
                double[] src = vals;
                if (so < 0) {
                    src = held;
                    so = ~so;
                }
                double we = wt[e];
                if (k == 1) a0 += we * src[so];
                else if (k == 2) {
                    a0 += we * src[so];
                    a1 += we * src[so + 1];
                } else for (int q = 0; q < k; q++) acc[q] += we * src[so + q];
                if (age < 0) unreceived++;
                else maxAge = countAge(stats, bins, age, maxAge);
            }
            if (k <= 2) {
                acc[0] = a0;
                if (k == 2) acc[1] = a1;
            }
            if (W == null) { // M = c·I: c · aggregate + e
                for (int q = 0; q < k; q++) mx = emit(cur, o + q, enc, eo + q, smooth * acc[q], kind, mx, wo + q);
                scheduleNext(i, t, false, 0);
                continue;
            }
            // four output columns at a time: independent sums, each still accumulated in increasing a
            int q = 0;
            for (; q + 4 <= k; q += 4) {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int a = 0, wr = q; a < k; a++, wr += k) {
                    double av = acc[a];
                    s0 += av * W[wr];
                    s1 += av * W[wr + 1];
                    s2 += av * W[wr + 2];
                    s3 += av * W[wr + 3];
                }
                mx = emit(cur, o + q, enc, eo + q, s0, kind, mx, wo + q);
                mx = emit(cur, o + q + 1, enc, eo + q + 1, s1, kind, mx, wo + q + 1);
                mx = emit(cur, o + q + 2, enc, eo + q + 2, s2, kind, mx, wo + q + 2);
                mx = emit(cur, o + q + 3, enc, eo + q + 3, s3, kind, mx, wo + q + 3);
            }
            for (; q < k; q++) {
                double sum = 0;
                for (int a = 0, wr = q; a < k; a++, wr += k) sum += acc[a] * W[wr];
                mx = emit(cur, o + q, enc, eo + q, sum, kind, mx, wo + q);
            }
            scheduleNext(i, t, false, 0);
        }
        stats[bins] = maxAge;
        stats[bins + 1] += unreceived;
        return mx;
    }

    /**
     * Moves the parts' borders halfway toward sizes proportional to each part's speed in the last
     * window (blocks per busy nanosecond), every part keeping at least {@code min} blocks.
     */
    static void rebalance(int[] cut, long[] busy, int min) {
        int parts = busy.length, nbk = cut[parts];
        double[] speed = new double[parts];
        double total = 0;
        for (int p = 0; p < parts; p++) {
            speed[p] = (cut[p + 1] - cut[p]) / (double) Math.max(1, busy[p]);
            total += speed[p];
        }
        if (!(total > 0)) return;
        int[] size = new int[parts];
        int sum = 0;
        for (int p = 0; p < parts; p++) {
            double target = nbk * speed[p] / total;
            size[p] = Math.max(min, (int) Math.round(0.5 * (cut[p + 1] - cut[p]) + 0.5 * target));
            sum += size[p];
        }
        // give or take the rounding difference from the largest part, still keeping the minimum
        while (sum != nbk) {
            int big = 0;
            for (int p = 1; p < parts; p++) if (size[p] > size[big]) big = p;
            int d = sum > nbk ? -Math.min(sum - nbk, size[big] - min) : nbk - sum;
            if (d == 0) return; // cannot shrink any further: keep the old split
            size[big] += d;
            sum += d;
        }
        for (int p = 0; p < parts; p++) cut[p + 1] = cut[p] + size[p];
    }

    /**
     * {@link #linearChunk} for widths that are a multiple of the vector length: the same operations
     * (a separate multiply and add, never a fused multiply-add; each output column still summed in
     * increasing a) on whole vectors of a row, so the bits are those of the scalar form.
     */
    private double linearChunkVec(Stream st, long[] view, boolean inRing, int from, int to, int t, int k, double[] hs, double[] enc, double[] W,
                                  double smooth, double[] self, double[] wt, int kind, long[] stats) {
        final int D = history, bins = histBins, L = LANES;
        final long lagBase = kindBase[LAG] + (long) t * 0x165667B19E3779F9L;
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = off, nbs = nb, list = updList, head = st.head;
        final int R = ringCap;
        final double[] acc = new double[k], tmp = new double[L];
        final DoubleVector zero = DoubleVector.zero(SP);
        DoubleVector mxv = zero;
        long maxAge = stats[bins], unreceived = 0;
        for (int u = from; u < to; u++) {
            int i = list[u];
            int eo = i * k, o = eo, wo = eo;
            if (inRing) {
                int hd = head[i];
                o = st.at(i * R + hd);
                wo = st.at(i * R + (hd + 1 == R ? 0 : hd + 1));
            }
            double si = self[i];
            for (int v = 0; v < k; v += L) DoubleVector.fromArray(SP, cur, o + v).mul(si).intoArray(acc, v);
            long word = 0;
            int e0 = offs[i];
            for (int e = e0, end = offs[i + 1]; e < end; e++) {
                int local = e - e0, tau = t;
                if (D > 0) {
                    if ((local & 3) == 0) word = lagWord(lagBase, i, local);
                    tau = advanceView(e, word, local, t);
                }
                long rd = read(st, view, e, nbs[e], tau, t, k);
                int so = (int) rd, age = (int) (rd >> 32);
                double[] src = vals;
                if (so < 0) {
                    src = held;
                    so = ~so;
                }
                double we = wt[e];
                for (int v = 0; v < k; v += L)
                    DoubleVector.fromArray(SP, acc, v).add(DoubleVector.fromArray(SP, src, so + v).mul(we)).intoArray(acc, v);
                if (age < 0) unreceived++;
                else maxAge = countAge(stats, bins, age, maxAge);
            }
            for (int v = 0; v < k; v += L) {
                DoubleVector sum;
                if (W == null) sum = DoubleVector.fromArray(SP, acc, v).mul(smooth); // M = c·I
                else {
                    sum = zero;
                    for (int a = 0, wr = v; a < k; a++, wr += k) sum = sum.add(DoubleVector.fromArray(SP, W, wr).mul(acc[a]));
                }
                DoubleVector x = sum.add(DoubleVector.fromArray(SP, enc, eo + v)), nv;
                if (kind == 2) nv = x;
                else if (kind == 0) nv = x.blend(zero, x.compare(VectorOperators.LE, 0)); // v <= 0 ? 0 : v, as the scalar form
                else { // tanh lane by lane: the vector TANH need not round as Math.tanh does
                    x.intoArray(tmp, 0);
                    for (int q = 0; q < L; q++) tmp[q] = Math.tanh(tmp[q]);
                    nv = DoubleVector.fromArray(SP, tmp, 0);
                }
                mxv = mxv.max(nv.sub(DoubleVector.fromArray(SP, cur, o + v)).abs());
                nv.intoArray(cur, wo + v);
            }
            scheduleNext(i, t, false, 0);
        }
        stats[bins] = maxAge;
        stats[bins + 1] += unreceived;
        return mxv.reduceLanes(VectorOperators.MAX);
    }

    /** {@link #linearChunkVec} for rows of two vectors (k = 16 on 512-bit vectors), the row's sums held in registers. */
    private double linearChunkVec2(Stream st, long[] view, boolean inRing, int from, int to, int t, int k, double[] hs, double[] enc, double[] W,
                                  double smooth, double[] self, double[] wt, int kind, long[] stats) {
        final int D = history, bins = histBins, L = LANES;
        final long lagBase = kindBase[LAG] + (long) t * 0x165667B19E3779F9L;
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = off, nbs = nb, list = updList, head = st.head;
        final int R = ringCap;
        final double[] tmp = new double[L];
        final DoubleVector zero = DoubleVector.zero(SP);
        DoubleVector mxv = zero;
        long maxAge = stats[bins], unreceived = 0;
        for (int u = from; u < to; u++) {
            int i = list[u];
            int eo = i * k, o = eo, wo = eo;
            if (inRing) {
                int hd = head[i];
                o = st.at(i * R + hd);
                wo = st.at(i * R + (hd + 1 == R ? 0 : hd + 1));
            }
            double si = self[i];
            DoubleVector c0 = DoubleVector.fromArray(SP, cur, o), c1 = DoubleVector.fromArray(SP, cur, o + L);
            DoubleVector g0 = c0.mul(si), g1 = c1.mul(si);
            long word = 0;
            int e0 = offs[i];
            for (int e = e0, end = offs[i + 1]; e < end; e++) {
                int local = e - e0, tau = t;
                if (D > 0) {
                    if ((local & 3) == 0) word = lagWord(lagBase, i, local);
                    tau = advanceView(e, word, local, t);
                }
                long rd = read(st, view, e, nbs[e], tau, t, k);
                int so = (int) rd, age = (int) (rd >> 32);
                double[] src = vals;
                if (so < 0) {
                    src = held;
                    so = ~so;
                }
                double we = wt[e];
                g0 = g0.add(DoubleVector.fromArray(SP, src, so).mul(we));
                g1 = g1.add(DoubleVector.fromArray(SP, src, so + L).mul(we));
                if (age < 0) unreceived++;
                else maxAge = countAge(stats, bins, age, maxAge);
            }
            DoubleVector s0, s1;
            if (W == null) { // M = c·I
                s0 = g0.mul(smooth);
                s1 = g1.mul(smooth);
            } else {
                s0 = zero;
                s1 = zero;
                // k = 2L here: the g entries are taken straight from their registers (lanes), in
                // increasing order, not stored and read back a double at a time (a 64-byte store
                // read back 8 bytes at a time stalled each load)
                for (int a = 0; a < L; a++) {
                    double av = g0.lane(a);
                    s0 = s0.add(DoubleVector.fromArray(SP, W, a * k).mul(av));
                    s1 = s1.add(DoubleVector.fromArray(SP, W, a * k + L).mul(av));
                }
                for (int a = 0; a < L; a++) {
                    double av = g1.lane(a);
                    s0 = s0.add(DoubleVector.fromArray(SP, W, (L + a) * k).mul(av));
                    s1 = s1.add(DoubleVector.fromArray(SP, W, (L + a) * k + L).mul(av));
                }
            }
            DoubleVector x0 = s0.add(DoubleVector.fromArray(SP, enc, eo)), x1 = s1.add(DoubleVector.fromArray(SP, enc, eo + L));
            if (kind == 0) {
                x0 = x0.blend(zero, x0.compare(VectorOperators.LE, 0));
                x1 = x1.blend(zero, x1.compare(VectorOperators.LE, 0));
            } else if (kind == 1) {
                x0 = tanh(x0, tmp);
                x1 = tanh(x1, tmp);
            }
            mxv = mxv.max(x0.sub(c0).abs()).max(x1.sub(c1).abs());
            x0.intoArray(cur, wo);
            x1.intoArray(cur, wo + L);
            scheduleNext(i, t, false, 0);
        }
        stats[bins] = maxAge;
        stats[bins + 1] += unreceived;
        return mxv.reduceLanes(VectorOperators.MAX);
    }

    /** tanh lane by lane: the vector TANH need not round as Math.tanh does. */
    private static DoubleVector tanh(DoubleVector x, double[] tmp) {
        x.intoArray(tmp, 0);
        for (int q = 0; q < tmp.length; q++) tmp[q] = Math.tanh(tmp[q]);
        return DoubleVector.fromArray(SP, tmp, 0);
    }

    // ------------------------------------------------------------------ seeded draws

    /** One SplitMix64 finalizer over a per-(seed, kind) base plus the coordinates: cheap enough for every edge read. */
    private long hash(int kind, long a, long b, long c) {
        return mix(kindBase[kind] + a * 0xC2B2AE3D27D4EB4FL + b * 0x165667B19E3779F9L + c * 0x27D4EB2F165667C5L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in 0..bound-1. */
    private static int bounded(long h, int bound) { return (int) (((h >>> 32) * bound) >>> 32); }

    private static double uniform(long h) { return (h >>> 11) * 0x1.0p-53; }
}
