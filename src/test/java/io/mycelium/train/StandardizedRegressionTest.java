package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Generators;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Regression fitted to its training targets: outputs are standardized predictions, the metric is the raw objective's on center + scale · output. */
class StandardizedRegressionTest {

    static List<GraphSample> samples(UniformRandomProvider r, int count) {
        List<GraphSample> out = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            int n = 2 + r.nextInt(4);
            out.add(new GraphSample(Generators.path(n), Tensor.zeros(n, 1), null, Tensor.full(20 + 10 * r.nextDouble(), n, 1)));
        }
        return out;
    }

    @Test
    void fitsMeanAndStdOfTheTrainingTargetsAndScoresThePredictionsItStandsFor() {
        UniformRandomProvider r = Init.rng(5);
        List<GraphSample> train = samples(r, 12);
        Objective.Regression fit = (Objective.Regression) Objective.regression(1, false).fitTo(train);
        double s = 0, s2 = 0, m = 0;
        for (GraphSample g : train) for (double v : g.y().data()) { s += v; s2 += v * v; m++; }
        double mean = s / m;
        assertThat(fit.center()).isCloseTo(mean, within(1e-12));
        assertThat(fit.scale()).isCloseTo(Math.sqrt(s2 / m - mean * mean), within(1e-9));

        GraphBatch b = GraphBatch.of(samples(r, 5));
        Tensor out = Init.uniform(r, -2, 2, b.n(), 1), pred = out.copy();
        for (int i = 0; i < pred.size(); i++) pred.data()[i] = fit.prediction(out.data()[i]);
        Objective raw = Objective.regression(1, false);
        double[] a = new double[2], c = new double[2];
        fit.accumulate(b, out, a);
        raw.accumulate(b, pred, c);
        assertThat(fit.finish(a)).isCloseTo(raw.finish(c), within(1e-9));
        // the loss is the raw MSE of the predictions over scale²
        double lf = fit.loss(b, out, Tensor.zeros(out.shape())), lr = raw.loss(b, pred, Tensor.zeros(pred.shape()));
        assertThat(lf).isCloseTo(lr / (fit.scale() * fit.scale()), within(1e-9));
    }

    @Test
    void lossGradientMatchesFiniteDifferences() {
        UniformRandomProvider r = Init.rng(6);
        Objective fit = Objective.regression(1, false).fitTo(samples(r, 8));
        GraphBatch b = GraphBatch.of(samples(r, 3));
        Tensor out = Init.uniform(r, -2, 2, b.n(), 1), g = Tensor.zeros(out.shape());
        fit.loss(b, out, g);
        double eps = 1e-6;
        for (int i = 0; i < out.size(); i++) {
            double v = out.data()[i];
            out.data()[i] = v + eps;
            double plus = fit.loss(b, out, Tensor.zeros(out.shape()));
            out.data()[i] = v - eps;
            double minus = fit.loss(b, out, Tensor.zeros(out.shape()));
            out.data()[i] = v;
            assertThat(g.data()[i]).isCloseTo((plus - minus) / (2 * eps), within(1e-7));
        }
    }

    @Test
    void constantTargetsKeepUnitScaleAndOtherObjectivesAreUnchanged() {
        List<GraphSample> same = List.of(new GraphSample(Generators.path(3), Tensor.zeros(3, 1), null, Tensor.full(7, 3, 1)));
        Objective.Regression fit = (Objective.Regression) Objective.regression(1, false).fitTo(same);
        assertThat(fit.center()).isEqualTo(7);
        assertThat(fit.scale()).isEqualTo(1);
        Objective bin = Objective.binaryClassification(false);
        assertThat(bin.fitTo(same)).isSameAs(bin);
    }
}
