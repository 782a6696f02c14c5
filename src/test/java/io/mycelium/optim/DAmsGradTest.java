package io.mycelium.optim;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * D-AMSGrad's step against its update written out element by element (the class comment's
 * formulas), over several steps and lengths that are and are not whole vectors: the vector kernel
 * must give the same bits.
 */
class DAmsGradTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 37, 4000})
    void stepIsTheWrittenOutUpdateBitForBit(int length) {
        UniformRandomProvider rng = Init.rng(length);
        DAmsGrad opt = DAmsGrad.of(0.01);
        Params params = Params.untied().add("a", Init.normal(rng, 0, 1, 3, length)).add("b", Init.normal(rng, 0, 1, 3, 5));
        Params initial = params.copy();
        Map<String, Object> state = new HashMap<>();
        Map<String, double[][]> ref = new HashMap<>();   // name -> {p, m, v, vhat, utilde}
        for (String n : params.names()) {
            double[] p = params.get(n).data().clone();
            ref.put(n, new double[][] {p, new double[p.length], new double[p.length], new double[p.length], new double[p.length]});
        }
        for (int step = 0; step < 4; step++) {
            Params grads = params.zerosLike();
            for (String n : grads.names()) {
                double[] g = grads.get(n).data();
                for (int k = 0; k < g.length; k++) g[k] = (rng.nextDouble() - 0.5) * (step == 2 && k % 3 == 0 ? 0 : 2);
            }
            List<Tensor> shared = opt.shared(params, state), mixed = new ArrayList<>();
            for (Tensor t : shared) {       // stand-in for a consensus round: any other values will do
                Tensor m = t.copy();
                double[] d = m.data();
                for (int k = 0; k < d.length; k++) d[k] = d[k] * 0.9 + 0.01 * rng.nextDouble();
                mixed.add(m);
            }
            int names = params.names().size(), q = 0;
            for (String n : params.names()) {
                double[][] r = ref.get(n);
                double[] g = grads.get(n).data(), theta = mixed.get(q).data(), uMixed = mixed.get(names + q).data();
                q++;
                for (int k = 0; k < g.length; k++) {
                    r[1][k] = 0.9 * r[1][k] + (1 - 0.9) * g[k];
                    r[2][k] = 0.999 * r[2][k] + (1 - 0.999) * g[k] * g[k];
                    double vNew = Math.max(r[3][k], r[2][k]);
                    r[4][k] = uMixed[k] + vNew - r[3][k];
                    r[3][k] = vNew;
                    r[0][k] = theta[k] - 0.01 * r[1][k] / Math.sqrt(Math.max(r[4][k], 1e-8));
                }
            }
            opt.step(params, state, grads, mixed);
            for (String n : params.names()) assertThat(params.get(n).data()).as(n + " step " + step).containsExactly(ref.get(n)[0]);
        }
        assertThat(params.maxAbsDiff(initial)).isGreaterThan(1e-3);
    }
}
