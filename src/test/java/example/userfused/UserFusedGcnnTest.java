package example.userfused;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.FusedGcnnTraining;
import io.mycelium.model.GcnnForm;
import io.mycelium.model.Model;
import io.mycelium.task.TaskGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.train.Dataset;
import io.mycelium.train.Scheme;
import io.mycelium.train.Trainer;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model written outside the project's packages, as a user would: a three-layer graph filter
 * 7 → 13 → 5 → 1 with tanh, then a sigmoid, then identity, and its own parameter names. It gets the
 * fused training pass only by implementing {@link FusedGcnnTraining}; nothing in engine/ or train/
 * knows it. Trained by the fused pass it must follow the same trajectory as the same model without
 * the capability (recorded on the tape), for tied and per-node parameters.
 */
class UserFusedGcnnTest {
    private static final int[] WIDTHS = {7, 13, 5, 1};
    private static final Activation[] ACTS = {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY};

    /** The user's model: eq. (9) on the tape, three layers, parameters "filter<l>.self" and "filter<l>.neighbours". */
    static class ThreeLayerFilter implements Model {
        final Operator shift;
        ThreeLayerFilter(Operator shift) { this.shift = shift; }

        static String self(int l) { return "filter" + l + ".self"; }

        static String neighbours(int l) { return "filter" + l + ".neighbours"; }

        @Override
        public void init(Params params, UniformRandomProvider rng) {
            for (int l = 0; l < 3; l++) {
                params.add(self(l), Init.glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
                params.add(neighbours(l), Init.glorot(rng, WIDTHS[l], WIDTHS[l + 1]));
            }
        }

        @Override
        public Var forward(Tape t, Var x) {
            Var h = x;
            for (int l = 0; l < 3; l++) {
                Var pre = t.add(t.matmul(h, t.param(self(l))), t.matmul(t.exchange(h, shift), t.param(neighbours(l))));
                h = ACTS[l].apply(t, pre);
            }
            return h;
        }

        @Override
        public int rounds() { return 3; }
    }

    /** The same model, saying it can run as a fused GCNN pass; counts how often a trainer asks. */
    static final class FusedThreeLayerFilter extends ThreeLayerFilter implements FusedGcnnTraining {
        final AtomicInteger asked = new AtomicInteger();

        FusedThreeLayerFilter(Operator shift) { super(shift); }

        @Override
        public GcnnForm gcnnForm() {
            asked.incrementAndGet();
            String[] s = new String[3], nb = new String[3];
            for (int l = 0; l < 3; l++) {
                s[l] = self(l);
                nb[l] = neighbours(l);
            }
            return new GcnnForm(shift, WIDTHS, ACTS, s, nb);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scheme.class, names = {"SGD", "D_SGD", "D_AMSGRAD"})
    void theCapabilityAloneGivesTheFusedPassAndTheTapesTrajectory(Scheme scheme) {
        Graph g = TaskGraphs.barabasiAlbert(23, 2, 5);
        Operator s = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        UniformRandomProvider rng = Init.rng(9);
        ThreeLayerFilter plain = new ThreeLayerFilter(s);
        FusedThreeLayerFilter fused = new FusedThreeLayerFilter(s);
        Params init = new Params();
        plain.init(init, rng);
        Dataset data = new Dataset(Init.normal(rng, 0, 1, g.n(), 90, 7), Init.normal(rng, 0, 1, g.n(), 90));
        Trainer onTape = trainer(g, plain, init, scheme), onFused = trainer(g, fused, init, scheme);
        int[][] batches = new int[3][];
        for (int b = 0; b < 3; b++) {
            batches[b] = new int[30];
            for (int q = 0; q < 30; q++) batches[b][q] = (q * 7 + b * 11) % 90;
        }
        for (int epoch = 0; epoch < 2; epoch++)
            for (int[] batch : batches) {
                double a = onTape.batched(data, batch).sumSquaredError(), b = onFused.batched(data, batch).sumSquaredError();
                assertThat(b).isCloseTo(a, org.assertj.core.data.Offset.offset(1e-9 * a));
            }
        assertThat(fused.asked.get()).as("the trainer asked the model for its form").isPositive();
        Params p = onTape.engine().params(), q = onFused.engine().params();
        double moved = 0;
        for (String name : p.names()) {
            double[] x = p.get(name).data(), y = q.get(name).data(), x0 = scheme.centralized() ? init.get(name).data() : null;
            for (int k = 0; k < x.length; k++) {
                assertThat(y[k]).as(name + "[" + k + "]").isCloseTo(x[k], org.assertj.core.data.Offset.offset(1e-9 * (1 + Math.abs(x[k]))));
                if (x0 != null) moved = Math.max(moved, Math.abs(x[k] - x0[k]));
            }
        }
        if (scheme.centralized()) assertThat(moved).as("training moved the parameters").isGreaterThan(1e-3);
        double mse = onTape.meanSquaredError(data);
        assertThat(mse).isFinite();
        assertThat(onFused.meanSquaredError(data)).isCloseTo(mse, org.assertj.core.data.Offset.offset(1e-10 * mse));
    }

    /**
     * TrainingRun runs the user's model too (it knows no concrete model): epochs of the fused pass
     * reduce the test MSE below the untrained one; a dynamic topology (a new graph each mini-batch) needs {@code Rewirable},
     * which this model does not implement, and is refused with a message that says so.
     */
    @org.junit.jupiter.api.Test
    void trainingRunRunsTheUsersModel() {
        Graph g = TaskGraphs.barabasiAlbert(23, 2, 5);
        FusedThreeLayerFilter model = new FusedThreeLayerFilter(ShiftOperator.NORMALIZED_LAPLACIAN.of(g));
        UniformRandomProvider rng = Init.rng(4);
        Params init = new Params();
        model.init(init, rng);
        Dataset train = new Dataset(Init.normal(rng, 0, 1, g.n(), 60, 7), Init.normal(rng, 0.5, 0.1, g.n(), 60));
        Dataset test = new Dataset(Init.normal(rng, 0, 1, g.n(), 20, 7), Init.normal(rng, 0.5, 0.1, g.n(), 20));
        TrainingRun.Setup setup = new TrainingRun.Setup(g, ShiftOperator.NORMALIZED_LAPLACIAN, model, init, train, test, 10, 0.01, 8, 1, 3);
        TrainingRun.Result r = TrainingRun.run(setup, Scheme.D_SGD, null);
        assertThat(r.epochs()).hasSize(9);
        assertThat(r.last().testMse()).isFinite().isLessThan(0.8 * r.epochs().getFirst().testMse());
        assertThat(model.asked.get()).isPositive();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingRun.run(setup, Scheme.D_SGD, () -> TaskGraphs.barabasiAlbert(23, 2, 6), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Rewirable");
    }

    private static Trainer trainer(Graph g, Model m, Params init, Scheme scheme) {
        Params p = scheme.centralized() ? init.copy() : init.perNode(g.n());
        return new Trainer(Engine.synchronous(g, p), m, scheme, 0.002, ShiftOperator.metropolisHastings(g), 1);
    }
}
