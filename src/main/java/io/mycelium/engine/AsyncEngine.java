package io.mycelium.engine;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.LayeredModel;
import io.mycelium.model.LinearFixedPoint;
import io.mycelium.model.Model;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;

/**
 * Partially asynchronous inference (hogwild paper §2.1, Appendix E) of unchanged model programs.
 *
 * <p><b>How a model written once runs here.</b> Every tick the model's own tape program runs over
 * the whole graph, on a partition whose halo has one slot per directed edge
 * ({@link Partition#perEdgeHalo}). Each round of message passing is delivered by the engine's
 * transport ({@link ViewStreams}): for round k of the tick, halo slot e (edge i ← j) gets the value
 * of j's round-k row that node i's view picks — j's value as of a tick τ at most D ticks back,
 * possibly delayed or lost — from a ring of j's past round-k rows. After the program, only the
 * nodes that update at this tick commit their new rows. So a model never knows it runs
 * asynchronously, and with S = 1, D = 0 and no loss or delay every read is the latest value and the
 * run is the synchronous computation, bit for bit.
 *
 * <p><b>Explicit models</b> ({@link #runExplicit}): a {@link LayeredModel} (GCN, GAT) runs with the
 * paper's eq. (9) and Algorithm 1 ({@link LayeredRunner}: one layer per update, reading the
 * neighbours' current embeddings whatever their layer). {@link #runLayerMatched} keeps the earlier
 * simplification (every update runs all L layers, layer k reading the neighbours' layer-k values),
 * which hides most of the damage asynchrony does; its ages are measured from a value's production,
 * and since nodes stop after their updates they can exceed S + D. <b>Implicit models</b>
 * ({@link #runImplicit}): each update is one {@code step}; the run stops when no node changed by
 * {@code tol} or more for two staleness bounds' worth of ticks, or when the tick budget ends. A
 * {@link LinearFixedPoint} model (IGNN, GSDGNN, any model whose step is {@code φ(S h M + e)}) with
 * tied parameters takes the {@link LinearFixedPointKernel}, which consumes the step's form instead of
 * recording it every tick, tick by tick with loss or delay and as a time-skewed {@link Wavefront}
 * without (tests pin both bitwise to the generic tick loop).
 *
 * <p><b>Views</b> are Algorithm 1's (hogwild paper, Appendix E): receiver i keeps, per neighbour j, the
 * tick τ as of which it views j (0 at the start); at each of i's updates at tick t it draws
 * τ ← t − lag, lag uniform in 0..min(t − τ, D), so a view is never more than D ticks back and never
 * moves back in time. A value's age is t minus the tick at which its sender computed it (§2.1:
 * τ_j^i(t) ∈ T^j; the initial values count as computed at tick 0). Without loss or delay the largest
 * age is S + D: the view reaches back D ticks to a value computed up to S ticks before that, and
 * long runs reach it. Every path draws the same views ({@link Timeline}).
 *
 * <p>All randomness is a hash of (seed, draw, place, time), so runs are deterministic by seed and
 * independent of threads; per-tick work is split over nodes in {@link Parallel}'s fixed chunking.
 * How the engine computes (kernels, blocking, threads, diagnostics) is an {@link AsyncOptions}.
 */
public final class AsyncEngine {
    private final Params params;
    private final AsyncOptions options;
    private final Timeline tl;
    private final ViewStreams views;
    private final Host host;

    public AsyncEngine(Graph g, Params params, AsyncSchedule schedule) { this(g, params, schedule, AsyncOptions.defaults()); }

    public AsyncEngine(Graph g, Params params, AsyncSchedule schedule, AsyncOptions options) {
        if (!params.isTied() && params.copies() != g.n())
            throw new IllegalArgumentException("parameters have " + params.copies() + " copies for " + g.n() + " nodes");
        this.params = params;
        this.options = options;
        this.tl = new Timeline(g, schedule);
        this.views = new ViewStreams(tl);
        Partition p = Partition.perEdgeHalo(g);
        this.host = new Host(p, views.comm(p), params);
    }

    public Graph graph() { return tl.graph; }

    public AsyncSchedule schedule() { return tl.sched; }

    public AsyncOptions options() { return options; }

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
        int n = tl.n, k = model.stateWidth();
        Tensor h = h0 == null ? Tensor.zeros(n, k) : h0.copy();
        if (!h.hasShape(n, k)) throw new IllegalArgumentException("initial state must be [" + n + ", " + k + "], got " + Arrays.toString(h.shape()));
        AsyncRun r;
        if (options.fused() && model instanceof LinearFixedPoint linear && params.isTied()) {
            Tape tape = host.tape();
            LinearFixedPointKernel kernel = new LinearFixedPointKernel(tl, views, linear.linearForm(tape, input(tape, x, edgeFeatures)), options.vector());
            if (kernel.width() != k) throw new IllegalStateException("the linear form is " + kernel.width() + " wide, the state " + k);
            r = tl.simple ? new Wavefront(tl, views, options).run(kernel, h, tol, maxTicks) : kernel.run(h, tol, maxTicks);
        } else {
            r = runGeneric((t, s) -> model.step(t, t.constant(s), input(t, x, edgeFeatures)), h, false, 0, tol, maxTicks);
        }
        Tape t = host.tape();
        return r.withOutput(model.readout(t, t.constant(r.state()), input(t, x, edgeFeatures)).value().copy());
    }

    private static GraphInput input(Tape t, Tensor x, Tensor edgeFeatures) {
        return new GraphInput(t.constant(x), edgeFeatures == null ? null : t.constant(edgeFeatures));
    }

    /**
     * The paper's asynchronous inference of an explicit GNN (eq. 9, Algorithm 1 UpdateNodeFinite):
     * h^0 = encode(x) everywhere; a node due at tick t with t_i &lt; L sets h_i ← layer_{t_i}(h_i,
     * views of h_j) and t_i += 1; finished nodes re-announce h_i^L; the run ends when every node has
     * made its L updates, and the output is the readout of the final embeddings.
     */
    public AsyncRun runLayered(LayeredModel model, Tensor x) {
        return new LayeredRunner(tl, views, host, options.dueListener()).run(model, x);
    }

    // ------------------------------------------------------------------ the generic tick loop

    private interface Program {
        Var run(Tape t, Tensor state);
    }

    /**
     * Every tick with updating nodes runs the program over the whole graph (its rounds through the
     * views) and commits the updating nodes' rows. Explicit runs end when every node made
     * {@code cap} updates; implicit ones when no row changed by {@code tol} for 2(S + D) ticks.
     */
    private AsyncRun runGeneric(Program prog, Tensor state, boolean explicit, int cap, double tol, int maxTicks) {
        tl.reset();
        views.reset();
        long start = System.nanoTime();
        double[] trace = new double[Math.min(maxTicks, 1 << 16)];
        int n = tl.n, window = 2 * tl.sched.stalenessBound(), lastBig = 0, t;
        boolean converged = false;
        for (t = 1; t <= maxTicks; t++) {
            tl.tick = t;
            if (tl.markUpdaters() > 0) {
                views.startTick();
                Tape tape = host.tape();
                Var out = prog.run(tape, state);
                if (state == null) state = Tensor.zeros(out.value().shape());
                if (!out.value().sameShape(state))
                    throw new IllegalStateException("the program returned " + Arrays.toString(out.shape()) + ", expected " + Arrays.toString(state.shape()));
                double change = commit(out.value().data(), state.data(), state.rowSize(), explicit, cap);
                trace = Timeline.record(trace, t, change);
                if (!(change < tol)) lastBig = t;
            }
            if (explicit) {
                int done = 0;
                for (int i = 0; i < n; i++) if (tl.next[i] == Timeline.NEVER) done++;
                if (done == n) { converged = true; break; }
            } else if (t - lastBig >= window) { converged = true; break; }
        }
        return tl.finish(state, Math.min(t, maxTicks), converged, trace, start);
    }

    /** Commits the updating nodes' rows; returns the largest change. */
    private double commit(double[] out, double[] state, int w, boolean explicit, int cap) {
        int chunks = Parallel.chunks(tl.n, w);
        double[] chunkMax = tl.chunkMax;
        boolean[] upd = tl.upd;
        Arrays.fill(chunkMax, 0);
        int t = tl.tick;
        Parallel.forRange(tl.n, chunks, (c, from, to) -> {
            double mx = 0;
            for (int i = from; i < to; i++) {
                if (!upd[i]) continue;
                int o = i * w;
                for (int q = o; q < o + w; q++) {
                    double d = Math.abs(out[q] - state[q]);
                    if (!(d <= mx) && mx == mx) mx = d; // a NaN propagates and stays
                    state[q] = out[q];
                }
                tl.scheduleNext(i, t, explicit, cap);
            }
            chunkMax[c] = mx;
        });
        double mx = 0;
        for (int c = 0; c < chunks; c++) if (!(chunkMax[c] <= mx)) mx = chunkMax[c];
        return mx;
    }
}
