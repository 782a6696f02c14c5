package io.mycelium.task.hogwild;

import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The generators produce the paper's graphs, features and targets. */
class HogwildTasksTest {
    static final Path MNIST = Path.of("../shared/data/MNIST");

    @Test
    void chainsCarryTheClassOnlyInTheFirstNode() {
        HogwildTask t = SyntheticTasks.chains(6, 100, 1);
        assertThat(t.pool()).hasSize(6);
        int ones = 0;
        for (GraphSample s : t.pool()) {
            Graph g = s.graph();
            assertThat(g.n()).isEqualTo(100);
            assertThat(g.edgeCount()).isEqualTo(99);
            assertThat(g.isConnected()).isTrue();
            assertThat(g.degree(0)).isEqualTo(1);
            int k = (int) s.y().get(0, 0);
            ones += k;
            for (int i = 0; i < 100; i++) {
                assertThat(s.y().get(i, 0)).isEqualTo(k);
                for (int c = 0; c < 2; c++) assertThat(s.x().get(i, c)).isEqualTo(i == 0 && c == k ? 1.0 : 0.0);
            }
        }
        assertThat(ones).as("balanced classes").isEqualTo(3);
    }

    @Test
    void countHasOneChainPerSizeWithDegreeOneHotAndSizeTargets() {
        HogwildTask t = SyntheticTasks.count(50);
        assertThat(t.pool()).hasSize(50);
        for (int q = 0; q < 50; q++) {
            GraphSample s = t.pool().get(q);
            int n = q + 1;
            assertThat(s.n()).isEqualTo(n);
            assertThat(s.graph().edgeCount()).isEqualTo(n - 1);
            for (int i = 0; i < n; i++) {
                assertThat(s.y().get(i, 0)).isEqualTo(n);
                double sum = 0;
                for (int c = 0; c < 3; c++) sum += s.x().get(i, c);
                assertThat(sum).isEqualTo(1);
                assertThat(s.x().get(i, s.graph().degree(i))).isEqualTo(1);
            }
        }
    }

    @Test
    void sumsTargetTheNumberOfOnes() {
        HogwildTask t = SyntheticTasks.sums(2000, 50, 3);
        assertThat(t.pool()).hasSize(2000);
        double mean = 0;
        for (GraphSample s : t.pool()) {
            assertThat(s.n()).isEqualTo(50);
            double ones = s.x().sum();
            for (int i = 0; i < 50; i++) {
                assertThat(s.x().get(i, 0)).isIn(0.0, 1.0);
                assertThat(s.y().get(i, 0)).isEqualTo(ones);
            }
            mean += ones / 2000;
        }
        assertThat(mean).as("fair bits").isBetween(24.5, 25.5);
        assertThat(SyntheticTasks.sums(20, 50, 3).pool().getFirst().x().bitwiseEquals(SyntheticTasks.sums(20, 50, 3).pool().getFirst().x())).isTrue();
    }

    @Test
    void coordinatesAreGeometricGraphsWithDistanceEdgeFeatures() {
        HogwildTask t = SyntheticTasks.coordinates(1500, 20, 0.5, 5);
        assertThat(t.pool()).hasSize(1500);
        assertThat(t.edgeFeatures()).isEqualTo(1);
        for (GraphSample s : t.pool().subList(0, 50)) {
            Tensor y = s.y();
            Graph g = s.graph();
            for (int i = 0; i < 20; i++) {
                assertThat(s.x().get(i, i)).isEqualTo(1);
                assertThat(s.x().sum()).isEqualTo(20);
                assertThat(y.get(i, 0)).isBetween(0.0, 1.0);
                for (int j = 0; j < 20; j++) {
                    if (i == j) continue;
                    double d = Math.hypot(y.get(i, 0) - y.get(j, 0), y.get(i, 1) - y.get(j, 1));
                    assertThat(g.hasEdge(i, j)).isEqualTo(d <= 0.5);
                    if (g.hasEdge(i, j)) assertThat(s.edges().get(g.edgeIndex(i, j), 0)).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-15));
                }
            }
        }
    }

    @Test
    void resizeAveragesAreas() {
        double[] img = new double[784];
        java.util.Arrays.fill(img, 0.25);
        for (double v : MnistTerrain.resize(img, 10)) assertThat(v).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
        double[] half = new double[784];
        for (int r = 0; r < 14; r++) java.util.Arrays.fill(half, r * 28, r * 28 + 28, 1.0); // top half ink
        double[] s = MnistTerrain.resize(half, 10);
        double total = 0;
        for (double v : s) total += v;
        assertThat(total).as("mass is conserved").isCloseTo(50, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s[0]).isEqualTo(1.0);
        assertThat(s[99]).isEqualTo(0.0);
    }

    @Test
    void mnistTerrainFromTheSharedData() throws Exception {
        assumeTrue(Files.isDirectory(MNIST), "needs ../shared/data/MNIST (docs/data.md)");
        List<MnistTerrain.Image> imgs = MnistTerrain.load(MNIST);
        assertThat(imgs).hasSize(1001 + 1127 + 980 + 1135); // SOURCES.md: npm 0/1 training digits + IDX test 0/1
        assertThat(imgs.stream().filter(i -> i.label() == 1).count()).isEqualTo(1127 + 1135);
        HogwildTask t = MnistTerrain.task(imgs, 200, 4);
        assertThat(t.pool()).hasSize(200);
        for (GraphSample s : t.pool()) {
            assertThat(s.n()).isEqualTo(10);
            Set<Integer> cells = new HashSet<>();
            for (int a = 0; a < 10; a++) {
                double row = s.x().get(a, 0) * 9, col = s.x().get(a, 1) * 9;
                assertThat(cells.add((int) Math.round(row) * 10 + (int) Math.round(col))).as("distinct pixels").isTrue();
                assertThat(s.x().get(a, 2)).isBetween(0.0, 1.0);
                for (int b = 0; b < 10; b++) {
                    if (a == b) continue;
                    double d = 9 * Math.hypot(s.x().get(a, 0) - s.x().get(b, 0), s.x().get(a, 1) - s.x().get(b, 1));
                    assertThat(s.graph().hasEdge(a, b)).isEqualTo(d <= 5 + 1e-9);
                }
                assertThat(s.y().get(a, 0)).isEqualTo(s.y().get(0, 0));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void classificationFoldsKeepTheClassBalance(int fold) {
        HogwildTask.Split s = SyntheticTasks.chains(40, 10, 1).split(fold, 0.2);
        assertThat(s.test()).hasSize(8);
        assertThat(s.test().stream().mapToDouble(g -> g.y().get(0, 0)).sum()).isEqualTo(4);
        assertThat(s.train().stream().mapToDouble(g -> g.y().get(0, 0)).sum()).isEqualTo(16);
    }

    /** Table 2 measures on the first 10 test graphs: they must not be one class (they were, at 300 MNIST images). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void theFirstTestGraphsOfAClassificationFoldMixTheClasses(int fold) {
        java.util.List<GraphSample> first = SyntheticTasks.chains(200, 10, 1).split(fold, 0.2).test().subList(0, 10);
        double ones = first.stream().mapToDouble(g -> g.y().get(0, 0)).sum();
        assertThat(ones).isBetween(1.0, 9.0);
    }

    @Test
    void missingMnistIsAClearError() {
        assertThatThrownBy(() -> MnistTerrain.load(Path.of("/nonexistent/mnist"))).hasMessageContaining("does not exist");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void foldsSplitThePoolWithoutOverlap(int fold) {
        HogwildTask t = SyntheticTasks.count(50);
        HogwildTask.Split s = t.split(fold, 0.2);
        assertThat(s.test()).hasSize(10);
        assertThat(s.train()).hasSize(40);
        Set<GraphSample> all = new HashSet<>(s.train());
        all.addAll(s.test());
        assertThat(all).hasSize(50);
        assertThat(t.split(fold, 0.2).test()).isEqualTo(s.test());
        assertThat(t.split(fold + 1, 0.2).test()).isNotEqualTo(s.test());
    }
}
