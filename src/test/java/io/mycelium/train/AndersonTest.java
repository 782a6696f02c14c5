package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.energy.EnergyGnn;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Accelerated solves reach the plain iteration's fixed point and adjoint, with fewer applications of the map. */
class AndersonTest {
    @ParameterizedTest
    @ValueSource(strings = {"ignn", "gsdgnn", "energy-edge", "tanh"})
    void acceleratedSolvesAgreeWithPlainIteration(String which) {
        UniformRandomProvider r = Init.rng(which.hashCode());
        List<GraphSample> s = ImplicitTrainingTest.samples(ImplicitTrainingTest.Kind.REGRESSION, 4, r);
        GraphBatch b = GraphBatch.of(s);
        ImplicitModel m = switch (which) {
            case "ignn" -> Ignn.paper(3, 1);
            case "gsdgnn" -> GsdGnn.paper(3, 1);
            case "energy-edge" -> new EnergyGnn(EnergyGnn.Variant.EDGE_WISE, 3, 2, 1);
            default -> TanhFixedPointModel.factory(3, 2, 3, 1).apply(b.graph());
        };
        Params p = new Params();
        m.init(p, r);
        BatchContext ctx = new BatchContext(b, p);
        Host host = Engine.synchronous(b.graph(), p).hosts().getFirst();
        Tensor h0 = Tensor.zeros(b.n(), m.stateWidth());
        FixedPoint.Solve plain = FixedPoint.forward(host, m, ctx::input, h0, 1e-12, 100_000, 0);
        FixedPoint.Solve fast = FixedPoint.forward(host, m, ctx::input, h0, 1e-12, 100_000, 5);
        assertThat(plain.converged()).isTrue();
        assertThat(fast.converged()).isTrue();
        assertThat(fast.h().maxAbsDiff(plain.h())).isLessThan(1e-9);
        assertThat(fast.iterations()).isLessThanOrEqualTo(plain.iterations());
        Tensor dOut = Init.normal(r, 0, 1, b.n(), 1);
        FixedPoint.Gradient gp = FixedPoint.backward(host, m, ctx::input, plain.h(), dOut, null, 1e-12, 100_000, 0);
        FixedPoint.Gradient gf = FixedPoint.backward(host, m, ctx::input, plain.h(), dOut, null, 1e-12, 100_000, 5);
        assertThat(gf.converged()).isTrue();
        assertThat(ImplicitTrainingTest.relError(gf.grads(), gp.grads())).isLessThan(1e-8);
        if (which.equals("energy-edge")) assertThat(fast.iterations()).as("slow contraction, much faster").isLessThan(plain.iterations() / 3);
    }
}
