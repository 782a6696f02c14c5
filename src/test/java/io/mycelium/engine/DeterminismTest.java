package io.mycelium.engine;

import io.mycelium.tensor.Init;
import io.mycelium.autodiff.Loss;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Same seed, same bits on the synchronous engine, with its kernels split over threads or not. */
class DeterminismTest {

    /** Twenty SGD steps of a GCNN large enough that kernels run in parallel chunks. */
    static Params train(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        Graph g = Generators.barabasiAlbert(300, 2, seed);
        TinyGcnn model = new TinyGcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), 8, 32, 1);
        Params p = new Params();
        model.init(p, r);
        Tensor x = Init.normal(r, 0, 1, g.n(), 40, 8), y = Init.uniform(r, 0, 1, g.n(), 40, 1);
        Engine e = Engine.synchronous(g, p);
        for (int step = 0; step < 20; step++) {
            e.run(h -> {
                Tape t = h.tape();
                Var out = model.forward(t, t.constant(x));
                t.backward(Loss.mse(t, out, t.constant(y)));
                for (String name : h.params().names()) {
                    double[] w = h.params().get(name).data(), gr = t.paramGrad(name).data();
                    for (int k = 0; k < w.length; k++) w[k] -= 0.01 * gr[k];
                }
                return null;
            });
        }
        return e.params();
    }

    @Test
    void sameSeedSameBits() {
        Params a = train(7), b = train(7), c = train(8);
        for (String name : a.names()) assertThat(a.get(name).bitwiseEquals(b.get(name))).as(name).isTrue();
        assertThat(a.maxAbsDiff(c)).isGreaterThan(0);
    }

    @Test
    void parallelKernelsGiveTheSameBitsAsSerial() {
        Params parallel = train(3);
        Parallel.setEnabled(false);
        try {
            Params serial = train(3);
            for (String name : parallel.names()) assertThat(parallel.get(name).bitwiseEquals(serial.get(name))).as(name).isTrue();
        } finally {
            Parallel.setEnabled(true);
        }
    }
}
