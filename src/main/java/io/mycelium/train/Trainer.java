package io.mycelium.train;

import io.mycelium.autodiff.BackwardPass;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Rider;
import io.mycelium.comm.Transfer;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Operator;
import io.mycelium.model.FusedGcnnTraining;
import io.mycelium.train.fused.GcnnPass;
import io.mycelium.tensor.Parallel;
import io.mycelium.model.Model;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Tensor;
import io.mycelium.util.Checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Algorithm 1 as a node program: every host runs the same mini-batch step on {@link Engine#run},
 * so one code path serves the synchronous simulator and one-device-per-node execution.
 *
 * <p>Two schedules compute the same update. The <b>per-sample</b> schedule is the paper's: each
 * sample is its own forward pass (L rounds) and backward pass (L−1 rounds), with D-naive's
 * consensus, the per-batch rearrangement, the piggybacking of sample b−1's backward rounds on sample
 * b's forward rounds, and the optimizer's consensus split over the forward rounds; its counters are
 * Table I. The <b>batched</b> schedule records all B samples of a mini-batch as one
 * {@code [nodes, B, features]} program (the same arithmetic: gradients are summed over samples and
 * consensus is linear), which is how long experiments run fast; its rounds are not the paper's.
 *
 * <p>The loss of a sample is Σ_j (ŷ_j − y_j)²; node i's gradient is ∂/∂θ_i of it (eq. 8c), and
 * tied parameters get the gradient of the mean over nodes (eq. 7), so the average of the per-node
 * updates is the centralized update.
 */
public final class Trainer {
    private Engine engine;
    private Model model;
    private final Scheme scheme;
    private final Optimizer optimizer;
    private Operator consensus;
    private final int k;
    private boolean recordWidths;

    /**
     * @param consensus the weights W (e.g. Metropolis–Hastings) on the engine's graph
     * @param k         D-naive's rounds of gradient consensus
     */
    public Trainer(Engine engine, Model model, Scheme scheme, double lr, Operator consensus, int k) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(consensus, "consensus");
        Checks.positive("lr", lr);
        if (scheme.centralized() && !engine.isSynchronous())
            throw new IllegalArgumentException(scheme + " trains tied parameters on one host; use the synchronous engine");
        if (scheme.centralized() != engine.params().isTied())
            throw new IllegalArgumentException(scheme + (scheme.centralized() ? " needs tied parameters" : " needs per-node parameter copies (Params.perNode)"));
        if (k < 1) throw new IllegalArgumentException("consensus rounds K must be at least 1, got " + k);
        if (consensus.graph() != engine.graph()) throw new IllegalArgumentException("consensus weights belong to another graph");
        this.engine = engine;
        this.model = model;
        this.scheme = scheme;
        this.optimizer = scheme.optimizer(lr);
        this.consensus = consensus;
        this.k = k;
    }

    public Scheme scheme() { return scheme; }

    /**
     * Algorithm 1, lines 3–4, with a dynamic topology: from the next mini-batch on, train on another
     * graph over the same nodes ({@code newModel} is the model on that graph's shift operator and
     * {@code newConsensus} its weights W). Parameters and every node's optimizer state carry over;
     * only what belongs to the old graph (cached passes, tapes, local data views) is dropped.
     * Runs on the synchronous engine.
     */
    public void topology(Model newModel, Operator newConsensus) {
        if (!engine.isSynchronous()) throw new IllegalStateException("a dynamic topology needs the synchronous engine");
        io.mycelium.graph.Graph g = newConsensus.graph();
        if (g.n() != engine.graph().n())
            throw new IllegalArgumentException("a new topology must keep the node set: " + g.n() + " nodes, not " + engine.graph().n());
        Engine next = Engine.synchronous(g, engine.params());
        Map<String, Object> old = engine.hosts().getFirst().state(), now = next.hosts().getFirst().state();
        for (Map.Entry<String, Object> e : old.entrySet()) if (!e.getKey().startsWith("train.")) now.put(e.getKey(), e.getValue());
        if (recordWidths) next.hosts().getFirst().comm().counters().recordWidths();
        this.engine = next;
        this.model = newModel;
        this.consensus = newConsensus;
    }

    public Engine engine() { return engine; }

    /** Keep the per-round message widths in the returned traffic (for Table I). */
    public Trainer recordWidths() {
        recordWidths = true;
        for (Host h : engine.hosts()) h.comm().counters().recordWidths();
        return this;
    }

    /** What one mini-batch step did: the training loss before the step, and the charged communication. */
    public record Step(double sumSquaredError, Traffic traffic) {}

    /** One mini-batch on the given samples with the paper's per-sample schedule. */
    public Step perSample(Dataset data, int[] batch) { return combine(engine.run(h -> perSample(h, data, batch))); }

    /** One mini-batch with all samples in one program (same update, different rounds). */
    public Step batched(Dataset data, int[] batch) { return combine(engine.run(h -> batched(h, data, batch))); }

    private static Step combine(List<Step> steps) {
        double sse = 0;
        List<Traffic> t = new ArrayList<>(steps.size());
        for (Step s : steps) {
            sse += s.sumSquaredError;
            t.add(s.traffic);
        }
        return new Step(sse, Traffic.combine(t));
    }

    // ------------------------------------------------------------------ the node program

    private Step perSample(Host h, Dataset data, int[] batch) {
        Map<String, Object> state = h.state();
        Local local = local(h, data);
        Comm comm = h.comm();
        Traffic.Meter meter = new Traffic.Meter(comm.counters(), recordWidths);
        Params acc = h.params().zerosLike();
        Tape[] tapes = tapes(h);
        int nodes = engine.graph().n();
        List<Tensor> shared = optimizer.shared(h.params(), state);
        ConsensusPieces pieces = scheme.piggyback() && !shared.isEmpty()
                ? new ConsensusPieces(h.partition(), shared, model.rounds() * batch.length) : null;
        BackwardPass pending = null;
        Tape pendingTape = null;
        double sse = 0;
        for (int b = 0; b < batch.length; b++) {
            Tape t = tapes[b & 1];
            t.reset();
            int[] one = {batch[b]};
            Var x = t.constant(flatten(Dataset.gatherX(local.x, one)));
            meter.begin();
            if (scheme.piggyback()) comm.setRider(new Ride(pending, pieces));
            Var y = model.forward(t, x);
            comm.setRider(null);
            meter.end(true);
            if (pending != null) {
                if (!pending.done()) throw new IllegalStateException("the backward pass of sample " + (b - 1) + " did not fit in the forward rounds");
                add(acc, pendingTape);
            }
            Var loss = squaredError(t, y, flatten(Dataset.gatherY(local.y, one)));
            sse += loss.value().sum();
            BackwardPass bp = t.backwardPass(loss, seed(loss, nodes));
            if (scheme.piggyback()) {
                pending = bp;
                pendingTape = t;
                continue;
            }
            meter.begin();
            bp.run();
            meter.end(!scheme.centralized());
            if (scheme.gradConsensus() == Scheme.GradConsensus.PER_SAMPLE) {
                // this sample's share of the D-naive update, θ_i/B − α ∇̂J_i(b): the K rounds on the
                // shares add up to the K rounds on θ_i − α Σ_b ∇̂J_i(b) that the batched form sends once
                Params share = naiveShare(h.params(), t.paramGrads(), batch.length);
                meter.begin();
                for (int r = 0; r < k; r++) Exchange.consensus(comm, consensus, Optimizer.tensors(share).toArray(Tensor[]::new));
                meter.end(true);
                add(acc, share);
            } else {
                add(acc, t);
            }
        }
        if (pending != null) {
            meter.begin();
            pending.run();
            meter.end(true);
            add(acc, pendingTape);
        }
        List<Tensor> mixed = List.of();
        if (pieces != null) {
            meter.begin();
            pieces.flush(comm);
            meter.end(true);
            mixed = pieces.mixed(consensus);
        }
        meter.begin();
        finish(h, acc, shared, mixed, comm, scheme.gradConsensus() == Scheme.GradConsensus.PER_BATCH);
        meter.end(true);
        return new Step(sse, meter.total());
    }

    private Step batched(Host h, Dataset data, int[] batch) {
        Local local = local(h, data);
        Params acc;
        double sse;
        GcnnPass fused = fused(h, "train.fused");
        List<Tensor> shared = optimizer.shared(h.params(), h.state());
        boolean gradConsensus = scheme.gradConsensus() != Scheme.GradConsensus.NONE;
        @SuppressWarnings("unchecked")
        List<Tensor>[] early = new List[] {List.of()};   // the θ consensus, when it already ran beside the passes
        if (fused != null) {
            double scale = scheme.centralized() ? 2.0 / engine.graph().n() : 2.0;
            int half = GcnnPass.half(batch.length);
            acc = zeroedGradients(h, "train.grads");
            if (half > 0 && h.partition().haloSize() == 0 && (long) h.params().count() * h.params().copies() <= SPLIT_PARAMS) {
                // the samples of a mini-batch are independent until their gradients are summed: two
                // halves run side by side without a barrier per layer, and always as two halves, so
                // the sum's order (and every bit of it) is the same on one core or many
                GcnnPass second = fused(h, "train.fused.second");
                // per-node kernels add each gradient entry once per pass, so when the halves run one
                // after the other the second may add into the first's sums: first + second, the same
                // bits as two buffers and their sum, without zeroing, reading and adding a second
                // buffer (tied kernels add per-chunk partial sums one by one: they keep two buffers)
                Params other = Parallel.sequential() && !h.params().isTied() ? acc : zeroedGradients(h, "train.grads.second");
                int[] a = java.util.Arrays.copyOfRange(batch, 0, half), b = java.util.Arrays.copyOfRange(batch, half, batch.length);
                double[] parts = new double[2];
                Params first = acc;
                // θ consensus reads θ only, which the passes do not change: it runs after the smaller
                // second half (b has at most as many samples as a), on that thread, instead of
                // waking the pool for a region of its own afterwards; same values, same bits
                Parallel.both(() -> parts[0] = fusedPass(fused, h, local, a, scale, first, 0),
                        () -> {
                            parts[1] = fusedPass(second, h, local, b, scale, other, 1);
                            if (!gradConsensus && !shared.isEmpty()) early[0] = mix(h, h.comm(), shared);
                        });
                if (other != first) {
                    List<String> names = List.copyOf(acc.names());
                    int[] lengths = names.stream().mapToInt(n -> acc.get(n).data().length).toArray();
                    Parallel.SegmentBody add = (s, lo, hi) -> {
                        double[] into = first.get(names.get(s)).data(), from = other.get(names.get(s)).data();
                        for (int q = lo; q < hi; q++) into[q] += from[q];
                    };
                    // one add per element: below 2^20 of them a wake-up of the pool costs more than it saves
                    if (java.util.Arrays.stream(lengths).sum() < SERIAL_SUM) for (int q = 0; q < lengths.length; q++) add.run(q, 0, lengths[q]);
                    else Parallel.forSegments(lengths, 2, add);
                }
                sse = parts[0] + parts[1];
            } else {
                sse = fusedPass(fused, h, local, batch, scale, acc, 0);
            }
        } else {
            Tape tape = tapes(h)[0];
            tape.reset();
            Var y = model.forward(tape, tape.constant(Dataset.gatherX(local.x, batch)));
            Var loss = squaredError(tape, y, Dataset.gatherY(local.y, batch));
            tape.backwardPass(loss, seed(loss, engine.graph().n())).run();
            acc = tape.paramGrads();
            sse = loss.value().sum();
        }
        // consensus is linear: K rounds on the summed gradients equal the sum of K rounds on each sample's
        finish(h, acc, shared, early[0], h.comm(), gradConsensus);
        return new Step(sse, Traffic.NONE);
    }

    /**
     * Parameter copies up to which a mini-batch is split into halves (the second half needs its own
     * gradient buffer; past 2^24 doubles, 128 MiB, the graph is large enough for the kernels to
     * split by nodes instead).
     */
    private static final long SPLIT_PARAMS = 1L << 24;

    /** Gradient elements up to which the halves' sum stays on the calling thread. */
    private static final int SERIAL_SUM = 1 << 20;

    /**
     * The fused pass over samples {@code ids}: adds their gradients into {@code grads}, returns their
     * squared error. {@code slot}: which of the two passes that may run at once this is (each has its
     * own targets buffer).
     */
    private static double fusedPass(GcnnPass pass, Host h, Local local, int[] ids, double scale, Params grads, int slot) {
        return pass.squaredErrorStep(h.params(), local.x, ids, local.targets(ids, slot), scale, grads);
    }

    /** The squared error of the fused forward pass over samples {@code ids}. */
    private static double squaredError(GcnnPass pass, Host h, Local local, int[] ids, int slot) {
        double[] y = pass.forward(h.params(), local.x, ids), t = local.targets(ids, slot);
        double s = 0;
        for (int q = 0; q < y.length; q++) s += (y[q] - t[q]) * (y[q] - t[q]);
        return s;
    }

    /** A gradient accumulator shaped like the host's parameters, kept across mini-batches under {@code key} and zeroed. */
    private static Params zeroedGradients(Host h, String key) {
        Object o = h.state().get(key);
        if (o instanceof Params g && g.names().equals(h.params().names())
                && g.names().stream().allMatch(n -> g.get(n).data().length == h.params().get(n).data().length)) {
            for (String n : g.names()) java.util.Arrays.fill(g.get(n).data(), 0);
            return g;
        }
        Params g = h.params().zerosLike();
        h.state().put(key, g);
        return g;
    }

    /** The fused GCNN pass for this host, when the model offers one ({@link FusedGcnnTraining}) with one output and a symmetric shift. */
    private GcnnPass fused(Host h, String key) {
        if (!(model instanceof FusedGcnnTraining f)) return null;
        var form = f.gcnnForm();
        if (!GcnnPass.supports(form) || form.width(form.layers()) != 1) return null;
        Object o = h.state().get(key);
        if (o instanceof GcnnPass p && p.form().shift() == form.shift()) return p;
        GcnnPass p = new GcnnPass(form, h.comm(), h.params());
        h.state().put(key, p);
        return p;
    }

    /**
     * Mean squared error of the current parameters (per-node copies as deployed) over every node and
     * sample of {@code data}, from one forward pass of all samples.
     */
    public double meanSquaredError(Dataset data) { return sumSquaredError(data) / ((double) data.nodes() * data.samples()); }

    /**
     * The squared error over this engine's hosts' nodes and every sample of {@code data}, summed
     * over hosts in order: a networked engine hosting some partitions returns its share, and the
     * shares added in partition order are the in-process partitioned engine's sum, bit for bit.
     */
    public double sumSquaredError(Dataset data) {
        int[] all = new int[data.samples()];
        for (int q = 0; q < all.length; q++) all[q] = q;
        double sse = 0;
        for (double v : engine.run(h -> {
            Local local = local(h, data, "train.eval");
            GcnnPass fused = fused(h, "train.fused.eval");
            if (fused != null) {
                int half = GcnnPass.half(all.length);
                if (half == 0 || h.partition().haloSize() > 0 || (long) h.params().count() * h.params().copies() > SPLIT_PARAMS) return squaredError(fused, h, local, all, 0);
                GcnnPass second = fused(h, "train.fused.eval.second");
                int[] a = java.util.Arrays.copyOfRange(all, 0, half), b = java.util.Arrays.copyOfRange(all, half, all.length);
                double[] parts = new double[2];
                Parallel.both(() -> parts[0] = squaredError(fused, h, local, a, 0), () -> parts[1] = squaredError(second, h, local, b, 1));
                return parts[0] + parts[1];
            }
            Tape t = tapes(h)[1];
            t.reset();
            Var y = model.forward(t, t.constant(Dataset.gatherX(local.x, all)));
            return squaredError(t, y, Dataset.gatherY(local.y, all)).value().sum();
        })) sse += v;
        return sse;
    }

    /**
     * The end of a mini-batch: D-naive's consensus, or θ consensus unless it already rode along,
     * then the optimizer's step.
     *
     * <p>D-naive (eq. 8 with K rounds of eq. 15) mixes the locally updated copies,
     * θ_i ← Σ_j (W^K)_ij (θ_j − α Σ_b ∇̂J_j(b)), as the authors' code does. While the copies agree
     * this is exactly K rounds of consensus on the gradients; once finite K has let them drift
     * apart, the same rounds also pull them back together (consensus on the gradients alone lets
     * the copies drift without bound, and D-naive then leaves SGD's trajectory). With
     * {@code naiveDone} the per-sample schedule has already mixed each sample's share and
     * {@code acc} holds the mixed copies.
     */
    private void finish(Host h, Params acc, List<Tensor> shared, List<Tensor> mixed, Comm comm, boolean gradConsensus) {
        boolean naiveDone = scheme.gradConsensus() == Scheme.GradConsensus.PER_SAMPLE && !gradConsensus;
        if (gradConsensus || naiveDone) {
            Params next = naiveDone ? acc : naiveShare(h.params(), acc, 1);
            if (gradConsensus)
                for (int r = 0; r < k; r++) Exchange.consensus(comm, consensus, Optimizer.tensors(next).toArray(Tensor[]::new));
            for (String n : next.names()) System.arraycopy(next.get(n).data(), 0, h.params().get(n).data(), 0, next.get(n).data().length);
            return;
        }
        if (!shared.isEmpty() && mixed.isEmpty()) mixed = mix(h, comm, shared);
        optimizer.step(h.params(), h.state(), acc, mixed);
    }

    /**
     * One round of consensus on the optimizer's shared tensors, into buffers kept on the host: the
     * optimizer reads them at once, and a fresh copy of every parameter each mini-batch was a tenth
     * of a short epoch (allocation and collection).
     */
    private List<Tensor> mix(Host h, Comm comm, List<Tensor> shared) {
        Object o = h.state().get("train.mixed");
        Tensor[] out = o instanceof Tensor[] t && sameShapes(t, shared) ? t : null;
        if (out == null) {
            out = new Tensor[shared.size()];
            for (int q = 0; q < out.length; q++) out[q] = Tensor.zeros(shared.get(q).shape());
            h.state().put("train.mixed", out);
        }
        Exchange.consensus(comm, consensus, shared.toArray(Tensor[]::new), out);
        return List.of(out);
    }

    private static boolean sameShapes(Tensor[] a, List<Tensor> b) {
        if (a.length != b.size()) return false;
        for (int q = 0; q < a.length; q++) if (!java.util.Arrays.equals(a[q].shape(), b.get(q).shape())) return false;
        return true;
    }

    /** θ_i / parts − α g_i per copy: D-naive's local update (parts = 1) or one sample's share of it. */
    private Params naiveShare(Params theta, Params g, int parts) {
        double lr = ((io.mycelium.optim.Sgd) optimizer).lr();
        Params out = g.zerosLike();
        for (String n : g.names()) {
            double[] o = out.get(n).data(), p = theta.get(n).data(), d = g.get(n).data();
            for (int q = 0; q < o.length; q++) o[q] = p[q] / parts - lr * d[q];
        }
        return out;
    }

    /** Node i's loss Σ over its samples of (ŷ_i − y_i)², shape {@code [rows]}. */
    private static Var squaredError(Tape t, Var y, Tensor target) { return t.sumRows(t.square(t.sub(y, t.constant(target)))); }

    /** 1 for per-node copies (∂/∂θ_i of the summed loss), 1/|V| for tied parameters (the mean loss). */
    private Tensor seed(Var loss, int nodes) { return Tensor.full(scheme.centralized() ? 1.0 / nodes : 1.0, loss.shape()); }

    private static Tensor flatten(Tensor oneSample) {
        int[] s = oneSample.shape();
        return oneSample.reshape(s[0], s[2]);
    }

    private static void add(Params acc, Tape t) {
        for (String n : acc.names()) {
            double[] a = acc.get(n).data(), g = t.paramGrad(n).data();
            for (int q = 0; q < a.length; q++) a[q] += g[q];
        }
    }

    private static void add(Params acc, Params g) {
        for (String n : acc.names()) {
            double[] a = acc.get(n).data(), d = g.get(n).data();
            for (int q = 0; q < a.length; q++) a[q] += d[q];
        }
    }

    /**
     * The host's rows of the dataset, cut once, and the targets sample-major ({@code [sample][node]}):
     * a shuffled mini-batch then reads B runs of n targets instead of n·B scattered ones.
     */
    private record Local(Dataset source, Tensor x, Tensor y, double[] ySampleMajor, double[][] targetBuffers) {
        Local(Dataset source, Tensor x, Tensor y) { this(source, x, y, sampleMajor(y), new double[2][]); }

        private static double[] sampleMajor(Tensor y) {
            int n = y.dim(0), s = y.dim(1);
            double[] src = y.data(), out = new double[n * s];
            for (int i = 0; i < n; i++) for (int b = 0; b < s; b++) out[b * n + i] = src[i * s + b];
            return out;
        }

        /**
         * The targets of samples {@code ids} as {@code [node][sample]}, in buffer {@code slot} (0 or 1),
         * which is reused while B stays: a fresh array every mini-batch was most of what a training
         * step allocated, and each page of it was a first touch of the heap (page faults).
         */
        double[] targets(int[] ids, int slot) {
            int n = y.dim(0), B = ids.length;
            double[] out = targetBuffers[slot];
            if (out == null || out.length != n * B) targetBuffers[slot] = out = new double[n * B];
            // eight samples at a time: each node's eight targets fill one cache line of out, where a
            // sample at a time wrote one double into each of n lines
            for (int b0 = 0; b0 < B; b0 += 8) {
                int b1 = Math.min(B, b0 + 8);
                for (int i = 0; i < n; i++)
                    for (int b = b0; b < b1; b++) out[i * B + b] = ySampleMajor[ids[b] * n + i];
            }
            return out;
        }
    }

    private static Local local(Host h, Dataset data) { return local(h, data, "train.data"); }

    private static Local local(Host h, Dataset data, String key) {
        Object o = h.state().get(key);
        if (o instanceof Local l && l.source == data) return l;
        Local l = new Local(data, h.rows(data.x()), h.rows(data.y()));
        h.state().put(key, l);
        return l;
    }

    /** Two tapes per host: sample b records on one while sample b−1's backward finishes on the other. */
    private static Tape[] tapes(Host h) {
        Object o = h.state().get("train.tapes");
        if (o instanceof Tape[] t && t[0].params() == h.params()) return t;
        Tape[] t = {h.newTape(), h.newTape()};
        h.state().put("train.tapes", t);
        return t;
    }

    /** Boards sample b−1's next backward round and the next consensus piece on each forward round. */
    private static final class Ride implements Rider {
        private final BackwardPass backward;
        private final ConsensusPieces pieces;
        private boolean backwardBoarded;

        Ride(BackwardPass backward, ConsensusPieces pieces) {
            this.backward = backward;
            this.pieces = pieces;
        }

        @Override
        public Transfer[] board() {
            List<Transfer> ts = new ArrayList<>(2);
            if (backward != null && !backward.done()) {
                Transfer t = backward.next();
                if (t != null) {
                    ts.add(t);
                    backwardBoarded = true;
                }
            }
            if (pieces != null) {
                Transfer p = pieces.board();
                if (p != null) ts.add(p);
            }
            return ts.toArray(Transfer[]::new);
        }

        @Override
        public void arrived() {
            if (backwardBoarded) {
                backwardBoarded = false;
                backward.complete();
            }
            if (pieces != null) pieces.arrived();
        }
    }
}
