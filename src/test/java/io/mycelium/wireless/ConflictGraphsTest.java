package io.mycelium.wireless;

import io.mycelium.tensor.Init;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ConflictGraphsTest {
    @Test
    void poolHasTheAuthorsMixture() {
        List<ConflictGraphs.Sample> pool = ConflictGraphs.pool(100, 5);
        // spec C.8: 200 graphs for each of p = 0.02, 0.05, 0.075, 0.1, 0.15 and 20 for each of p = 0.3..0.9
        assertThat(pool).hasSize(1140);
        double[] ps = {0.02, 0.05, 0.075, 0.10, 0.15, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
        int at = 0;
        for (double p : ps) {
            int count = p < 0.2 ? 200 : 20;
            double edges = 0;
            for (int k = 0; k < count; k++) {
                ConflictGraphs.Sample s = pool.get(at++);
                assertThat(s.graph().n()).isEqualTo(100);
                edges += s.graph().edgeCount();
            }
            // mean edge count of G(100, p) is 4950 p; its standard error over `count` graphs is below 2.5 % of that here
            double expected = 4950 * p, se = Math.sqrt(4950 * p * (1 - p) / count);
            assertThat(edges / count).isCloseTo(expected, within(4 * se));
        }
    }

    @Test
    void poolIsVisitedOnceEachEpochInAFreshOrder() {
        ConflictGraphs graphs = new ConflictGraphs(ConflictGraphs.Protocol.POOL, 100, 2, 25, Init.rng(3), 5);
        int size = ConflictGraphs.POOL_SIZE;
        ConflictGraphs.Sample[] first = new ConflictGraphs.Sample[size], second = new ConflictGraphs.Sample[size];
        for (int k = 0; k < size; k++) first[k] = graphs.next(k % 100 == 0);
        for (int k = 0; k < size; k++) second[k] = graphs.next(k % 100 == 0);
        for (ConflictGraphs.Sample[] epoch : new ConflictGraphs.Sample[][] {first, second}) {
            Map<ConflictGraphs.Sample, Integer> seen = new IdentityHashMap<>();
            for (ConflictGraphs.Sample s : epoch) seen.merge(s, 1, Integer::sum);
            assertThat(seen).hasSize(size);
        }
        int same = 0;
        for (int k = 0; k < size; k++) if (first[k] == second[k]) same++;
        assertThat(same).isLessThan(10);   // a fresh permutation agrees with the last in about one place
        // consecutive samples of a mini-batch see different graphs
        assertThat(first[1]).isNotSameAs(first[0]);
    }

    @Test
    void perMiniBatchKeepsOneGraphPerMiniBatch() {
        ConflictGraphs graphs = new ConflictGraphs(ConflictGraphs.Protocol.PER_MINIBATCH, 100, 2, 25, Init.rng(3), 5);
        ConflictGraphs.Sample a = graphs.next(true);
        for (int k = 1; k < 10; k++) assertThat(graphs.next(false)).isSameAs(a);
        ConflictGraphs.Sample b = graphs.next(true);
        assertThat(b).isNotSameAs(a);
        double degree = 2.0 * b.graph().edgeCount() / 100;
        assertThat(degree).isBetween(0.5, 35.0);
    }

    @Test
    void heldOutSetIsDrawnLikeTheTestSet() {
        SchedulingTestSet h = SchedulingTestSet.drawnLikeTheTestSet(100, 40, 2021);
        assertThat(h.size()).isEqualTo(200);
        double[] ps = {0.02, 0.05, 0.1, 0.15, 0.2};   // spec C.8: average degree 2, 5, 10, 15, 20
        for (int d = 0; d < ps.length; d++) {
            double edges = 0;
            for (int k = 0; k < 40; k++) {
                edges += h.graphs().get(40 * d + k).edgeCount();
                for (double w : h.weights().get(40 * d + k)) assertThat(w).isBetween(0.0, 1.0);
            }
            double expected = 4950 * ps[d], se = Math.sqrt(4950 * ps[d] * (1 - ps[d]) / 40);
            assertThat(edges / 40).isCloseTo(expected, within(4 * se));
        }
    }
}
