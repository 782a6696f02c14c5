package io.mycelium.graph;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MovingNodesTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void nodesWalkInsideTheSquareAndTheGraphIsTheirGeometricGraph(long seed) {
        double radius = 0.3, step = 0.07;
        MovingNodes a = new MovingNodes(40, radius, step, seed), b = new MovingNodes(40, radius, step, seed);
        int changed = 0;
        int[] previous = a.graph().neighbours();
        for (int t = 0; t < 30; t++) {
            double[][] before = a.positions();
            Graph g = a.step(), h = b.step();
            double[][] p = a.positions();
            for (int i = 0; i < p.length; i++) {
                assertThat(p[i][0]).isBetween(0.0, 1.0);
                assertThat(p[i][1]).isBetween(0.0, 1.0);
                // a step of exactly `step`, shorter only when folded back at a border
                assertThat(Math.hypot(p[i][0] - before[i][0], p[i][1] - before[i][1])).isLessThanOrEqualTo(step + 1e-12);
            }
            for (int i = 0; i < p.length; i++)
                for (int j = i + 1; j < p.length; j++)
                    assertThat(g.hasEdge(i, j)).isEqualTo(Math.hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]) <= radius);
            assertThat(h.offsets()).containsExactly(g.offsets());
            assertThat(h.neighbours()).containsExactly(g.neighbours());
            if (!java.util.Arrays.equals(g.neighbours(), previous)) changed++;
            previous = g.neighbours();
            assertThat(a.graph()).isSameAs(g);
        }
        assertThat(changed).isGreaterThan(10);
    }
}
