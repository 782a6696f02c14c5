package io.mycelium.train;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Operator;
import io.mycelium.model.Model;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Params;
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
    /** The step size α: D-naive's local update θ_i − α g_i is taken here, whatever the optimizer. */
    private final double lr;
    private Operator consensus;
    private final int k;
    private boolean recordWidths;
    private final PerSampleSchedule perSample = new PerSampleSchedule(this);
    private final BatchedStep batched = new BatchedStep(this);
    private final Evaluator evaluator = new Evaluator(this);

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
        this.lr = lr;
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

    Model model() { return model; }

    Optimizer optimizer() { return optimizer; }

    Operator consensus() { return consensus; }

    /** D-naive's rounds of gradient consensus, K. */
    int rounds() { return k; }

    boolean recordsWidths() { return recordWidths; }

    /** Keep the per-round message widths in the returned traffic (for Table I). */
    public Trainer recordWidths() {
        recordWidths = true;
        for (Host h : engine.hosts()) h.comm().counters().recordWidths();
        return this;
    }

    /** What one mini-batch step did: the training loss before the step, and the charged communication. */
    public record Step(double sumSquaredError, Traffic traffic) {}

    /** One mini-batch on the given samples with the paper's per-sample schedule. */
    public Step perSample(Dataset data, int[] batch) { return combine(engine.run(h -> perSample.run(h, data, batch))); }

    /** One mini-batch with all samples in one program (same update, different rounds). */
    public Step batched(Dataset data, int[] batch) { return combine(engine.run(h -> batched.run(h, data, batch))); }

    private static Step combine(List<Step> steps) {
        double sse = 0;
        List<Traffic> t = new ArrayList<>(steps.size());
        for (Step s : steps) {
            sse += s.sumSquaredError;
            t.add(s.traffic);
        }
        return new Step(sse, Traffic.combine(t));
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
    public double sumSquaredError(Dataset data) { return evaluator.sumSquaredError(data); }

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
    void finish(Host h, Params acc, List<Tensor> shared, List<Tensor> mixed, Comm comm, boolean gradConsensus) {
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
    List<Tensor> mix(Host h, Comm comm, List<Tensor> shared) {
        HostTraining state = HostTraining.of(h);
        Tensor[] out = state.mixed != null && sameShapes(state.mixed, shared) ? state.mixed : null;
        if (out == null) {
            out = new Tensor[shared.size()];
            for (int q = 0; q < out.length; q++) out[q] = Tensor.zeros(shared.get(q).shape());
            state.mixed = out;
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
    Params naiveShare(Params theta, Params g, int parts) {
        Params out = g.zerosLike();
        for (String n : g.names()) {
            double[] o = out.get(n).data(), p = theta.get(n).data(), d = g.get(n).data();
            for (int q = 0; q < o.length; q++) o[q] = p[q] / parts - lr * d[q];
        }
        return out;
    }

    /** Node i's loss Σ over its samples of (ŷ_i − y_i)², shape {@code [rows]}. */
    static Var squaredError(Tape t, Var y, Tensor target) { return t.sumRows(t.square(t.sub(y, t.constant(target)))); }

    /** 1 for per-node copies (∂/∂θ_i of the summed loss), 1/|V| for tied parameters (the mean loss). */
    Tensor seed(Var loss, int nodes) { return Tensor.full(scheme.centralized() ? 1.0 / nodes : 1.0, loss.shape()); }

}
