package io.mycelium.engine;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.autodiff.Loss;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Counters;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** An L-layer GCNN costs L rounds forward and 2L−1 forward + backward, with Table I's message sizes. */
class CountersTest {

    static LongStream seeds() { return LongStream.range(0, 10); }

    @ParameterizedTest
    @MethodSource("seeds")
    void roundsAndMessageSizesOfForwardAndBackward(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int n = 4 + r.nextInt(12), layers = 1 + r.nextInt(4);
        int[] widths = new int[layers + 1];
        for (int l = 0; l <= layers; l++) widths[l] = 1 + r.nextInt(5);
        Graph g = TestGraphs.connected(n, 0.2, seed);
        TinyGcnn model = new TinyGcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), widths);
        Params p = new Params();
        model.init(p, r);
        Tensor x = TestGraphs.randn(r, n, widths[0]), y = Init.uniform(r, 0, 1, n, widths[layers]);

        for (Engine e : List.of(Engine.synchronous(g, p.perNode(n)), Engine.perNode(g, p.perNode(n)))) {
            e.hosts().forEach(h -> h.comm().counters().recordWidths());
            List<Counters> fwd = e.run(h -> {
                Tape t = h.tape();
                Var out = model.forward(t, t.constant(h.rows(x)));
                Counters afterForward = h.comm().counters().snapshot();
                t.backward(Loss.mse(t, out, t.constant(h.rows(y))));
                return afterForward;
            });
            Counters forward = new Counters();
            fwd.forEach(forward::add);
            Counters total = e.counters();

            assertThat(forward.rounds()).isEqualTo(layers);
            assertThat(total.rounds()).isEqualTo(2L * layers - 1);
            // every node of a connected graph broadcasts once per round
            assertThat(total.broadcasts()).isEqualTo((2L * layers - 1) * n);
            assertThat(total.unicasts()).isZero();
            long floats = 0;
            for (int l = 0; l < layers; l++) floats += (long) n * widths[l];      // forward: X^{l} of width g_l
            for (int l = 1; l < layers; l++) floats += (long) n * widths[l];      // backward: Θ1 Q of width g_l, no round for X^0
            assertThat(total.floats()).isEqualTo(floats);
            assertThat(total.bytes()).isEqualTo(8 * floats);

            List<Integer> expected = new ArrayList<>();
            for (int l = 0; l < layers; l++) expected.add(widths[l]);
            for (int l = layers - 1; l >= 1; l--) expected.add(widths[l]);
            // per-host width logs are identical; the synchronous engine has one host
            assertThat(e.hosts().getFirst().comm().counters().widths()).containsExactlyElementsOf(expected);
        }
    }
}
