package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GatTest {
    /**
     * One attention layer on embeddings scaled up until score gaps reach thousands (as a neighbour's
     * row from another layer can produce under asynchrony) equals the layer written out with a
     * log-sum-exp softmax, and stays finite; scaled down, it is the ordinary softmax.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1e3, 1e5})
    void attentionIsTheSoftmaxOverTheNeighbourhoodAndItselfAtAnyScale(double scale) {
        UniformRandomProvider r = Init.rng(7);
        Graph g = io.mycelium.TestGraphs.connected(7, 0.4, 7);
        int heads = 2, q = 3, k = heads * q;
        Gat m = new Gat(2, 1, heads, q, new int[] {3}, 1);
        Params p = new Params();
        m.init(p, r);
        Tensor h = Init.normal(r, 0, scale, g.n(), k);
        Host1 out = new Host1();
        Engine.synchronous(g, p).run(host -> {
            Tape t = host.tape();
            out.value = m.layer(t, 0, t.constant(h), null).value().data().clone();
            return null;
        });
        double[] W = p.get(Gat.weight(0)).data(), as = p.get(Gat.attSrc(0)).data(), ad = p.get(Gat.attDst(0)).data();
        double[][] z = new double[g.n()][k];
        for (int i = 0; i < g.n(); i++)
            for (int c = 0; c < k; c++)
                for (int a = 0; a < k; a++) z[i][c] += h.data()[i * k + a] * W[a * k + c];
        for (int i = 0; i < g.n(); i++) {
            int[] nb = java.util.Arrays.copyOfRange(g.neighbours(), g.offsets()[i], g.offsets()[i + 1]);
            for (int hd = 0; hd < heads; hd++) {
                double dst = 0;
                for (int c = 0; c < q; c++) dst += ad[hd * q + c] * z[i][hd * q + c];
                double[] e = new double[nb.length + 1];
                int[] who = new int[nb.length + 1];
                who[0] = i;
                for (int s = 0; s < nb.length; s++) who[s + 1] = nb[s];
                double top = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < who.length; s++) {
                    double src = 0;
                    for (int c = 0; c < q; c++) src += as[hd * q + c] * z[who[s]][hd * q + c];
                    double v = dst + src;
                    e[s] = v > 0 ? v : Gat.SLOPE * v;
                    top = Math.max(top, e[s]);
                }
                double sum = 0;
                for (double v : e) sum += Math.exp(v - top);
                for (int c = 0; c < q; c++) {
                    double y = 0;
                    for (int s = 0; s < who.length; s++) y += Math.exp(e[s] - top) / sum * z[who[s]][hd * q + c];
                    double got = out.value[i * k + hd * q + c];
                    assertThat(got).isFinite();
                    assertThat(got).isCloseTo(Math.max(y, 0), within(1e-9 * Math.max(1, Math.abs(y))));
                }
            }
        }
    }

    private static final class Host1 { double[] value; }
}
