package io.mycelium.engine;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.model.GraphInput;
import io.mycelium.model.LayeredModel;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;
import java.util.function.ObjIntConsumer;

/**
 * The paper's asynchronous inference of an explicit GNN (eq. 9, Appendix E Algorithm 1,
 * UpdateNodeFinite): node i keeps a layer counter t_i; at each of its update times with t_i &lt; L
 * it computes ONE layer, layer t_i, from its own current embedding and its view (as of a tick at
 * most D back) of each neighbour's <i>current</i> embedding — which may belong to another layer;
 * then t_i += 1. After L updates its output is the readout of its embedding.
 *
 * <p>Per tick the runner runs the program of every layer l over the whole graph, all reading the
 * neighbours' embeddings through the same views, and commits layer l's rows only for the updating
 * nodes at layer l. A node that has finished keeps announcing its final embedding at its update
 * times (an identity update): it is its current value, and this keeps every read within the
 * staleness bound S + D (+ delay) of partial asynchrony even when a neighbour finished long ago.
 */
final class LayeredRunner {
    private final Timeline tl;
    private final ViewStreams views;
    private final Host host;
    private final ObjIntConsumer<boolean[]> dueListener;

    LayeredRunner(Timeline tl, ViewStreams views, Host host, ObjIntConsumer<boolean[]> dueListener) {
        this.tl = tl;
        this.views = views;
        this.host = host;
        this.dueListener = dueListener;
    }

    /** h^0 = encode(x) everywhere, layers at the nodes' updates until every node made its L; the readout of the final embeddings. */
    AsyncRun run(LayeredModel model, Tensor x) {
        tl.reset();
        views.reset();
        int n = tl.n, L = model.layers(), k = model.width();
        int[] updates = tl.updates;
        boolean[] upd = tl.upd;
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
        views.layered = true;
        try {
            for (t = 1; ; t++) {
                tl.tick = t;
                if (tl.markUpdaters() > 0) {
                    System.arraycopy(upd, 0, due, 0, n);
                    if (dueListener != null) dueListener.accept(due.clone(), t);
                    views.startTick();
                    double change = 0;
                    // Every layer's program runs, even one no due node is at: each stream must take
                    // every new embedding in the tick after it was made, or a later view could not pick it.
                    for (int l = 0; l < L; l++) {
                        for (int i = 0; i < n; i++) upd[i] = due[i] && updates[i] == l;
                        views.passLayer = l;
                        int before = views.deliveries();
                        Tape tape = host.tape();
                        Var out = model.layer(tape, l, tape.constant(h), GraphInput.of(tape.constant(xs)));
                        if (views.deliveries() - before != 1)
                            throw new IllegalStateException("layer " + l + " passed " + (views.deliveries() - before) + " rounds of messages, expected one");
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
                    views.passLayer = -1;
                    // commit after all layers: within a tick every program saw the same embeddings
                    for (int i = 0; i < n; i++) {
                        if (!due[i]) continue;
                        if (updates[i] < L) {
                            System.arraycopy(pending, i * k, hs, i * k, k);
                            updates[i]++;
                        }
                        tl.lastUpdate[i] = t; // a finished node's update re-announces its final embedding
                        tl.next[i] = tl.nextUpdate(i, t);
                    }
                    tl.rounds++; // each due node sent its current embedding once
                    trace = Timeline.record(trace, t, change);
                }
                int done = 0;
                for (int i = 0; i < n; i++) if (updates[i] >= L) done++;
                if (done == n) { converged = true; break; }
            }
        } finally {
            views.layered = false;
            views.passLayer = -1;
        }
        AsyncRun r = tl.finish(h, t, converged, trace, start);
        Tape tr = host.tape();
        return r.withOutput(model.readout(tr, tr.constant(h), GraphInput.of(tr.constant(xs))).value().copy());
    }
}
