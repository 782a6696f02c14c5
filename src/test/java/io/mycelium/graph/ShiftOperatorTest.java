package io.mycelium.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShiftOperatorTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (ShiftOperator op : ShiftOperator.values())
            for (long seed = 1; seed <= 6; seed++) cases.add(Arguments.of(op, seed));
        return cases.stream();
    }

    /** The dense definition of each operator, from the adjacency matrix alone. */
    static double[][] dense(ShiftOperator op, Graph g) {
        int n = g.n();
        double[][] a = TestGraphs.adjacency(g);
        double[] deg = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) deg[i] += a[i][j];
        double[] dInvSqrt = new double[n], dPlusOneInvSqrt = new double[n];
        for (int i = 0; i < n; i++) {
            dInvSqrt[i] = deg[i] == 0 ? 0 : 1 / Math.sqrt(deg[i]);
            dPlusOneInvSqrt[i] = 1 / Math.sqrt(deg[i] + 1);
        }
        double[][] id = TestGraphs.identity(n);
        double[][] normA = TestGraphs.multiply(TestGraphs.multiply(TestGraphs.diagonal(dInvSqrt), a), TestGraphs.diagonal(dInvSqrt));
        return switch (op) {
            case ADJACENCY -> a;
            case NORMALIZED_ADJACENCY -> normA;
            case RENORMALIZED_ADJACENCY -> TestGraphs.multiply(TestGraphs.multiply(
                    TestGraphs.diagonal(dPlusOneInvSqrt), TestGraphs.add(a, id, 1)), TestGraphs.diagonal(dPlusOneInvSqrt));
            case LAPLACIAN -> TestGraphs.add(TestGraphs.diagonal(deg), a, -1);
            case NORMALIZED_LAPLACIAN -> TestGraphs.add(id, normA, -1);
        };
    }

    @ParameterizedTest
    @MethodSource("cases")
    void operatorEqualsDenseDefinition(ShiftOperator op, long seed) {
        // Connected graphs: the isolated-node convention of the normalized Laplacian is checked separately.
        Graph g = TestGraphs.connected(15 + (int) seed, (int) (3 * seed), seed);
        Operator s = op.of(g);
        double[][] expected = dense(op, g);
        double[][] actual = s.toDense();
        for (int i = 0; i < g.n(); i++)
            for (int j = 0; j < g.n(); j++)
                assertThat(actual[i][j]).as("%s[%d][%d]", op, i, j).isCloseTo(expected[i][j], within(1e-12));
        assertThat(s.symmetric()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void applyingTheOperatorIsAMatrixVectorProduct(ShiftOperator op, long seed) {
        Graph g = TestGraphs.random(18, 0.25, seed);
        Operator s = op.of(g);
        double[] x = io.mycelium.tensor.Init.uniform(io.mycelium.tensor.Init.rng(seed), -1, 1, g.n()).data();
        double[][] d = s.toDense();
        int[] off = g.offsets(), nb = g.neighbours();
        for (int i = 0; i < g.n(); i++) {
            double local = s.self()[i] * x[i];
            for (int p = off[i]; p < off[i + 1]; p++) local += s.weights()[p] * x[nb[p]];
            double full = 0;
            for (int j = 0; j < g.n(); j++) full += d[i][j] * x[j];
            assertThat(local).isCloseTo(full, within(1e-12));
        }
    }

    @Test
    void isolatedNodeKeepsUnitDiagonalInNormalizedLaplacian() {
        Graph g = Graph.fromEdges(3, new int[] {0}, new int[] {1});
        assertThat(ShiftOperator.NORMALIZED_LAPLACIAN.of(g).weight(2, 2)).isEqualTo(1.0);
        assertThat(ShiftOperator.NORMALIZED_ADJACENCY.of(g).weight(2, 2)).isEqualTo(0.0);
        assertThat(ShiftOperator.RENORMALIZED_ADJACENCY.of(g).weight(2, 2)).isEqualTo(1.0);
    }

    @Test
    void parseAcceptsKebabAndUpperCase() {
        assertThat(ShiftOperator.parse("normalized-laplacian")).isEqualTo(ShiftOperator.NORMALIZED_LAPLACIAN);
        assertThat(ShiftOperator.parse("NORMALIZED_LAPLACIAN")).isEqualTo(ShiftOperator.NORMALIZED_LAPLACIAN);
        assertThat(ShiftOperator.parse(" Renormalized-Adjacency ")).isEqualTo(ShiftOperator.RENORMALIZED_ADJACENCY);
        for (ShiftOperator op : ShiftOperator.values()) {
            assertThat(ShiftOperator.parse(op.name())).isEqualTo(op);
            assertThat(ShiftOperator.parse(op.name().toLowerCase().replace('_', '-'))).isEqualTo(op);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "laplace", "adjacency!", "normalized laplacian", "kipf"})
    void parseRejectsJunk(String s) {
        assertThatThrownBy(() -> ShiftOperator.parse(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normalized-laplacian");
    }
}
