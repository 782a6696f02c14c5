package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.autodiff.Tape;
import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.model.GraphInput;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Energy GNNs on the asynchronous engine: lockstep is the synchronous iteration bit for bit, and
 * under stagger, history and delay up to 20 (and message loss) the run reaches the synchronous
 * fixed point, i.e. the minimizer of the energy (the paper's Proposition 4.2).
 */
class EnergyAsyncTest {

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (EnergyGnn.Variant v : EnergyCase.VARIANTS) for (long s = 0; s < 4; s++) a.add(Arguments.of(v, s));
        return a.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void lockstepIsTheSynchronousIterationBitForBit(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        int steps = 7 + (int) seed;
        Host host = Engine.synchronous(c.g(), c.params()).hosts().getFirst();
        Tensor s = Tensor.zeros(c.n(), c.model().stateWidth());
        for (int it = 0; it < steps; it++) {
            Tape t = host.tape();
            s = c.model().step(t, t.constant(s), c.input(t, host)).value().copy();
        }
        AsyncRun run = new AsyncEngine(c.g(), c.params(), AsyncSchedule.synchronous()).runImplicit(c.model(), c.x(), c.e(), null, 0, steps);
        assertThat(run.state().bitwiseEquals(s)).isTrue();
        assertThat(run.totalUpdates()).isEqualTo((long) steps * c.n());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void staleViewsReachTheSynchronousFixedPoint(EnergyGnn.Variant v, long seed) {
        // seed 0 runs the paper's β = 0.04; the others β = 0.2, which shortens the runs (rate ≈ 1 − αβ per update)
        EnergyGnn.Config cfg = seed == 0 ? EnergyGnn.Config.paper(v) : EnergyGnn.Config.paper(v).withBeta(0.2);
        EnergyCase c = EnergyCase.random(100 + seed, v, cfg);
        Host host = Engine.synchronous(c.g(), c.params()).hosts().getFirst();
        Tensor fixed = EnergyGnnTest.solve(c, host, Tensor.zeros(c.n(), c.model().stateWidth()), 1e-13, 200_000);
        Tape t = host.newTape();
        GraphInput in = c.input(t, host);
        Tensor out = c.model().readout(t, t.constant(fixed), in).value().copy();
        assertThat(fixed.maxAbs()).as("a non-trivial fixed point").isGreaterThan(1e-3);

        UniformRandomProvider r = Init.rng(seed + 5);
        AsyncSchedule s = AsyncSchedule.of(2 + r.nextInt(19), 2 + r.nextInt(19), seed);
        if (seed % 2 == 1) s = s.withDelay(1 + r.nextInt(20)).withLoss(0.3 * r.nextDouble());
        AsyncRun run = new AsyncEngine(c.g(), c.params(), s).runImplicit(c.model(), c.x(), c.e(), null, 1e-11, 400_000);
        assertThat(run.converged()).as(s.toString()).isTrue();
        assertThat(run.state().maxAbsDiff(fixed)).as("state, " + s).isLessThanOrEqualTo(1e-6);
        assertThat(run.output().maxAbsDiff(out)).as("output, " + s).isLessThanOrEqualTo(1e-6);
        assertThat(run.maxStaleness()).as("the schedule was really stale (a read of the latest value has age 1)").isGreaterThan(1);
    }
}
