package io.mycelium.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GraphTest {

    static LongStream seeds() { return LongStream.range(1, 11); }

    @ParameterizedTest
    @MethodSource("seeds")
    void csrIsSymmetricSortedAndWithoutDuplicates(long seed) {
        Graph g = TestGraphs.random(30, 0.15, seed);
        int[] off = g.offsets(), nb = g.neighbours();
        assertThat(off).hasSize(g.n() + 1);
        assertThat(off[0]).isZero();
        assertThat(off[g.n()]).isEqualTo(nb.length).isEqualTo(2 * g.edgeCount());
        for (int i = 0; i < g.n(); i++) {
            for (int p = off[i]; p < off[i + 1]; p++) {
                if (p > off[i]) assertThat(nb[p]).isGreaterThan(nb[p - 1]);
                assertThat(nb[p]).isNotEqualTo(i);
                assertThat(g.hasEdge(nb[p], i)).as("reverse of %d-%d", i, nb[p]).isTrue();
            }
        }
    }

    @Test
    void duplicateAndReversedEdgesAreMerged() {
        Graph g = Graph.fromEdges(4, new int[] {0, 1, 0, 2, 3}, new int[] {1, 0, 1, 3, 2});
        assertThat(g.edgeCount()).isEqualTo(2);
        assertThat(g.degree(0)).isEqualTo(1);
        assertThat(g.degree(1)).isEqualTo(1);
        assertThat(g.neighbours()).containsExactly(1, 0, 3, 2);
    }

    @Test
    void fromEdgesRejectsBadInput() {
        assertThatThrownBy(() -> Graph.fromEdges(3, new int[] {0}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> Graph.fromEdges(3, new int[] {-1}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> Graph.fromEdges(3, new int[] {2}, new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("self-loop");
        assertThatThrownBy(() -> Graph.fromEdges(0, new int[0], new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one node");
        assertThatThrownBy(() -> Graph.fromEdges(3, new int[] {0, 1}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void edgeIndexAndReverseEdgesAgree(long seed) {
        Graph g = TestGraphs.random(25, 0.2, seed);
        int[] off = g.offsets(), nb = g.neighbours(), rev = g.reverseEdges();
        double[][] a = TestGraphs.adjacency(g);
        for (int i = 0; i < g.n(); i++) {
            for (int p = off[i]; p < off[i + 1]; p++) {
                int j = nb[p];
                assertThat(g.edgeIndex(i, j)).isEqualTo(p);
                assertThat(rev[p]).isEqualTo(g.edgeIndex(j, i));
                assertThat(nb[rev[p]]).isEqualTo(i);
                assertThat(rev[rev[p]]).isEqualTo(p);
                assertThat(rev[p]).isBetween(off[j], off[j + 1] - 1);
            }
            for (int j = 0; j < g.n(); j++)
                assertThat(g.edgeIndex(i, j) >= 0).isEqualTo(a[i][j] == 1);
        }
    }

    @Test
    void connectivity() {
        assertThat(Graph.fromEdges(1, new int[0], new int[0]).isConnected()).isTrue();
        assertThat(Graph.fromEdges(4, new int[] {0, 1, 2}, new int[] {1, 2, 3}).isConnected()).isTrue();
        assertThat(Graph.fromEdges(4, new int[] {0, 2}, new int[] {1, 3}).isConnected()).isFalse();
        // An isolated last node disconnects an otherwise connected graph.
        assertThat(Graph.fromEdges(5, new int[] {0, 1, 2}, new int[] {1, 2, 3}).isConnected()).isFalse();
        assertThat(TestGraphs.connected(50, 10, 7).isConnected()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void connectivityMatchesUnionFind(long seed) {
        Graph g = TestGraphs.random(20, 0.08, seed);
        int[] parent = new int[g.n()];
        for (int i = 0; i < parent.length; i++) parent[i] = i;
        int components = g.n();
        for (int i = 0; i < g.n(); i++) {
            for (int p = g.offsets()[i]; p < g.offsets()[i + 1]; p++) {
                int a = find(parent, i), b = find(parent, g.neighbours()[p]);
                if (a != b) { parent[a] = b; components--; }
            }
        }
        assertThat(g.isConnected()).isEqualTo(components == 1);
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) x = parent[x];
        return x;
    }
}
