package io.mycelium.task;

import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncBenchTest {

    /** Edges as "min,max" strings, ids mapped through {@code id}. */
    static TreeSet<String> edges(Graph g, int[] id) {
        TreeSet<String> s = new TreeSet<>();
        for (int i = 0; i < g.n(); i++)
            for (int e = g.offsets()[i]; e < g.offsets()[i + 1]; e++) {
                int a = id[i], b = id[g.neighbours()[e]];
                s.add(Math.min(a, b) + "," + Math.max(a, b));
            }
        return s;
    }

    @Test
    void columnOrderedGraphIsTheSameGeometricGraphRelabelledWithANarrowBand() {
        int n = 5000;
        double r = AsyncBench.radiusFor(n, 7);
        double[][] pts = Generators.uniformPoints(n, 3);
        double[][] sorted = AsyncBench.columnOrder(pts, r);
        Map<double[], Integer> original = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) original.put(pts[i], i);
        int[] toOriginal = new int[n], identity = new int[n];
        for (int i = 0; i < n; i++) {
            toOriginal[i] = original.get(sorted[i]);
            identity[i] = i;
        }
        Graph plain = Generators.randomGeometric(pts, r), ordered = AsyncBench.graph(n, r, 3);
        assertThat(ordered.directedEdgeCount()).isEqualTo(plain.directedEdgeCount()).isPositive();
        assertThat(edges(ordered, toOriginal)).isEqualTo(edges(plain, identity));
        // columns of width r: an edge spans at most the next column, about 2 n r ids
        int band = 0, plainBand = 0;
        for (int i = 0; i < n; i++) {
            for (int e = ordered.offsets()[i]; e < ordered.offsets()[i + 1]; e++) band = Math.max(band, Math.abs(ordered.neighbours()[e] - i));
            for (int e = plain.offsets()[i]; e < plain.offsets()[i + 1]; e++) plainBand = Math.max(plainBand, Math.abs(plain.neighbours()[e] - i));
        }
        assertThat(band).isLessThan((int) (3 * n * r)).isLessThan(plainBand / 10);
    }
}
