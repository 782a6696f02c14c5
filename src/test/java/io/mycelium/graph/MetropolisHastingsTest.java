package io.mycelium.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mycelium.tensor.Init;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Eq. 16 of the distributed training paper. */
class MetropolisHastingsTest {

    static LongStream seeds() { return LongStream.range(1, 13); }

    @ParameterizedTest
    @MethodSource("seeds")
    void weightsFollowEquation16(long seed) {
        Graph g = TestGraphs.random(20, 0.2, seed);
        double[][] w = ShiftOperator.metropolisHastings(g).toDense();
        double[][] a = TestGraphs.adjacency(g);
        int n = g.n();
        for (int i = 0; i < n; i++) {
            double row = 0, offDiagonal = 0;
            for (int j = 0; j < n; j++) {
                row += w[i][j];
                assertThat(w[i][j]).as("W[%d][%d]", i, j).isGreaterThanOrEqualTo(0).isEqualTo(w[j][i]);
                if (i != j) {
                    double expected = a[i][j] == 1 ? 1.0 / (1 + Math.max(g.degree(i), g.degree(j))) : 0;
                    assertThat(w[i][j]).isCloseTo(expected, within(1e-15));
                    offDiagonal += w[i][j];
                }
            }
            assertThat(row).isCloseTo(1, within(1e-12));
            assertThat(w[i][i]).isCloseTo(1 - offDiagonal, within(1e-15));
        }
        assertThat(ShiftOperator.metropolisHastings(g).symmetric()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void repeatedConsensusReachesTheAverage(long seed) {
        Graph g = TestGraphs.connected(12 + 3 * (int) seed, (int) seed, seed);
        Operator w = ShiftOperator.metropolisHastings(g);
        int n = g.n();
        double[] x = Init.uniform(Init.rng(seed), -5, 5, n).data().clone();
        double mean = 0;
        for (double v : x) mean += v / n;
        int[] off = g.offsets(), nb = g.neighbours();
        double initialSpread = spread(x, mean);
        double deviation = deviation(x, mean);
        int rounds = 0;
        while (spread(x, mean) > 1e-9 && rounds < 200_000) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                double s = w.self()[i] * x[i];
                for (int p = off[i]; p < off[i + 1]; p++) s += w.weights()[p] * x[nb[p]];
                next[i] = s;
            }
            x = next;
            rounds++;
            double sum = 0;
            for (double v : x) sum += v;
            assertThat(sum / n).as("the average is preserved").isCloseTo(mean, within(1e-9));
            // W is symmetric and doubly stochastic, so the distance to consensus never grows.
            double d = deviation(x, mean);
            assertThat(d).isLessThanOrEqualTo(deviation + 1e-12);
            deviation = d;
        }
        assertThat(initialSpread).isGreaterThan(0.1);
        assertThat(spread(x, mean)).as("after %d rounds", rounds).isLessThanOrEqualTo(1e-9);
    }

    private static double deviation(double[] x, double mean) {
        double s = 0;
        for (double v : x) s += (v - mean) * (v - mean);
        return Math.sqrt(s);
    }

    private static double spread(double[] x, double mean) {
        double m = 0;
        for (double v : x) m = Math.max(m, Math.abs(v - mean));
        return m;
    }
}
