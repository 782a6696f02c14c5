package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.task.hogwild.HogwildTask;
import io.mycelium.task.hogwild.Models;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's gradient of every registered model (implicit ones by implicit differentiation,
 * explicit ones by backprop) against central differences of the loss at the converged fixed point,
 * on small random graphs with node and edge features. Up to 12 entries per parameter tensor are
 * checked, to keep the solves few.
 */
class RegisteredModelsGradientTest {
    static Stream<String> models() { return Models.all().stream().map(Models.Entry::id); }

    @ParameterizedTest
    @MethodSource("models")
    void gradientMatchesFiniteDifferences(String id) {
        UniformRandomProvider r = Init.rng(id.hashCode());
        List<GraphSample> data = ImplicitTrainingTest.samples(ImplicitTrainingTest.Kind.REGRESSION, 3, r);
        symmetrize(data);
        HogwildTask task = new HogwildTask("t", "t", data, 3, 2, Objective.regression(1, false));
        GraphNet net = Models.get(id).net(task, GraphNet.Solver.of(1e-13, 50_000));
        GraphTrainer tr = new GraphTrainer(net, task.objective(), null, data, GraphTrainer.Config.paper().withBatchSize(8).withSeed(2));
        // Zero-initialized biases on a dead (all-zero) ReLU state put pre-activations exactly on the
        // kink, where a central difference sees slope 1/2: move every parameter off it first.
        for (Tensor t : tr.params().asMap().values()) {
            double[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] += 0.05 * (r.nextDouble() - 0.5);
        }
        net.project(tr.params());
        BatchContext ctx = tr.contexts(data).getFirst();
        Params g = new Params();
        tr.lossAndGradient(ctx, g);
        assertThat(ctx.converged()).isTrue();
        double num = 0, den = 0;
        double eps = 1e-6;
        for (String n : tr.params().names()) {
            double[] p = tr.params().get(n).data(), gr = g.get(n).data();
            int stride = Math.max(1, p.length / 12);
            for (int i = 0; i < p.length; i += stride) {
                double keep = p[i];
                p[i] = keep + eps;
                double plus = ImplicitTrainingTest.loss(tr, ImplicitTrainingTest.Kind.REGRESSION, ctx);
                p[i] = keep - eps;
                double minus = ImplicitTrainingTest.loss(tr, ImplicitTrainingTest.Kind.REGRESSION, ctx);
                p[i] = keep;
                double fd = (plus - minus) / (2 * eps);
                num += (fd - gr[i]) * (fd - gr[i]);
                den += Math.max(fd * fd, gr[i] * gr[i]);
            }
        }
        assertThat(den).isGreaterThan(0);
        assertThat(Math.sqrt(num / den)).as(id + " relative error").isLessThanOrEqualTo(1e-6);
    }

    /** Energy GNNs need e_ji = e_ij (a distance is); make the random edge features symmetric. */
    static void symmetrize(List<GraphSample> data) {
        for (GraphSample s : data) {
            int[] rev = s.graph().reverseEdges();
            Tensor e = s.edges();
            for (int p = 0; p < rev.length; p++)
                if (rev[p] > p) for (int c = 0; c < e.dim(1); c++) e.set(e.get(p, c), rev[p], c);
        }
    }
}
