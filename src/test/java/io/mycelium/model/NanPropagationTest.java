package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.fused.GcnnPass;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A diverged value must stay visible: ReLU keeps NaN (max(NaN, 0) is NaN, not 0) on the tape and in
 * the fused kernels, and a weight gradient keeps 0·NaN = NaN, so a run that went non-finite shows it.
 */
class NanPropagationTest {
    private static Tape tape(Graph g, Params p) { return Engine.synchronous(g, p).hosts().getFirst().tape(); }

    @Test
    void tapeReluKeepsNanAndLetsANanGradientThrough() {
        Graph g = TestGraphs.connected(1, 0, Init.rng(1));
        Tape t = tape(g, new Params());
        Var x = t.variable(Tensor.of(new double[] {Double.NaN, -1, 0, -0.0, 2, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, 1, 1, 7));
        Var y = t.relu(x);
        double[] v = y.value().data();
        assertThat(v[0]).isNaN();
        assertThat(new double[] {v[1], v[2], v[3], v[4], v[5], v[6]}).containsExactly(0, 0, 0, 2, Double.POSITIVE_INFINITY, 0);
        assertThat(Double.doubleToRawLongBits(v[3])).as("-0 becomes +0").isZero();
        t.vjp(y, Tensor.of(new double[] {Double.NaN, 5, 5, 5, 5, 5, 5}, 1, 1, 7));
        double[] gx = x.grad().data();
        assertThat(gx[0]).isNaN();
        assertThat(new double[] {gx[1], gx[2], gx[3], gx[4], gx[5], gx[6]}).containsExactly(0, 0, 0, 5, 5, 0);
    }

    @Test
    void weightGradientKeepsZeroTimesNan() {
        Graph g = TestGraphs.connected(1, 0, Init.rng(1));
        Params p = new Params();
        p.add("w", Tensor.of(new double[] {1, 2, 3, 4}, 1, 2, 2));
        Tape t = tape(g, p);
        // x = [0, 1], upstream gradient [NaN, 1]: dW = xᵀ g = [[0·NaN, 0·1], [1·NaN, 1·1]] = [[NaN, 0], [NaN, 1]]
        Var out = t.matmul(t.constant(Tensor.of(new double[] {0, 1}, 1, 1, 2)), t.param("w"));
        t.vjp(out, Tensor.of(new double[] {Double.NaN, 1}, 1, 1, 2));
        double[] gw = t.paramGrad("w").data();
        assertThat(gw[0]).isNaN();
        assertThat(gw[1]).isZero();
        assertThat(gw[2]).isNaN();
        assertThat(gw[3]).isEqualTo(1);
        // a finite upstream gradient still skips nothing that matters: 0·g adds 0
        Tape u = tape(g, p);
        Var o2 = u.matmul(u.constant(Tensor.of(new double[] {0, 1}, 1, 1, 2)), u.param("w"));
        u.vjp(o2, Tensor.of(new double[] {3, 1}, 1, 1, 2));
        assertThat(u.paramGrad("w").data()).containsExactly(0, 0, 3, 1);
    }

    /**
     * One input value is NaN; the hidden layer is ReLU. The pre-activations it reaches are NaN, so
     * the outputs of that sample at the nodes within two hops must be NaN on the tape and in the
     * fused pass alike (before, ReLU turned them into 0 and the outputs looked finite).
     */
    @ParameterizedTest
    @CsvSource({"4,true", "4,false", "32,false", "64,false"})
    void fusedReluKeepsNanAsTheTapeDoes(int hidden, boolean tied) {
        UniformRandomProvider rng = Init.rng(40 + hidden);
        int n = 9, samples = 11, bad = 3, badNode = 2;
        Graph g = TestGraphs.connected(n, 0.3, rng);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), new int[] {3, hidden, 1},
                new Activation[] {Activation.RELU, Activation.IDENTITY}, Gcnn.GLOROT);
        Params params = new Params();
        model.init(params, rng);
        if (!tied) params = params.perNode(n);
        Tensor x = Init.normal(rng, 0, 1, n, samples, 3);
        x.data()[(badNode * samples + bad) * 3 + 1] = Double.NaN;
        double[] targets = Init.normal(rng, 0, 1, n, samples).data();

        Host h = Engine.synchronous(g, params).hosts().getFirst();
        Tape t = h.tape();
        Var out = model.forward(t, t.constant(x));
        Var loss = t.sumRows(t.square(t.sub(out, t.constant(Tensor.of(targets, n, samples, 1)))));
        t.backward(loss);
        double[] ref = out.value().data();

        GcnnPass pass = new GcnnPass(model.gcnnForm(), h.comm(), params);
        int[] ids = new int[samples];
        for (int q = 0; q < samples; q++) ids[q] = q;
        double[] fused = pass.forward(params, x, ids);
        int nans = 0;
        for (int i = 0; i < n; i++)
            for (int b = 0; b < samples; b++) {
                int q = i * samples + b;
                if (b != bad) assertThat(ref[q]).as("other samples stay finite").isFinite();
                if (Double.isNaN(ref[q])) {
                    nans++;
                    assertThat(fused[q]).as("fused output at node %d, sample %d", i, b).isNaN();
                } else {
                    assertThat(fused[q]).isCloseTo(ref[q], org.assertj.core.data.Offset.offset(1e-12));
                }
            }
        assertThat(ref[badNode * samples + bad]).as("the node holding the NaN").isNaN();
        assertThat(nans).as("NaN reaches the neighbours too").isGreaterThan(1);
        assertThat(loss.value().sum()).isNaN();
        Params grads = params.zerosLike();
        double sse = new GcnnPass(model.gcnnForm(), h.comm(), params).squaredErrorStep(params, x, ids, targets, 2.0, grads);
        assertThat(sse).isNaN();
        for (String name : params.names()) {
            double[] a = grads.get(name).data(), r = t.paramGrad(name).data();
            boolean anyNan = false;
            for (int q = 0; q < a.length; q++) {
                assertThat(Double.isNaN(a[q])).as("%s[%d] NaN in the fused gradient iff on the tape", name, q).isEqualTo(Double.isNaN(r[q]));
                anyNan |= Double.isNaN(r[q]);
            }
            assertThat(anyNan).as(name + " has a NaN gradient").isTrue();
        }
    }
}
