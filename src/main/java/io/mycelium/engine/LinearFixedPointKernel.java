package io.mycelium.engine;

import io.mycelium.engine.ViewStreams.Stream;
import io.mycelium.graph.Operator;
import io.mycelium.model.Activation;
import io.mycelium.model.LinearFixedPoint;
import io.mycelium.model.LinearForm;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The asynchronous engine's fused kernel for {@link LinearFixedPoint} models: it consumes the
 * step's {@link LinearForm} h ← φ(S h M + e) — the encoding e computed once — instead of recording
 * the step on a tape every tick, with the same draws, views and statistics as the generic tick loop
 * and the same arithmetic in the same order (self term, then edges in CSR order; each output column
 * summed from 0 in increasing input index; + e; φ; no fused multiply-add), so its results are the
 * generic loop's bit for bit. Rows whose width is a multiple of the vector length run on whole
 * vectors (the same operations lane by lane).
 *
 * <p>With loss or delay it runs tick by tick ({@link #run}); without, {@link Wavefront} runs it in
 * time-skewed blocks.
 */
final class LinearFixedPointKernel {
    /** The widest vectors the CPU has; a constant, or C2 does not intrinsify the vector code. */
    private static final VectorSpecies<Double> SP = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SP.length();
    private static final int RELU = 0, TANH = 1, IDENTITY = 2;

    private final Timeline tl;
    private final ViewStreams views;
    private final int k, kind;
    private final double[] enc, matrix, self, wt;
    private final double scale;
    private final boolean vec, vec2;
    /** The wavefront's views table ({@link Wavefront}): 2^viewShift ≥ D + 2 entries per sender, by tick modulo 2^viewShift. */
    final int viewShift;

    /** The form's arrays are copied (they may be a tape's buffers); {@code vector}: use the vector forms where the width allows. */
    LinearFixedPointKernel(Timeline tl, ViewStreams views, LinearForm form, boolean vector) {
        if (form.shift().graph() != tl.graph)
            throw new IllegalStateException("the linear form is for another graph");
        this.tl = tl;
        this.views = views;
        this.k = form.width();
        this.enc = form.encoding().data().clone();
        this.matrix = form.matrix() == null ? null : form.matrix().clone();
        this.scale = form.scale();
        Operator op = form.shift();
        this.self = op.self();
        this.wt = op.weights();
        Activation phi = form.phi();
        this.kind = phi == Activation.RELU ? RELU : phi == Activation.TANH ? TANH : IDENTITY;
        this.vec = vector && k >= LANES && k % LANES == 0;
        this.vec2 = vec && k == 2 * LANES;
        this.viewShift = 32 - Integer.numberOfLeadingZeros(tl.history + 1);
    }

    int width() { return k; }

    /**
     * Tick by tick from {@code h} (updated in place): each tick, the states changed since their last
     * push enter the rings, then the updating nodes' steps run chunk by chunk.
     */
    AsyncRun run(Tensor h, double tol, int maxTicks) {
        tl.reset();
        views.reset();
        int n = tl.n;
        Stream st = views.stream(0, k, true);
        double[] hs = h.data();
        int[] next = tl.next, lastUpdate = tl.lastUpdate, updList = tl.updList, chunkCount = tl.chunkCount;
        double[] chunkMax = tl.chunkMax;
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int window = 2 * tl.sched.stalenessBound(), lastBig = 0, t;
        boolean converged = false;
        int chunks = Parallel.chunks(n, (long) k * k * (1 + tl.graph.directedEdgeCount() / Math.max(1, n)));
        for (t = 1; t <= maxTicks; t++) {
            tl.tick = t;
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
                        views.push(st, j, hs, j * k, lastUpdate[j] + 1);
                    }
                }
                chunkCount[c] = cnt - from;
            });
            int count = 0;
            for (int c = 0; c < chunks; c++) count += chunkCount[c];
            if (count > 0) {
                tl.rounds++;
                // phase 2: the updating nodes' steps, in place (neighbours read the rings, not hs)
                Parallel.forRange(n, chunks, (c, from, to) -> chunkMax[c] = update(st, null, false, from, from + chunkCount[c], tt, hs, tl.chunkStats[c]));
                double change = 0;
                for (int c = 0; c < chunks; c++) if (!(chunkMax[c] <= change) && change == change) change = chunkMax[c];
                trace = Timeline.record(trace, t, change);
                if (!(change < tol)) lastBig = t;
            }
            if (t - lastBig >= window) { converged = true; break; }
        }
        return tl.finish(h, Math.min(t, maxTicks), converged, trace, start);
    }

    /**
     * Steps the nodes {@code updList[from..to)} at tick t (see {@link #scalarRows}); returns the
     * largest change. {@code view}: the wavefront's views table, or null to pick from the rings.
     */
    double update(Stream st, long[] view, boolean inRing, int from, int to, int t, double[] hs, long[] stats) {
        return vec2 ? twoVectorRows(st, view, inRing, from, to, t, hs, stats)
                : vec ? vectorRows(st, view, inRing, from, to, t, hs, stats)
                : scalarRows(st, view, inRing, from, to, t, hs, stats);
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
            if (slot >= 0) return ((long) ViewStreams.age(st, t, (int) (va >>> 32)) << 32) | st.at(slot);
        } else {
            int slot = views.pick(st, e, j, Math.max(1, tau), 0);
            if (slot >= 0) {
                int so = st.at(slot);
                if (st.keepHeld) {
                    System.arraycopy(st.vals, so, st.held, e * k, k);
                    st.heldIdx[e] = st.idx[slot];
                }
                return ((long) ViewStreams.age(st, t, st.idx[slot]) << 32) | so;
            }
        }
        int was = st.heldIdx[e];
        return ((long) (was < 0 ? -1 : ViewStreams.age(st, t, was)) << 32) | (~(e * k) & 0xFFFFFFFFL);
    }

    /**
     * One φ(S h M + e) update of node values; returns the largest change so far. The sums are formed in
     * exactly the generic path's order (exchange: self term, then edges in CSR order; matmul: for each
     * output column, 0 + Σ_a acc_a W_aq in increasing a; then + b, then φ), so results are identical.
     */
    private static double emit(double[] cur, int at, double[] enc, int eo, double sum, int kind, double mx, int wo) {
        double v = sum + enc[eo];
        double nv = kind == RELU ? (v <= 0 ? 0 : v) : kind == TANH ? Math.tanh(v) : v; // relu as Tape.relu: NaN stays
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
    private double scalarRows(Stream st, long[] view, boolean inRing, int from, int to, int t, double[] hs, long[] stats) {
        final int k = this.k, kind = this.kind;
        final double[] enc = this.enc, W = this.matrix, self = this.self, wt = this.wt;
        final double smooth = this.scale;
        final int D = tl.history, bins = tl.histBins;
        final long lagBase = tl.lagBase(t);
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = tl.off, nbs = tl.nb, list = tl.updList, head = st.head;
        final int R = tl.ringCap;
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
                    if ((local & 3) == 0) word = Timeline.lagWord(lagBase, i, local);
                    tau = tl.advanceView(e, word, local, t);
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
                else maxAge = Timeline.countAge(stats, bins, age, maxAge);
            }
            if (k <= 2) {
                acc[0] = a0;
                if (k == 2) acc[1] = a1;
            }
            if (W == null) { // M = c·I: c · aggregate + e
                for (int q = 0; q < k; q++) mx = emit(cur, o + q, enc, eo + q, smooth * acc[q], kind, mx, wo + q);
                tl.scheduleNext(i, t, false, 0);
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
            tl.scheduleNext(i, t, false, 0);
        }
        stats[bins] = maxAge;
        stats[bins + 1] += unreceived;
        return mx;
    }

    /**
     * {@link #scalarRows} for widths that are a multiple of the vector length: the same operations
     * (a separate multiply and add, never a fused multiply-add; each output column still summed in
     * increasing a) on whole vectors of a row, so the bits are those of the scalar form.
     */
    private double vectorRows(Stream st, long[] view, boolean inRing, int from, int to, int t, double[] hs, long[] stats) {
        final int k = this.k, kind = this.kind;
        final double[] enc = this.enc, W = this.matrix, self = this.self, wt = this.wt;
        final double smooth = this.scale;
        final int D = tl.history, bins = tl.histBins, L = LANES;
        final long lagBase = tl.lagBase(t);
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = tl.off, nbs = tl.nb, list = tl.updList, head = st.head;
        final int R = tl.ringCap;
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
                    if ((local & 3) == 0) word = Timeline.lagWord(lagBase, i, local);
                    tau = tl.advanceView(e, word, local, t);
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
                else maxAge = Timeline.countAge(stats, bins, age, maxAge);
            }
            for (int v = 0; v < k; v += L) {
                DoubleVector sum;
                if (W == null) sum = DoubleVector.fromArray(SP, acc, v).mul(smooth); // M = c·I
                else {
                    sum = zero;
                    for (int a = 0, wr = v; a < k; a++, wr += k) sum = sum.add(DoubleVector.fromArray(SP, W, wr).mul(acc[a]));
                }
                DoubleVector x = sum.add(DoubleVector.fromArray(SP, enc, eo + v)), nv;
                if (kind == IDENTITY) nv = x;
                else if (kind == RELU) nv = x.blend(zero, x.compare(VectorOperators.LE, 0)); // v <= 0 ? 0 : v, as the scalar form
                else { // tanh lane by lane: the vector TANH need not round as Math.tanh does
                    x.intoArray(tmp, 0);
                    for (int q = 0; q < L; q++) tmp[q] = Math.tanh(tmp[q]);
                    nv = DoubleVector.fromArray(SP, tmp, 0);
                }
                mxv = mxv.max(nv.sub(DoubleVector.fromArray(SP, cur, o + v)).abs());
                nv.intoArray(cur, wo + v);
            }
            tl.scheduleNext(i, t, false, 0);
        }
        stats[bins] = maxAge;
        stats[bins + 1] += unreceived;
        return mxv.reduceLanes(VectorOperators.MAX);
    }

    /** {@link #vectorRows} for rows of two vectors (k = 16 on 512-bit vectors), the row's sums held in registers. */
    private double twoVectorRows(Stream st, long[] view, boolean inRing, int from, int to, int t, double[] hs, long[] stats) {
        final int k = this.k, kind = this.kind;
        final double[] enc = this.enc, W = this.matrix, self = this.self, wt = this.wt;
        final double smooth = this.scale;
        final int D = tl.history, bins = tl.histBins, L = LANES;
        final long lagBase = tl.lagBase(t);
        final double[] vals = st.vals, held = st.held, cur = inRing ? vals : hs;
        final int[] offs = tl.off, nbs = tl.nb, list = tl.updList, head = st.head;
        final int R = tl.ringCap;
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
                    if ((local & 3) == 0) word = Timeline.lagWord(lagBase, i, local);
                    tau = tl.advanceView(e, word, local, t);
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
                else maxAge = Timeline.countAge(stats, bins, age, maxAge);
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
            if (kind == RELU) {
                x0 = x0.blend(zero, x0.compare(VectorOperators.LE, 0));
                x1 = x1.blend(zero, x1.compare(VectorOperators.LE, 0));
            } else if (kind == TANH) {
                x0 = tanh(x0, tmp);
                x1 = tanh(x1, tmp);
            }
            mxv = mxv.max(x0.sub(c0).abs()).max(x1.sub(c1).abs());
            x0.intoArray(cur, wo);
            x1.intoArray(cur, wo + L);
            tl.scheduleNext(i, t, false, 0);
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

}
