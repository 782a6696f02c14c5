package io.mycelium.engine;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.autodiff.Loss;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The same program on the synchronous, per-node and partitioned engines gives the same numbers. */
class EngineEquivalenceTest {

    static LongStream seeds() { return LongStream.range(0, 12); }

    /** Output and per-copy gradients of a 2-layer GCNN with per-node copies and MSE loss. */
    record Result(Tensor out, Params grads) {}

    static Result run(Engine e, TinyGcnn model, Tensor x, Tensor y) {
        List<Result> parts = e.run(h -> {
            Tape t = h.tape();
            Var out = model.forward(t, t.constant(h.rows(x)));
            t.backward(Loss.mse(t, out, t.constant(h.rows(y))));
            return new Result(out.value().copy(), t.paramGrads());
        });
        Tensor out = e.gather(parts.stream().map(Result::out).toList());
        Params grads = e.params().emptyLike();
        for (String name : parts.getFirst().grads().names())
            grads.add(name, e.gather(parts.stream().map(r -> r.grads().get(name)).toList()));
        return new Result(out, grads);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void perNodeAndPartitionedEnginesMatchSynchronous(long seed) {
        UniformRandomProvider r = Init.rng(seed);
        int n = 5 + r.nextInt(20);
        Graph g = TestGraphs.connected(n, 0.15, seed);
        Operator s = seed % 2 == 0 ? ShiftOperator.NORMALIZED_LAPLACIAN.of(g) : TestGraphs.asymmetric(g, seed);
        TinyGcnn model = new TinyGcnn(s, 3, 4, 2);
        Params tied = new Params();
        model.init(tied, r);
        Params copies = tied.perNode(n);
        // give each node its own perturbed copy so per-copy gradients differ between nodes
        for (Tensor t : copies.asMap().values()) for (int i = 0; i < t.size(); i++) t.data()[i] += 0.1 * (r.nextDouble() - 0.5);
        int samples = 1 + r.nextInt(3);
        Tensor x = TestGraphs.randn(r, n, samples, 3), y = Init.uniform(r, 0, 1, n, samples, 2);

        Result sync = run(Engine.synchronous(g, copies.copy()), model, x, y);
        Result perNode = run(Engine.perNode(g, copies.copy()), model, x, y);
        Result parts = run(Engine.partitioned(g, TestGraphs.randomParts(n, 3, seed), copies.copy()), model, x, y);

        for (Result other : List.of(perNode, parts)) {
            assertThat(other.out.maxAbsDiff(sync.out)).isLessThanOrEqualTo(1e-12 * Math.max(1, sync.out.maxAbs()));
            for (String name : sync.grads.names()) {
                Tensor a = sync.grads.get(name), b = other.grads.get(name);
                assertThat(b.maxAbsDiff(a)).as(name).isLessThanOrEqualTo(1e-12 * Math.max(1, a.maxAbs()));
            }
        }
        assertThat(sync.grads.get("l0.theta1").maxAbs()).as("first layer receives gradient").isGreaterThan(0);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void tiedGradientEqualsSumOfPerCopyGradients(long seed) {
        UniformRandomProvider r = Init.rng(100 + seed);
        int n = 4 + r.nextInt(15);
        Graph g = TestGraphs.connected(n, 0.2, seed);
        TinyGcnn model = new TinyGcnn(ShiftOperator.NORMALIZED_ADJACENCY.of(g), 2, 3, 1);
        Params tied = new Params();
        model.init(tied, r);
        Tensor x = TestGraphs.randn(r, n, 2, 2), y = Init.uniform(r, 0, 1, n, 2, 1);

        Result central = run(Engine.synchronous(g, tied.copy()), model, x, y);
        Result distributed = run(Engine.perNode(g, tied.perNode(n)), model, x, y);
        for (String name : tied.names()) {
            Tensor sum = Tensor.zeros(tied.get(name).shape());
            Tensor per = distributed.grads.get(name);
            int rs = per.rowSize();
            for (int i = 0; i < n; i++) for (int k = 0; k < rs; k++) sum.data()[k] += per.data()[i * rs + k];
            Tensor c = central.grads.get(name);
            assertThat(sum.maxAbsDiff(c)).as(name).isLessThanOrEqualTo(1e-12 * Math.max(1, c.maxAbs()));
        }
    }

    @org.junit.jupiter.api.RepeatedTest(50)
    void aFailingHostFailsTheRunInsteadOfHangingItsNeighbours() {
        Graph g = TestGraphs.connected(8, 0.3, 1);
        Engine e = Engine.perNode(g, new Params());
        Tensor x = Tensor.zeros(8, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.run(h -> {
            if (h.partition().nodes()[0] == 3) throw new IllegalStateException("node 3 broke");
            Tape t = h.tape();
            return t.exchange(t.constant(h.rows(x)), ShiftOperator.ADJACENCY.of(g)).value();
        })).hasMessageContaining("node 3 broke");
    }
}
