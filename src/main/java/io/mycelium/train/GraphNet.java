package io.mycelium.train;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.function.Function;

/**
 * A GNN as the trainer of graph-set tasks sees it: node outputs for a batch, and the parameter
 * gradient of a loss of those outputs. Implicit models are solved to their fixed point and
 * differentiated implicitly ({@link FixedPoint}); explicit ones are recorded and back-propagated.
 *
 * <p>Models are made per batch graph by a {@code Function<Graph, M>} (most ignore the graph and
 * return one shared instance; a model that precomputes an operator builds it per graph). All of them
 * share one {@link Params}.
 */
public sealed interface GraphNet {
    void init(Params params, UniformRandomProvider rng);

    /** Node outputs of the batch (a fresh tensor); keeps in {@code ctx} what {@link #backward} needs. */
    Tensor forward(BatchContext ctx);

    /** Gradients of a loss whose gradient with respect to the last {@link #forward}'s outputs is {@code dOut}. */
    Params backward(BatchContext ctx, Tensor dOut);

    /** Restores the model's constraints after an optimizer step. */
    default void project(Params params) {}

    boolean implicit();

    /** The graph models are asked for when only their parameters matter (init, project). */
    Graph ONE_NODE = Graph.fromEdges(1, new int[0], new int[0]);

    static GraphNet implicit(Function<Graph, ImplicitModel> models, Solver solver) { return new Implicit(models, solver); }

    static GraphNet explicit(Function<Graph, Model> models) { return new Explicit(models); }

    /**
     * The network of whichever kind {@code models} makes (asked once for {@link #ONE_NODE}):
     * implicit models are solved with {@code solver}, explicit ones ignore it.
     */
    static GraphNet of(Function<Graph, ? extends Trainable> models, Solver solver) {
        return switch (models.apply(ONE_NODE)) {
            case ImplicitModel m -> implicit(g -> (ImplicitModel) models.apply(g), solver);
            case Model m -> explicit(g -> (Model) models.apply(g));
        };
    }

    /**
     * Tolerances of the forward and adjoint solves (max-abs change per application of the map), their
     * iteration budgets, warm starts, and the Anderson memory of the centralized solves (0: plain
     * iteration). Whatever the solver, the solution is the model's unique fixed point.
     */
    record Solver(double tol, int maxIter, double adjointTol, int adjointMaxIter, boolean warmStart, int anderson) {
        /**
         * Warm-started, Anderson-accelerated (memory 20) solves. Memory 20 rather than 5: trained
         * long-range energy GNNs are ill-conditioned (κ in the thousands), where a longer history acts
         * more like a Krylov solver; measured on an edge-wise energy GNN learning sums, the same
         * training trajectory took 2.2× less time (forward iterations at epoch 125: 191 vs 717).
         */
        public static Solver of(double tol, int maxIter) { return new Solver(tol, maxIter, tol, maxIter, true, 20); }

        public Solver coldStart() { return new Solver(tol, maxIter, adjointTol, adjointMaxIter, false, anderson); }

        public Solver plain() { return new Solver(tol, maxIter, adjointTol, adjointMaxIter, warmStart, 0); }
    }

    final class Implicit implements GraphNet {
        private final Function<Graph, ImplicitModel> models;
        private final Solver solver;

        private final ImplicitModel proto;

        Implicit(Function<Graph, ImplicitModel> models, Solver solver) {
            this.models = models;
            this.solver = solver;
            this.proto = models.apply(ONE_NODE);
        }

        public Solver solver() { return solver; }

        /** The model instance of a graph (for the asynchronous engine, which runs it on the same graph). */
        public ImplicitModel model(Graph g) { return models.apply(g); }

        @Override
        public void init(Params params, UniformRandomProvider rng) { proto.init(params, rng); }

        @Override
        public boolean implicit() { return true; }

        @Override
        public Tensor forward(BatchContext ctx) {
            ImplicitModel m = ctx.model(models);
            Tensor h0 = solver.warmStart() && ctx.h != null ? ctx.h : Tensor.zeros(ctx.batch().n(), m.stateWidth());
            FixedPoint.Solve s = FixedPoint.forward(ctx.host(), m, ctx::input, h0, solver.tol(), solver.maxIter(), solver.anderson());
            ctx.h = s.h();
            ctx.forwardIterations = s.iterations();
            ctx.forwardConverged = s.converged();
            Tape t = ctx.host().tape();
            GraphInput in = ctx.input(t);
            return m.readout(t, t.constant(s.h()), in).value().copy();
        }

        @Override
        public Params backward(BatchContext ctx, Tensor dOut) {
            ImplicitModel m = ctx.model(models);
            FixedPoint.Gradient g = FixedPoint.backward(ctx.host(), m, ctx::input, ctx.h, dOut,
                    solver.warmStart() ? ctx.adjoint : null, solver.adjointTol(), solver.adjointMaxIter(), solver.anderson());
            ctx.adjoint = g.adjoint();
            ctx.adjointIterations = g.iterations();
            ctx.adjointConverged = g.converged();
            return g.grads();
        }

        @Override
        public void project(Params params) { proto.project(params); }
    }

    final class Explicit implements GraphNet {
        private final Function<Graph, Model> models;

        private final Model proto;

        Explicit(Function<Graph, Model> models) {
            this.models = models;
            this.proto = models.apply(ONE_NODE);
        }

        public Model model(Graph g) { return models.apply(g); }

        @Override
        public void init(Params params, UniformRandomProvider rng) { proto.init(params, rng); }

        @Override
        public boolean implicit() { return false; }

        @Override
        public Tensor forward(BatchContext ctx) {
            Tape t = ctx.host().tape();
            return ctx.<Model>model(models).forward(t, t.constant(ctx.batch().x())).value().copy();
        }

        @Override
        public Params backward(BatchContext ctx, Tensor dOut) {
            Tape t = ctx.host().tape();
            Var out = ctx.<Model>model(models).forward(t, t.constant(ctx.batch().x()));
            t.vjp(out, dOut);
            return t.paramGrads();
        }
    }
}
