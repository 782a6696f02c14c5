package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
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
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Energy GNNs: the explicit gradient is the gradient of the energy, the step is a differentiable
 * program whose tape gradients match finite differences, the projected energy is convex, the
 * iteration converges to one fixed point (the minimizer) from any start, and the per-node engine
 * computes the same numbers as the synchronous one.
 */
class EnergyGnnTest {
    static final double FD = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (EnergyGnn.Variant v : EnergyCase.VARIANTS) for (long s = 0; s < 4; s++) a.add(Arguments.of(v, s));
        return a.stream();
    }

    static Host host(EnergyCase c) { return Engine.synchronous(c.g(), c.params()).hosts().getFirst(); }

    /** Σ_i e_i at h (synchronous host). */
    static double energy(EnergyCase c, Host host, Tensor h) {
        Tape t = host.newTape();
        return c.model().energy(t, t.constant(h), c.input(t, host)).value().sum();
    }

    static double relErr(double[] a, double[] b) {
        double num = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return Math.sqrt(num) / Math.max(1e-300, Math.max(Math.sqrt(na), Math.sqrt(nb)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void explicitGradientIsTheGradientOfTheEnergy(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        UniformRandomProvider rng = Init.rng(seed + 7);
        Tensor h = Init.normal(rng, 0, 1, c.n(), c.model().embeddingWidth());
        Tape t = host.newTape();
        double[] g = c.model().gradient(t, t.constant(h), c.input(t, host)).value().data().clone();
        double[] fd = new double[g.length];
        for (int q = 0; q < g.length; q++) {
            double keep = h.data()[q];
            h.data()[q] = keep + FD;
            double plus = energy(c, host, h);
            h.data()[q] = keep - FD;
            double minus = energy(c, host, h);
            h.data()[q] = keep;
            fd[q] = (plus - minus) / (2 * FD);
        }
        assertThat(relErr(g, fd)).as("‖∇E − FD‖/‖∇E‖").isLessThanOrEqualTo(1e-6);
        assertThat(Math.sqrt(dot(g, g))).isGreaterThan(1e-3);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void stepFromConsistentStateIsAnExactGradientStep(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        Tensor h = Init.normal(Init.rng(seed + 11), 0, 1, c.n(), c.model().embeddingWidth());
        Tape t = host.newTape();
        GraphInput in = c.input(t, host);
        Var hv = t.constant(h);
        Tensor next = c.model().step(t, c.model().consistentState(t, hv, in), in).value();
        Tensor grad = c.model().gradient(t, hv, in).value();
        int k = c.model().embeddingWidth(), w = c.model().stateWidth();
        double alpha = c.model().config().alpha(), worst = 0;
        for (int i = 0; i < c.n(); i++)
            for (int q = 0; q < k; q++)
                worst = Math.max(worst, Math.abs(next.data()[i * w + q] - (h.data()[i * k + q] - alpha * grad.data()[i * k + q])));
        assertThat(worst).isLessThanOrEqualTo(1e-12);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void stepGradientsMatchFiniteDifferences(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        UniformRandomProvider rng = Init.rng(seed + 13);
        Tensor s = Init.normal(rng, 0, 1, c.n(), c.model().stateWidth());
        Tensor outSeed = Init.normal(rng, 0, 1, c.n(), c.model().stateWidth());
        Tape t = host.tape();
        Var sv = t.variable(s);
        Var out = c.model().step(t, sv, c.input(t, host));
        t.vjp(out, outSeed);
        double[] gs = sv.grad().data().clone();
        Params gp = t.paramGrads();
        Function<Tensor, Double> f = unused -> {
            Tape u = host.newTape();
            return dot(c.model().step(u, u.constant(s), c.input(u, host)).value().data(), outSeed.data());
        };
        List<Double> tape = new ArrayList<>(), num = new ArrayList<>();
        for (int q = 0; q < gs.length; q++) {
            tape.add(gs[q]);
            num.add(fd(s.data(), q, () -> f.apply(null)));
        }
        for (String name : c.params().names()) {
            double[] w = c.params().get(name).data(), g = gp.get(name).data();
            for (int q = 0; q < w.length; q++) {
                tape.add(g[q]);
                num.add(fd(w, q, () -> f.apply(null)));
            }
        }
        double[] a = tape.stream().mapToDouble(Double::doubleValue).toArray(), b = num.stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(relErr(a, b)).as("step: tape vs finite differences over state and parameters").isLessThanOrEqualTo(1e-6);
        assertThat(gp.get("m.l0.wy").maxAbs()).as("the message network receives gradient").isGreaterThan(0);
        if (v == EnergyGnn.Variant.ATTENTION) assertThat(gp.get("att.a").maxAbs()).as("attention receives gradient").isGreaterThan(0);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void projectedEnergyIsConvexAlongRandomSegments(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        UniformRandomProvider rng = Init.rng(seed + 17);
        int k = c.model().embeddingWidth();
        for (int seg = 0; seg < 5; seg++) {
            Tensor a = Init.normal(rng, 0, 3, c.n(), k), b = Init.normal(rng, 0, 3, c.n(), k);
            double ea = energy(c, host, a), eb = energy(c, host, b);
            for (int q = 1; q < 10; q++) {
                double lam = q / 10.0;
                Tensor m = Tensor.zeros(c.n(), k);
                for (int z = 0; z < m.size(); z++) m.data()[z] = lam * a.data()[z] + (1 - lam) * b.data()[z];
                double chord = lam * ea + (1 - lam) * eb, em = energy(c, host, m);
                // strong convexity: E(λa + (1−λ)b) ≤ chord − β/2 λ(1−λ)‖a − b‖²
                double dist2 = 0;
                for (int z = 0; z < m.size(); z++) dist2 += (a.data()[z] - b.data()[z]) * (a.data()[z] - b.data()[z]);
                double strong = chord - c.model().config().beta() / 2 * lam * (1 - lam) * dist2;
                assertThat(em).as("segment %d, λ=%.1f", seg, lam).isLessThanOrEqualTo(strong + 1e-9 * Math.max(1, Math.abs(chord)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void iterationReachesTheUniqueMinimizerFromAnyStart(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        UniformRandomProvider rng = Init.rng(seed + 19);
        Tensor first = null;
        for (int start = 0; start < 3; start++) {
            Tensor s = start == 0 ? Tensor.zeros(c.n(), c.model().stateWidth()) : Init.normal(rng, 0, 5, c.n(), c.model().stateWidth());
            Tensor fix = solve(c, host, s, 1e-11, 200_000);
            if (first == null) first = fix;
            else assertThat(fix.maxAbsDiff(first)).as("fixed point from start %d", start).isLessThanOrEqualTo(1e-8);
        }
        // the fixed point minimizes E: the exact gradient vanishes there
        Tape t = host.newTape();
        Var h = t.slice(t.constant(first), 0, c.model().embeddingWidth());
        assertThat(c.model().gradient(t, h, c.input(t, host)).value().maxAbs()).isLessThanOrEqualTo(1e-8);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void unprojectedWeightsBreakConvexityAndProjectionRestoresIt(EnergyGnn.Variant v, long seed) {
        // the convexity check has teeth: random signs make E non-convex somewhere, project() fixes it
        EnergyCase c = EnergyCase.random(seed, v, EnergyGnn.Config.paper(v).withBeta(0));
        UniformRandomProvider rng = Init.rng(seed + 23);
        for (Tensor w : c.params().asMap().values()) for (int q = 0; q < w.size(); q++) w.data()[q] = 6 * (rng.nextDouble() - 0.5);
        Host host = host(c);
        int k = c.model().embeddingWidth();
        List<Tensor[]> segments = new ArrayList<>();
        for (int seg = 0; seg < 150; seg++) segments.add(new Tensor[] {Init.normal(rng, 0, 3, c.n(), k), Init.normal(rng, 0, 3, c.n(), k)});
        assertThat(midpointViolations(c, host, segments)).as("violations before projection").isGreaterThan(0);
        c.model().project(c.params());
        assertThat(midpointViolations(c, host, segments)).as("violations after projection").isZero();
    }

    static int midpointViolations(EnergyCase c, Host host, List<Tensor[]> segments) {
        int bad = 0;
        for (Tensor[] ab : segments) {
            Tensor m = Tensor.zeros(ab[0].shape());
            for (int z = 0; z < m.size(); z++) m.data()[z] = 0.5 * (ab[0].data()[z] + ab[1].data()[z]);
            double chord = 0.5 * (energy(c, host, ab[0]) + energy(c, host, ab[1]));
            if (energy(c, host, m) > chord + 1e-9 * Math.max(1, Math.abs(chord))) bad++;
        }
        return bad;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void perNodeEngineMatchesSynchronous(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        UniformRandomProvider rng = Init.rng(seed + 29);
        Tensor s0 = Init.normal(rng, 0, 1, c.n(), c.model().stateWidth());
        Tensor seedOut = Init.normal(rng, 0, 1, c.n(), c.model().stateWidth());
        Run sync = iterate(Engine.synchronous(c.g(), c.params()), c, s0, seedOut, 20);
        // the per-node engine gives every device its own copy of θ (all equal here)
        Run per = iterate(Engine.perNode(c.g(), c.params().perNode(c.n())), c, s0, seedOut, 20);
        assertThat(per.state().maxAbsDiff(sync.state())).isLessThanOrEqualTo(1e-12 * Math.max(1, sync.state().maxAbs()));
        assertThat(per.stateGrad().maxAbsDiff(sync.stateGrad())).isLessThanOrEqualTo(1e-12 * Math.max(1, sync.stateGrad().maxAbs()));
        for (String name : sync.paramGrads().names()) {
            Tensor a = sync.paramGrads().get(name), b = per.paramGrads().get(name);
            assertThat(b.maxAbsDiff(a)).as(name).isLessThanOrEqualTo(1e-12 * Math.max(1, a.maxAbs()));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void oneStepIsOneRoundOfFixedSizePackets(EnergyGnn.Variant v, long seed) {
        EnergyCase c = EnergyCase.random(seed, v);
        Engine e = Engine.perNode(c.g(), c.params().perNode(c.n()));
        Tensor s0 = Init.normal(Init.rng(seed + 37), 0, 1, c.n(), c.model().stateWidth());
        e.run(h -> {
            Tape t = h.tape();
            return c.model().step(t, t.constant(h.rows(s0)), c.input(t, h)).value();
        });
        io.mycelium.comm.Counters k = e.counters();
        assertThat(k.rounds()).as("rounds of one step").isEqualTo(1);
        // every node broadcasts one packet (h, w̃, and x or its own message) to its neighbours
        int payload = v == EnergyGnn.Variant.NODE_WISE ? c.model().stateWidth() - c.model().embeddingWidth() : c.x().dim(1);
        assertThat(k.broadcasts()).isEqualTo(c.n());
        assertThat(k.floats()).isEqualTo((long) c.n() * (c.model().stateWidth() + payload));
    }

    /** After {@code steps} iterations: the state, and the vector–Jacobian product of one more step (state and summed parameter gradients). */
    record Run(Tensor state, Tensor stateGrad, Params paramGrads) {}

    static Run iterate(Engine e, EnergyCase c, Tensor s0, Tensor seedOut, int steps) {
        record Part(Tensor s, Tensor gs, Params gp) {}
        List<Part> parts = e.run(h -> {
            Tensor s = h.rows(s0).copy();
            for (int it = 0; it < steps; it++) {
                Tape t = h.tape();
                s = c.model().step(t, t.constant(s), c.input(t, h)).value().copy();
            }
            Tape t = h.tape();
            Var sv = t.variable(s);
            t.vjp(c.model().step(t, sv, c.input(t, h)), h.rows(seedOut));
            return new Part(s, sv.grad().copy(), t.paramGrads());
        });
        Params sum = parts.getFirst().gp().zerosLike();
        for (Part p : parts)
            for (String n : sum.names()) {
                double[] acc = sum.get(n).data(), g = p.gp().get(n).data();
                for (int q = 0; q < acc.length; q++) acc[q] += g[q];
            }
        return new Run(e.gather(parts.stream().map(Part::s).toList()), e.gather(parts.stream().map(Part::gs).toList()), sum);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void curvatureBoundHoldsAndTheDefaultStepIsWellInsideIt(EnergyGnn.Variant v, long seed) {
        // power iteration on Hessian–vector products (the tape's derivative of the explicit gradient)
        EnergyCase c = EnergyCase.random(seed, v);
        Host host = host(c);
        UniformRandomProvider rng = Init.rng(seed + 31);
        int k = c.model().embeddingWidth();
        double worst = 0;
        for (int trial = 0; trial < 3; trial++) {
            Tensor h = Init.normal(rng, 0, 3, c.n(), k), x = Init.normal(rng, 0, 1, c.n(), k);
            double lam = 0;
            for (int it = 0; it < 60; it++) {
                Tape t = host.newTape();
                Var hv = t.variable(h);
                t.vjp(c.model().gradient(t, hv, c.input(t, host)), x);
                double[] hx = hv.grad().data();
                double nx = Math.sqrt(dot(x.data(), x.data())), nh = Math.sqrt(dot(hx, hx));
                lam = nh / nx;
                for (int q = 0; q < hx.length; q++) x.data()[q] = hx[q] / nh;
            }
            worst = Math.max(worst, lam);
        }
        double bound = c.model().curvatureBound(c.params(), c.g().maxDegree()) + c.model().config().beta();
        assertThat(worst).as("‖∇²E‖ (power iteration) vs the weight-norm bound").isLessThanOrEqualTo(bound);
        assertThat(worst).as("‖∇²E‖ ≥ β (strong convexity)").isGreaterThanOrEqualTo(c.model().config().beta() * (1 - 1e-9));
        assertThat(c.model().config().alpha() * worst).as("α‖∇²E‖ for the default α").isLessThan(1);
        assertThat(c.model().provableStepSize(c.params(), c.g().maxDegree())).isPositive();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void isolatedNodesConvergeToTheirOwnMinimizer(EnergyGnn.Variant v, long seed) {
        // chains of one node (the count task) have no neighbours: no attention weights, no messages
        io.mycelium.graph.Graph g = io.mycelium.graph.Graph.fromEdges(5, new int[] {0, 1}, new int[] {1, 2});
        EnergyGnn m = new EnergyGnn(v, 2, 1, 1);
        Params p = new Params();
        m.init(p, Init.rng(seed));
        Tensor x = Init.normal(Init.rng(seed + 1), 0, 1, 5, 2), e = Tensor.full(0.5, g.directedEdgeCount(), 1);
        EnergyCase c = new EnergyCase(g, m, p, x, e);
        Tensor fix = solve(c, host(c), Tensor.zeros(5, m.stateWidth()), 1e-11, 100_000);
        for (double val : fix.data()) assertThat(Double.isFinite(val)).isTrue();
        Tape t = host(c).newTape();
        Var h = t.slice(t.constant(fix), 0, m.embeddingWidth());
        assertThat(m.gradient(t, h, c.input(t, host(c))).value().maxAbs()).isLessThanOrEqualTo(1e-8);
        Run sync = iterate(Engine.synchronous(g, p), c, fix, fix, 5), per = iterate(Engine.perNode(g, p.perNode(5)), c, fix, fix, 5);
        assertThat(per.state().maxAbsDiff(sync.state())).isLessThanOrEqualTo(1e-12);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void atInitialisationTheReadoutIsNotSaturatedAtTheMinimizer(EnergyGnn.Variant v, long seed) {
        // |h*| is O(1/β) ≈ 25: a readout at the usual scale would start saturated (zero sensitivity)
        EnergyGnn m = new EnergyGnn(v, 1, 1, 1);
        Params p = new Params();
        m.init(p, Init.rng(seed));
        m.project(p);
        int len = 12;
        int[] a = new int[len - 1], b = new int[len - 1];
        for (int i = 0; i < len - 1; i++) { a[i] = i; b[i] = i + 1; }
        io.mycelium.graph.Graph g = io.mycelium.graph.Graph.fromEdges(len, a, b);
        Tensor x = Tensor.zeros(len, 1);
        UniformRandomProvider rng = Init.rng(seed + 41);
        for (int i = 0; i < len; i++) x.data()[i] = rng.nextBoolean() ? 1 : 0;
        EnergyCase c = new EnergyCase(g, m, p, x, Tensor.full(1.0, g.directedEdgeCount(), 1));
        Host host = host(c);
        Tensor fix = solve(c, host, Tensor.zeros(len, m.stateWidth()), 1e-10, 100_000);
        double hmax = 0;
        for (int i = 0; i < len; i++) for (int q = 0; q < m.embeddingWidth(); q++) hmax = Math.max(hmax, Math.abs(fix.get(i, q)));
        assertThat(hmax).as("max |h*|").isGreaterThan(1e-3);
        Tape t = host.newTape();
        Var s = t.variable(fix);
        t.backward(m.readout(t, s, c.input(t, host)));
        // ~β·O(1) when unsaturated; a saturated tanh layer at |h| ≈ 25 would give ~e^-40
        assertThat(s.grad().maxAbs()).as("readout sensitivity to the embedding").isGreaterThan(1e-3);
    }

    /** Iterates step until no entry changes by more than tol. */
    static Tensor solve(EnergyCase c, Host host, Tensor s0, double tol, int maxIter) {
        Tensor s = s0.copy();
        for (int it = 0; it < maxIter; it++) {
            Tape t = host.tape();
            Tensor next = c.model().step(t, t.constant(s), c.input(t, host)).value();
            double change = next.maxAbsDiff(s);
            s.copyFrom(next);
            if (change <= tol) return s;
        }
        throw new AssertionError("no convergence in " + maxIter + " steps");
    }

    static double fd(double[] x, int q, java.util.function.DoubleSupplier f) {
        double keep = x[q];
        x[q] = keep + FD;
        double plus = f.getAsDouble();
        x[q] = keep - FD;
        double minus = f.getAsDouble();
        x[q] = keep;
        return (plus - minus) / (2 * FD);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
