package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Scheme;
import io.mycelium.train.Trainer;
import io.mycelium.train.TrainingRun;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Library entry points refuse rates and sizes outside their domain, naming the argument and the value. */
class ArgumentValidationTest {
    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    private static void refused(ThrowingCallable c, String argument, String value) {
        assertThatThrownBy(c).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(argument).hasMessageContaining(value);
    }

    @Test
    void optimizersCheckRateMomentsAndEpsilon() {
        for (double lr : new double[] {0, -0.1, NAN, INF}) {
            refused(() -> new Sgd(lr), "lr", String.valueOf(lr));
            refused(() -> new DSgd(lr), "lr", String.valueOf(lr));
            refused(() -> new Adam(lr, 0.9, 0.999, 1e-8, false), "lr", String.valueOf(lr));
            refused(() -> new DAmsGrad(lr, 0.9, 0.999, 1e-8), "lr", String.valueOf(lr));
        }
        for (double beta : new double[] {1, 1.5, -0.01, NAN}) {
            refused(() -> new Adam(0.1, beta, 0.999, 1e-8, true), "beta1", String.valueOf(beta));
            refused(() -> new Adam(0.1, 0.9, beta, 1e-8, true), "beta2", String.valueOf(beta));
            refused(() -> new DAmsGrad(0.1, beta, 0.999, 1e-8), "beta1", String.valueOf(beta));
            refused(() -> new DAmsGrad(0.1, 0.9, beta, 1e-8), "beta2", String.valueOf(beta));
        }
        for (double eps : new double[] {0, -1e-8, NAN, INF}) {
            refused(() -> new Adam(0.1, 0.9, 0.999, eps, false), "eps", String.valueOf(eps));
            refused(() -> new DAmsGrad(0.1, 0.9, 0.999, eps), "eps", String.valueOf(eps));
        }
        // the edges of the domain are accepted: β = 0 (no momentum), tiny positive rates
        assertThatCode(() -> new Adam(Double.MIN_VALUE, 0, 0, Double.MIN_VALUE, false)).doesNotThrowAnyException();
        assertThatCode(() -> new DAmsGrad(1e-300, 0, 0.999999, 1e-300)).doesNotThrowAnyException();
    }

    @Test
    void trainerTrainingRunAndDatasetCheckTheirArguments() {
        Graph g = Generators.path(4);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), new int[] {2, 3, 1}, new Activation[] {Activation.TANH, Activation.IDENTITY}, Gcnn.GLOROT);
        Params init = new Params();
        model.init(init, io.mycelium.tensor.Init.rng(1));
        Engine e = Engine.synchronous(g, init.perNode(4));
        var w = ShiftOperator.metropolisHastings(g);
        for (double lr : new double[] {0, -1, NAN, INF}) refused(() -> new Trainer(e, model, Scheme.D_SGD, lr, w, 1), "lr", String.valueOf(lr));
        refused(() -> new Trainer(e, model, Scheme.D_SGD, 0.1, w, 0), "consensus rounds K", "0");
        assertThatThrownBy(() -> new Trainer(e, null, Scheme.D_SGD, 0.1, w, 1)).isInstanceOf(NullPointerException.class).hasMessageContaining("model");

        double[] x = new double[4 * 5 * 2], y = new double[4 * 5];
        Dataset ok = new Dataset(Tensor.of(x.clone(), 4, 5, 2), Tensor.of(y.clone(), 4, 5));
        x[7] = NAN;
        refused(() -> new Dataset(Tensor.of(x, 4, 5, 2), Tensor.of(y, 4, 5)), "dataset x (features)", "NaN at index 7");
        y[3] = Double.NEGATIVE_INFINITY;
        refused(() -> new Dataset(Tensor.of(new double[40], 4, 5, 2), Tensor.of(y, 4, 5)), "dataset y (labels)", "-Infinity at index 3");

        refused(() -> new TrainingRun.Setup(g, ShiftOperator.NORMALIZED_LAPLACIAN, model, init, ok, ok, 2, 0, 1, 1, 1), "lr", "0.0");
        refused(() -> new TrainingRun.Setup(g, ShiftOperator.NORMALIZED_LAPLACIAN, model, init, ok, ok, 2, 0.1, 1, 0, 1), "consensusRounds", "0");

        refused(() -> new GraphTrainer.Config(10, 32, -0.002, 0.98, 200, 1e-4, 1), "lr", "-0.002");
        refused(() -> new GraphTrainer.Config(10, 0, 0.002, 0.98, 200, 1e-4, 1), "batchSize", "0");
        refused(() -> new GraphTrainer.Config(10, 32, 0.002, 1.5, 200, 1e-4, 1), "decayRate", "1.5");
        refused(() -> new GraphTrainer.Config(10, 32, 0.002, 0.98, 0, 1e-4, 1), "decayEvery", "0");
        refused(() -> new GraphTrainer.Config(10, 32, 0.002, 0.98, 200, NAN, 1), "weightDecay", "NaN");
        assertThatCode(GraphTrainer.Config::paper).doesNotThrowAnyException();
    }
}
