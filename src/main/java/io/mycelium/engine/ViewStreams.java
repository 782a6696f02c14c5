package io.mycelium.engine;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.tensor.Parallel;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * What receivers can see of their neighbours' past values: per round of a model's program, a
 * {@link Stream} of rings of each sender's recent rows, and the transport ({@link #comm}) that fills
 * a program's halo (one slot per directed edge, {@link Partition#perEdgeHalo}) with the values the
 * receivers' views pick, possibly lost or delayed.
 *
 * <p><b>What a node's round-k value is.</b> Rows of the first round of a program depend only on a
 * node's own state (nothing has been received yet), so they are the node's current value even when
 * it does not update: they enter j's ring whenever j's state changed, as the value current from
 * the tick after the update. Rows of later rounds are computed from received values, so they are
 * meaningful only for a node that updates at this tick: they enter the ring at that tick, and a
 * neighbour updating at the same tick may read them (the synchronous layer-by-layer case). In a
 * layered run every round carries embeddings, so every stream is a state stream.
 */
final class ViewStreams {
    private final Timeline tl;
    private final ArrayList<Stream> streams = new ArrayList<>();
    private int pullsThisTick, deliversThisTick;
    /** A layered explicit run: every pull carries embeddings, one round per tick (counted by the runner). */
    boolean layered;
    /** The layer whose program runs now in a layered run, else −1. */
    int passLayer = -1;

    ViewStreams(Timeline tl) { this.tl = tl; }

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

    /** A new run: no streams yet. */
    void reset() { streams.clear(); }

    /** A new tick of a program: its first pull is round 0 again. */
    void startTick() {
        pullsThisTick = 0;
        deliversThisTick = 0;
    }

    /** Rounds of message passing the program took so far this tick. */
    int deliveries() { return deliversThisTick; }

    /** Stream s of width w, made at its first use; a program must pass the same rounds every tick. */
    Stream stream(int s, int w, boolean state) {
        if (s == streams.size()) {
            // Without loss or delay a state stream always has a value at or before any view: no fallback.
            streams.add(new Stream(tl.n, tl.graph.directedEdgeCount(), tl.ringCap, w, state, !(tl.simple && state)));
        }
        Stream st = streams.get(s);
        if (st.w != w || st.state != state)
            throw new IllegalStateException("the program's rounds changed between ticks (round " + s + ")");
        return st;
    }

    /** Node j's new row enters its ring as current from tick {@code index}. */
    void push(Stream st, int j, double[] src, int srcOff, int index) {
        int R = tl.ringCap, h = st.head[j] + 1;
        if (h == R) h = 0;
        st.head[j] = h;
        int slot = j * R + h;
        st.idx[slot] = index;
        st.lay[slot] = tl.updates[j]; // in layered runs pushes precede the tick's commits: the row is h_j^{updates[j]}
        System.arraycopy(src, srcOff, st.vals, st.at(slot), st.w);
    }

    /** Adds this tick's producers' rows of {@code local} to the stream's rings. */
    private void produce(Stream st, double[] local, int offset) {
        int chunks = Parallel.chunks(tl.n, st.w);
        int t = tl.tick;
        int[] lastUpdate = tl.lastUpdate;
        boolean[] upd = tl.upd;
        Parallel.forRange(tl.n, chunks, (c, from, to) -> {
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
     * The age of a value current from tick {@code idx}, read at tick t: t minus the tick at which
     * its sender computed it (the paper's τ_j^i(t) ∈ T^j, §2.1). A state-stream value is current
     * from the tick after its update (the initial values count as computed at tick 0); a later
     * round's value is computed and current at the same tick.
     */
    static int age(Stream st, int t, int idx) { return t - idx + (st.state ? 1 : 0); }

    /**
     * The ring slot of j's value that receiver edge e sees as of tick τ in stream s, or -1 if no
     * value is visible (then the receiver keeps what it held).
     */
    int pick(Stream st, int e, int j, int tau, int s) {
        int R = tl.ringCap, base = j * R, h = st.head[j];
        int[] idx = st.idx;
        for (int q = 0; q < R; q++) {
            int r = h - q;
            if (r < 0) r += R;
            int p = idx[base + r];
            if (p < 0) return -1;
            if (p > tau) continue;
            if (!tl.simple) {
                if (tl.loss > 0 && Timeline.uniform(tl.hash(Timeline.Draw.LOSS, e, p, s)) < tl.loss) continue;
                int dmax = tl.linkMax == null ? tl.maxDelay : tl.linkMax[e];
                if (dmax > 0 && p + Timeline.bounded(tl.hash(Timeline.Draw.DELAY, e, p, s), dmax + 1) > tau) continue;
            }
            return base + r;
        }
        return -1;
    }

    /** Fills the halo (one row per edge) of the updating receivers with the values their views pick. */
    private void fill(Stream st, int s, double[] halo) {
        int w = st.w, t = tl.tick, layer = passLayer, bins = tl.histBins;
        int[] off = tl.off, nb = tl.nb;
        boolean[] upd = tl.upd;
        int chunks = Parallel.chunks(tl.n, (long) w * (1 + tl.graph.directedEdgeCount() / Math.max(1, tl.n)));
        Parallel.forRange(tl.n, chunks, (c, from, to) -> {
            long[] stats = tl.chunkStats[c];
            for (int i = from; i < to; i++) {
                if (!upd[i]) {
                    // Layered runs: a receiver reads stream l only at its one layer-l update, so what it
                    // holds there when all recent values were lost must come from earlier receptions.
                    if (layer >= 0 && st.keepHeld) receive(st, s, i, t);
                    continue;
                }
                for (int e = off[i]; e < off[i + 1]; e++) {
                    int slot = pick(st, e, nb[e], tl.viewTick(e, t), s);
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
                    tl.count(stats, age);
                    // a layer-l update that reads a neighbour's embedding of another layer (eq. 9's corruption)
                    if (layer >= 0 && age >= 0 && srcLayer != layer) stats[bins + 2]++;
                }
            }
        });
    }

    /** Receiver i, not updating at tick t, takes into what it holds the values its views pick. */
    private void receive(Stream st, int s, int i, int t) {
        int w = st.w;
        for (int e = tl.off[i]; e < tl.off[i + 1]; e++) {
            int slot = pick(st, e, tl.nb[e], tl.viewTick(e, t), s);
            if (slot < 0) continue;
            System.arraycopy(st.vals, st.at(slot), st.held, e * w, w);
            st.heldIdx[e] = st.idx[slot];
            st.heldLay[e] = st.lay[slot];
        }
    }

    /** The transport of partition {@code p}: every pull of the program is a stream whose halo the views fill. */
    Comm comm(Partition p) { return new EdgeComm(p); }

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
            if (!layered) tl.rounds++;
        }
    }
}
