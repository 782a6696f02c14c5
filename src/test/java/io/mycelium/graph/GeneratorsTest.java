package io.mycelium.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mycelium.tensor.Init;
import java.util.stream.Stream;
import org.apache.commons.rng.UniformRandomProvider;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorsTest {

    @ParameterizedTest
    @CsvSource({"1,1", "2,1", "50,1", "100,2", "300,3", "200,5", "6,6"})
    void barabasiAlbertHasJGraphTsEdgeCount(int n, int m) {
        Graph g = Generators.barabasiAlbert(n, m, 11);
        assertThat(g.n()).isEqualTo(n);
        // JGraphT seeds with a complete graph on m0 = m nodes, then each new node brings m edges.
        assertThat(g.edgeCount()).isEqualTo(m * (m - 1) / 2 + (n - m) * m);
        assertThat(g.isConnected()).isTrue();
        int minDegree = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) minDegree = Math.min(minDegree, g.degree(i));
        assertThat(minDegree).isEqualTo(n == m ? m - 1 : m);
    }

    @Test
    void barabasiAlbertIsScaleFreeEnoughToHaveHubs() {
        Graph g = Generators.barabasiAlbert(5000, 2, 3);
        // Preferential attachment grows hubs far above the average degree of about 4.
        assertThat(g.maxDegree()).isGreaterThan(40);
    }

    @Test
    void barabasiAlbertRejectsBadParameters() {
        assertThatThrownBy(() -> Generators.barabasiAlbert(10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Generators.barabasiAlbert(3, 4, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 100})
    void pathIsAChain(int n) {
        Graph g = Generators.path(n);
        assertThat(g.n()).isEqualTo(n);
        assertThat(g.edgeCount()).isEqualTo(n - 1);
        for (int i = 0; i + 1 < n; i++) assertThat(g.hasEdge(i, i + 1)).isTrue();
        for (int i = 0; i < n; i++) assertThat(g.degree(i)).isEqualTo(n == 1 ? 0 : (i == 0 || i == n - 1) ? 1 : 2);
        assertThat(g.isConnected()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"1,1", "1,5", "4,1", "3,4", "10,7"})
    void gridHasLatticeEdges(int r, int c) {
        Graph g = Generators.grid(r, c);
        assertThat(g.n()).isEqualTo(r * c);
        assertThat(g.edgeCount()).isEqualTo(r * (c - 1) + c * (r - 1));
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                int id = i * c + j;
                int expectedDegree = (i > 0 ? 1 : 0) + (i < r - 1 ? 1 : 0) + (j > 0 ? 1 : 0) + (j < c - 1 ? 1 : 0);
                assertThat(g.degree(id)).isEqualTo(expectedDegree);
                if (j + 1 < c) assertThat(g.hasEdge(id, id + 1)).isTrue();
                if (i + 1 < r) assertThat(g.hasEdge(id, id + c)).isTrue();
            }
        }
        assertThat(g.isConnected()).isTrue();
    }

    static Stream<Arguments> randomSpecs() {
        return Stream.of("ba:300:2", "er:200:0.05", "er-deg:300:6", "rgg:400:0.08").map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("randomSpecs")
    void sameSeedSameGraphOtherSeedOtherGraph(String spec) {
        Graph a = Generators.parse(spec, 42), b = Generators.parse(spec, 42), c = Generators.parse(spec, 43);
        assertThat(b.offsets()).isEqualTo(a.offsets());
        assertThat(b.neighbours()).isEqualTo(a.neighbours());
        assertThat(java.util.Arrays.equals(a.offsets(), c.offsets())
                && java.util.Arrays.equals(a.neighbours(), c.neighbours())).isFalse();
    }

    @Test
    void uniformPointsAreSeededAndInTheUnitSquare() {
        double[][] p = Generators.uniformPoints(1000, 5);
        assertThat(Generators.uniformPoints(1000, 5)).isDeepEqualTo(p);
        assertThat(Generators.uniformPoints(1000, 6)[0]).isNotEqualTo(p[0]);
        double sumX = 0;
        for (double[] q : p) {
            assertThat(q[0]).isBetween(0.0, 1.0);
            assertThat(q[1]).isBetween(0.0, 1.0);
            sumX += q[0];
        }
        assertThat(sumX / p.length).isBetween(0.45, 0.55);
    }

    @ParameterizedTest
    @CsvSource({"1,0.02", "2,0.05", "3,0.1", "4,0.3", "5,0.0", "6,2.0"})
    void randomGeometricMatchesBruteForce(long seed, double radius) {
        double[][] pts = Generators.uniformPoints(300, seed);
        assertBruteForce(pts, radius);
    }

    @Test
    void randomGeometricWorksOutsideTheUnitSquareAndOnDuplicatePoints() {
        UniformRandomProvider rng = Init.rng(9);
        double[][] pts = new double[300][];
        for (int i = 0; i < pts.length; i++)
            pts[i] = i % 10 == 0 && i > 0 ? pts[i - 1].clone() : new double[] {-50 + 100 * rng.nextDouble(), 3 + 7 * rng.nextDouble()};
        assertBruteForce(pts, 4.0);
        assertBruteForce(pts, 0.0);
        double[][] line = new double[50][];
        for (int i = 0; i < line.length; i++) line[i] = new double[] {i * 0.5, 1};
        Graph g = Generators.randomGeometric(line, 0.5);
        assertThat(g.edgeCount()).isEqualTo(49);
    }

    private static void assertBruteForce(double[][] pts, double radius) {
        Graph g = Generators.randomGeometric(pts, radius);
        assertThat(g.n()).isEqualTo(pts.length);
        int pairs = 0;
        for (int i = 0; i < pts.length; i++) {
            for (int j = i + 1; j < pts.length; j++) {
                double d = Math.hypot(pts[i][0] - pts[j][0], pts[i][1] - pts[j][1]);
                double dx = pts[i][0] - pts[j][0], dy = pts[i][1] - pts[j][1];
                boolean within = dx * dx + dy * dy <= radius * radius;
                assertThat(g.hasEdge(i, j)).as("pair %d-%d at distance %s, radius %s", i, j, d, radius).isEqualTo(within);
                if (within) pairs++;
            }
        }
        assertThat(g.edgeCount()).isEqualTo(pairs);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void erdosRenyiAverageDegreeIsCloseToRequested(long seed) {
        Graph g = Generators.erdosRenyiAverageDegree(2000, 8, seed);
        double avg = 2.0 * g.edgeCount() / g.n();
        // The edge count is binomial with sd about 89, i.e. 0.09 in average degree.
        assertThat(avg).isBetween(7.6, 8.4);
    }

    @Test
    void skippingSamplerGivesEveryPairProbabilityP() {
        int n = 6, trials = 4000;
        double p = 0.3;
        int[][] hits = new int[n][n];
        for (int t = 0; t < trials; t++) {
            Graph g = Generators.erdosRenyiSkipping(n, p, t);
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (g.hasEdge(i, j)) hits[i][j]++;
        }
        // Binomial sd is 0.0072 per pair; 0.03 is over four of them.
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                assertThat(hits[i][j] / (double) trials).as("pair %d-%d", i, j).isBetween(p - 0.03, p + 0.03);
    }

    @Test
    void skippingSamplerExtremesAndLargeN() {
        assertThat(Generators.erdosRenyiSkipping(30, 0, 1).edgeCount()).isZero();
        assertThat(Generators.erdosRenyiSkipping(30, 1, 1).edgeCount()).isEqualTo(30 * 29 / 2);
        assertThat(Generators.erdosRenyiSkipping(500, 0.1, 4).neighbours())
                .isEqualTo(Generators.erdosRenyiSkipping(500, 0.1, 4).neighbours());
        int n = Generators.GNP_JGRAPHT_MAX_NODES * 3;
        Graph g = Generators.erdosRenyiAverageDegree(n, 4, 2);
        assertThat(g.neighbours()).isEqualTo(Generators.erdosRenyiSkipping(n, 4.0 / (n - 1), 2).neighbours());
        // Edge count sd is about 200 on an expected 60000.
        assertThat(2.0 * g.edgeCount() / n).isBetween(3.95, 4.05);
        assertThatThrownBy(() -> Generators.erdosRenyi(200_000, 0.9, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many");
    }

    @Test
    void erdosRenyiExtremes() {
        assertThat(Generators.erdosRenyi(30, 0, 1).edgeCount()).isZero();
        assertThat(Generators.erdosRenyi(30, 1, 1).edgeCount()).isEqualTo(30 * 29 / 2);
        assertThat(Generators.erdosRenyiAverageDegree(1, 0, 1).n()).isEqualTo(1);
        assertThatThrownBy(() -> Generators.erdosRenyi(30, 1.5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Generators.erdosRenyiAverageDegree(10, 10, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromJGraphTKeepsDenseIdsAndRenumbersOthers() {
        var dense = new SimpleGraph<Integer, DefaultEdge>(DefaultEdge.class);
        for (int v = 3; v >= 0; v--) dense.addVertex(v);
        dense.addEdge(0, 3);
        dense.addEdge(2, 1);
        Graph g = Generators.fromJGraphT(dense);
        assertThat(g.n()).isEqualTo(4);
        assertThat(g.hasEdge(0, 3)).isTrue();
        assertThat(g.hasEdge(1, 2)).isTrue();
        assertThat(g.edgeCount()).isEqualTo(2);

        var sparse = new SimpleGraph<Integer, DefaultEdge>(DefaultEdge.class);
        sparse.addVertex(100);
        sparse.addVertex(-7);
        sparse.addVertex(42);
        sparse.addEdge(100, 42);
        Graph h = Generators.fromJGraphT(sparse);
        assertThat(h.n()).isEqualTo(3);
        assertThat(h.edgeCount()).isEqualTo(1);
        assertThat(h.hasEdge(0, 2)).as("100 -> 0 and 42 -> 2 in iteration order").isTrue();
        assertThat(h.degree(1)).isZero();
    }

    @Test
    void parseBuildsEveryForm() {
        Graph ba = Generators.parse("ba:200:3", 5);
        assertThat(ba.neighbours()).isEqualTo(Generators.barabasiAlbert(200, 3, 5).neighbours());
        assertThat(Generators.parse("er:100:0.1", 5).neighbours()).isEqualTo(Generators.erdosRenyi(100, 0.1, 5).neighbours());
        assertThat(Generators.parse("er-deg:100:4", 5).neighbours())
                .isEqualTo(Generators.erdosRenyiAverageDegree(100, 4, 5).neighbours());
        assertThat(Generators.parse("rgg:100:0.2", 5).neighbours()).isEqualTo(Generators.randomGeometric(100, 0.2, 5).neighbours());
        assertThat(Generators.parse("path:1e3", 5).edgeCount()).isEqualTo(999);
        Graph grid = Generators.parse("grid:3x4", 5);
        assertThat(grid.n()).isEqualTo(12);
        assertThat(grid.edgeCount()).isEqualTo(17);
        assertThat(Generators.parse(" GRID:2X2 ", 5).edgeCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "foo:10", "ba:10", "ba:x:2", "ba:10:2:3", "er:10:1.5", "er:10:abc", "path:-3",
            "path:2.5", "grid:3by4", "grid:3x", "rgg:10:-1", "ba:3:5"})
    void parseRejectsBadSpecsListingTheForms(String spec) {
        assertThatThrownBy(() -> Generators.parse(spec, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + spec + "'")
                .hasMessageContaining("ba:N:M")
                .hasMessageContaining("er-deg:N:D")
                .hasMessageContaining("grid:RxC");
    }
}
