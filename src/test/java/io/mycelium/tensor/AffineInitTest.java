package io.mycelium.tensor;

import io.mycelium.model.Gcn;
import io.mycelium.model.Ignn;
import io.mycelium.task.hogwild.Models;
import io.mycelium.train.GraphReadout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AffineInitTest {
    /**
     * PyTorch's nn.Linear.reset_parameters: kaiming_uniform_(W, a = √5), i.e. bound gain·√(3/fan_in) with
     * gain = √(2/(1 + a²)), and b ~ U(±1/√fan_in). Written from that definition, not from Init.
     */
    private static double torchWeightBound(int fanIn) {
        double a = Math.sqrt(5), gain = Math.sqrt(2 / (1 + a * a));
        return gain * Math.sqrt(3.0 / fanIn);
    }

    @Test
    void torchLinearDrawsWeightsAndBiasesUniformOnPlusMinusOneOverRootFanIn() {
        int in = 7, out = 400;
        var rng = Init.rng(3);
        Tensor w = Init.Affine.TORCH_LINEAR.weight(rng, in, out), b = Init.Affine.TORCH_LINEAR.bias(rng, in, out);
        assertThat(w.shape()).containsExactly(1, in, out);
        assertThat(b.shape()).containsExactly(1, out);
        double bw = torchWeightBound(in), bb = 1 / Math.sqrt(in);
        assertThat(bw).isCloseTo(bb, within(1e-15));
        for (Tensor t : new Tensor[] {w, b}) {
            double bound = t == w ? bw : bb, mean = 0, sq = 0, max = 0;
            for (double v : t.data()) {
                mean += v / t.size();
                sq += v * v / t.size();
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
            // U(−c, c) has variance c²/3; the sample's is within a few standard errors of it
            assertThat(sq).isCloseTo(bound * bound / 3, within(0.25 * bound * bound / 3));
            assertThat(Math.abs(mean)).isLessThan(0.15 * bound);
        }
    }

    @Test
    void glorotZeroKeepsTheEarlierDrawsBitForBit() {
        var a = Init.rng(9);
        Tensor w = Init.Affine.GLOROT_ZERO.weight(a, 5, 3), b = Init.Affine.GLOROT_ZERO.bias(a, 5, 3);
        var r = Init.rng(9);
        assertThat(w.data()).containsExactly(Init.glorot(r, 5, 3).data());
        assertThat(b.data()).containsOnly(0.0).hasSize(3);
        // no draw for the bias: the next number is the one after the weight
        assertThat(a.nextLong()).isEqualTo(r.nextLong());
        // the models' default is Glorot with zero biases, the same parameters as before the option existed
        Params p = new Params(), q = new Params();
        Ignn.paper(7, 1).init(p, Init.rng(4));
        Ignn.paper(7, 1, Init.Affine.GLOROT_ZERO).init(q, Init.rng(4));
        for (String n : p.names()) assertThat(q.get(n).data()).containsExactly(p.get(n).data());
    }

    @Test
    void torchInitReachesEveryAffineLayerOfTheModelsAndTheGraphReadout() {
        Params p = new Params();
        Gcn.paper(7, 1, Init.Affine.TORCH_LINEAR).init(p, Init.rng(1));
        new GraphReadout(Init.Affine.TORCH_LINEAR, 1, 4, 4, 1).init(p, Init.rng(2));
        for (String n : p.names()) {
            double max = 0;
            for (double v : p.get(n).data()) max = Math.max(max, Math.abs(v));
            assertThat(max).as(n).isGreaterThan(0);           // biases too: none starts at zero
        }
        // GCN layer l: fan-in 10, so |W|, |b| ≤ 1/√10, where Glorot's bound would be √(6/20)
        for (double v : p.get(Gcn.weight(2)).data()) assertThat(Math.abs(v)).isLessThanOrEqualTo(1 / Math.sqrt(10));
        for (double v : p.get(Gcn.bias(2)).data()) assertThat(Math.abs(v)).isLessThanOrEqualTo(1 / Math.sqrt(10));
        for (Models.Entry m : Models.all()) {
            Params a = new Params();
            m.factory().create(7, 0, 1, Init.Affine.TORCH_LINEAR).init(a, Init.rng(5));
            long zeroBiases = a.names().stream().filter(n -> n.matches(".*\\.b\\d+$"))   // MLP layers' biases (the PICNNs' are named l<l>.b)
                    .filter(n -> java.util.Arrays.stream(a.get(n).data()).allMatch(v -> v == 0)).count();
            assertThat(zeroBiases).as(m.id() + ": MLP biases left at zero").isZero();
        }
    }
}
