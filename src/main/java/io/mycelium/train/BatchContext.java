package io.mycelium.train;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.model.GraphInput;
import io.mycelium.tensor.Tensor;

import java.util.function.Function;

/**
 * What persists for one batch across epochs: the synchronous engine over its union graph (sharing
 * the trainer's live parameters), the model instance for that graph, and the last forward solution
 * and adjoint, which warm-start the next epoch's solves.
 */
public final class BatchContext {
    private final GraphBatch batch;
    private final Host host;
    private Object model;
    Tensor h, adjoint;
    int forwardIterations, adjointIterations;
    boolean forwardConverged = true, adjointConverged = true;

    public BatchContext(GraphBatch batch, Params params) {
        this.batch = batch;
        this.host = Engine.synchronous(batch.graph(), params).hosts().getFirst();
    }

    public GraphBatch batch() { return batch; }

    public Host host() { return host; }

    /** Node (and edge) features as constants of tape {@code t}. */
    public GraphInput input(Tape t) {
        return new GraphInput(t.constant(batch.x()), batch.edges() == null ? null : t.constant(batch.edges()));
    }

    @SuppressWarnings("unchecked")
    <M> M model(Function<Graph, ? extends M> models) {
        if (model == null) model = models.apply(batch.graph());
        return (M) model;
    }

    /** Last forward solution (null before the first implicit forward). */
    public Tensor solution() { return h; }

    public int forwardIterations() { return forwardIterations; }

    public int adjointIterations() { return adjointIterations; }

    public boolean converged() { return forwardConverged && adjointConverged; }
}
