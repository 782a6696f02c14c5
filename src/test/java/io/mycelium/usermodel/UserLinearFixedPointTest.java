package io.mycelium.usermodel;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncOptions;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.GraphInput;
import io.mycelium.model.LinearFixedPoint;
import io.mycelium.model.LinearForm;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fixed-point model written outside Mycelium's packages, in the shape a user would write it, gets
 * the asynchronous engine's fast kernel by implementing {@link LinearFixedPoint} — and the kernel
 * runs exactly the model's own step: bit for bit the generic tick loop (which records {@code step}
 * on a tape every tick) under lossy, delayed and lossless schedules, and, in lockstep, the plain
 * iteration h ← φ(c·Â h M + x V) written out below from its definition.
 */
class UserLinearFixedPointTest {
    /**
     * h ← φ(Â h W + x V) (matrix form) or h ← φ(c·Â h + x V) (scaled form), with Â = D^-½ A D^-½ (not
     * the renormalized adjacency IGNN uses; no self term), a linear encoder V and a linear readout U.
     * Â has weighted block-maximum norm 1 (weights D^½ 1), so ‖W‖₁ ≤ 0.9 (projected) or |c| ≤ 0.9
     * and a 1-Lipschitz φ make the step a contraction, also asynchronously.
     */
    static final class DampedDiffusion implements LinearFixedPoint {
        final int in, k;
        final boolean matrix;
        final double c;
        final Activation phi;
        final AtomicInteger steps = new AtomicInteger(), forms = new AtomicInteger();
        private Operator shift;

        DampedDiffusion(int in, int k, boolean matrix, double c, Activation phi) {
            this.in = in;
            this.k = k;
            this.matrix = matrix;
            this.c = c;
            this.phi = phi;
        }

        synchronized Operator shift(Graph g) {
            if (shift == null || shift.graph() != g) shift = ShiftOperator.NORMALIZED_ADJACENCY.of(g);
            return shift;
        }

        @Override
        public void init(Params p, UniformRandomProvider rng) {
            p.add("dd.V", Init.normal(rng, 0, 0.7, 1, in, k));
            if (matrix) p.add("dd.W", Init.normal(rng, 0, 1, 1, k, k));
            p.add("dd.U", Init.normal(rng, 0, 1, 1, k, 1));
        }

        /** Scales every column of W whose absolute sum exceeds 0.9 down to 0.9. */
        @Override
        public void project(Params p) {
            if (!matrix) return;
            double[] w = p.get("dd.W").data();
            for (int q = 0; q < k; q++) {
                double s = 0;
                for (int a = 0; a < k; a++) s += Math.abs(w[a * k + q]);
                if (s > 0.9) for (int a = 0; a < k; a++) w[a * k + q] *= 0.9 / s;
            }
        }

        @Override
        public int stateWidth() { return k; }

        @Override
        public Var step(Tape t, Var h, GraphInput input) {
            steps.incrementAndGet();
            Var agg = t.exchange(h, shift(t.partition().graph()));
            Var lin = matrix ? t.matmul(agg, t.param("dd.W")) : t.scale(agg, c);
            return phi.apply(t, t.add(lin, t.matmul(input.nodes(), t.param("dd.V"))));
        }

        @Override
        public LinearForm linearForm(Tape t, GraphInput input) {
            forms.incrementAndGet();
            Operator s = shift(t.partition().graph());
            Tensor e = t.matmul(input.nodes(), t.param("dd.V")).value();
            return matrix ? LinearForm.matrix(s, t.param("dd.W").value(), e, phi) : LinearForm.scaled(s, c, e, phi);
        }

        @Override
        public Var readout(Tape t, Var h, GraphInput input) { return t.matmul(h, t.param("dd.U")); }

        @Override
        public String toString() { return (matrix ? "W" : "c=" + c) + ", " + phi + ", k=" + k; }
    }

    /** k = 3 takes the scalar form; 8 and 16 the vector forms (one or two vectors per row on 512-bit lanes). */
    static Stream<DampedDiffusion> models() {
        return Stream.of(
                new DampedDiffusion(3, 3, true, 0, Activation.TANH),
                new DampedDiffusion(2, 8, true, 0, Activation.RELU),
                new DampedDiffusion(4, 16, true, 0, Activation.TANH),
                new DampedDiffusion(3, 5, false, -0.85, Activation.TANH),
                new DampedDiffusion(3, 16, false, 0.9, Activation.RELU));
    }

    @ParameterizedTest
    @MethodSource("models")
    void theFastKernelRunsTheModelsOwnStep(DampedDiffusion m) {
        UniformRandomProvider r = Init.rng(m.k * 31L + (m.matrix ? 1 : 2));
        Graph g = TestGraphs.connected(40, 0.08, m.k);
        Tensor x = Init.normal(r, 0, 1, g.n(), m.in);
        Params p = m.init(r);
        Tensor h0 = Init.normal(r, 0, 1, g.n(), m.k);

        // lockstep: the plain iteration from its definition, and the model's own synchronous tape steps
        int ticks = 12;
        m.steps.set(0);
        AsyncRun lock = new AsyncEngine(g, p, AsyncSchedule.synchronous()).runImplicit(m, x, null, h0, 0, ticks);
        assertThat(m.steps.get()).as("the fast kernel never records the step").isZero();
        assertThat(m.forms.get()).isEqualTo(1);
        assertThat(lock.state().maxAbsDiff(plainIteration(g, p, m, x, h0, ticks))).isLessThan(1e-12);
        assertThat(lock.state().bitwiseEquals(tapeIteration(g, p, m, x, h0, ticks))).isTrue();

        // asynchronous: fused against the generic tick loop, with loss and delay, and lossless (wavefront)
        for (AsyncSchedule s : new AsyncSchedule[] {AsyncSchedule.of(3, 3, 5).withLoss(0.15).withDelay(2), AsyncSchedule.of(4, 3, 6)}) {
            m.steps.set(0);
            AsyncRun fused = new AsyncEngine(g, p, s).runImplicit(m, x, null, h0, 1e-10, 4000);
            assertThat(m.steps.get()).isZero();
            AsyncRun generic = new AsyncEngine(g, p, s, AsyncOptions.defaults().withFused(false)).runImplicit(m, x, null, h0, 1e-10, 4000);
            assertThat(m.steps.get()).as("the generic loop records the step at every tick with updates").isEqualTo(generic.rounds()).isPositive();
            assertThat(fused.converged()).isTrue();
            assertThat(fused.state().bitwiseEquals(generic.state())).as(s.toString()).isTrue();
            assertThat(fused.output().bitwiseEquals(generic.output())).isTrue();
            assertThat(fused.ticks()).isEqualTo(generic.ticks());
            assertThat(fused.updates()).containsExactly(generic.updates());
            assertThat(fused.staleness()).containsExactly(generic.staleness());
            assertThat(fused.trace()).containsExactly(generic.trace());
            assertThat(fused.rounds()).isEqualTo(generic.rounds());
        }
    }

    /** h ← φ(M-applied Σ_j Â_ij h_j + x_i V), every node at every step, from the model's definition. */
    static Tensor plainIteration(Graph g, Params p, DampedDiffusion m, Tensor x, Tensor h0, int steps) {
        int n = g.n(), k = m.k, in = m.in;
        int[] off = g.offsets(), nb = g.neighbours();
        double[] v = p.get("dd.V").data(), w = m.matrix ? p.get("dd.W").data() : null, xs = x.data();
        double[] h = h0.data().clone();
        for (int it = 0; it < steps; it++) {
            double[] nh = new double[n * k];
            for (int i = 0; i < n; i++) {
                double[] agg = new double[k];
                for (int e = off[i]; e < off[i + 1]; e++) {
                    int j = nb[e];
                    double a = 1 / Math.sqrt((double) g.degree(i) * g.degree(j));
                    for (int q = 0; q < k; q++) agg[q] += a * h[j * k + q];
                }
                for (int q = 0; q < k; q++) {
                    double s = 0;
                    if (w == null) s = m.c * agg[q];
                    else for (int a = 0; a < k; a++) s += agg[a] * w[a * k + q];
                    for (int f = 0; f < in; f++) s += xs[i * in + f] * v[f * k + q];
                    nh[i * k + q] = m.phi.at(s);
                }
            }
            h = nh;
        }
        return new Tensor(h, n, k);
    }

    static Tensor tapeIteration(Graph g, Params p, DampedDiffusion m, Tensor x, Tensor h0, int steps) {
        Host host = Engine.synchronous(g, p).hosts().getFirst();
        Tensor h = h0.copy();
        for (int it = 0; it < steps; it++) {
            Tape t = host.tape();
            h = m.step(t, t.constant(h), GraphInput.of(t.constant(x))).value().copy();
        }
        return h;
    }
}
