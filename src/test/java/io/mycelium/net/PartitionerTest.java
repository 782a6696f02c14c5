package io.mycelium.net;

import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import io.mycelium.task.NodeRegression;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The networked engine's partition map: balanced, deterministic, and the communication volume it minimizes. */
class PartitionerTest {
    /** Rows a round sends, summed over every partition and peer, as {@link Partition} lays the halos out. */
    static long sentRows(Graph g, int[] partOf) {
        long s = 0;
        for (Partition p : Partition.split(g, partOf)) for (int k = 0; k < p.peers().length; k++) s += p.sendRows(k).length;
        return s;
    }

    static int[] sizes(int[] partOf, int parts) {
        int[] s = new int[parts];
        for (int p : partOf) s[p]++;
        return s;
    }

    /** {@code u} and {@code v} under a seeded permutation of the ids, so that id order says nothing about the structure. */
    static Graph shuffled(int n, List<int[]> edges, long seed) {
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) perm.add(i);
        java.util.Collections.shuffle(perm, new Random(seed));
        int[] u = new int[edges.size()], v = new int[edges.size()];
        for (int e = 0; e < edges.size(); e++) {
            u[e] = perm.get(edges.get(e)[0]);
            v[e] = perm.get(edges.get(e)[1]);
        }
        return Graph.fromEdges(n, u, v);
    }

    @Test
    void splitIsBalancedDeterministicNoWorseThanBreadthFirstAndItsVolumeIsTheRowsSent() {
        Graph ba = NodeRegression.build(NodeRegression.Config.paper().withSeed(1)).graph();
        Graph rgg = Job.Infer.of("ignn", 601, 0.08, 2, 3, 1e-6).graph();   // 601: no part count divides it
        for (Graph g : List.of(ba, rgg))
            for (int parts = 1; parts <= 4; parts++) {
                int[] bfs = Partitioner.bfs(g, parts), split = Partitioner.split(g, parts);
                assertThat(Partitioner.volume(g, bfs, parts)).isEqualTo(sentRows(g, bfs));
                assertThat(Partitioner.volume(g, split, parts)).isEqualTo(sentRows(g, split));
                assertThat(Partitioner.split(g, parts)).isEqualTo(split);
                for (int s : sizes(split, parts)) assertThat(s).isBetween(g.n() / parts, (g.n() + parts - 1) / parts);
                assertThat(sentRows(g, split)).isLessThanOrEqualTo(sentRows(g, bfs));
            }
        // the bench's graph: the breadth-first cut sends 84 rows a round (36 and 48)
        assertThat(sentRows(ba, Partitioner.split(ba, 2))).isLessThan(sentRows(ba, Partitioner.bfs(ba, 2)) * 3 / 5);
    }

    @Test
    void findsTheObviousCuts() {
        // two 10-cliques joined by one edge: the best bisection sends one row each way
        List<int[]> edges = new ArrayList<>();
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 10; i++) for (int j = i + 1; j < 10; j++) edges.add(new int[] {10 * c + i, 10 * c + j});
        edges.add(new int[] {3, 17});
        for (long seed = 1; seed <= 5; seed++) {
            Graph g = shuffled(20, edges, seed);
            int[] m = Partitioner.split(g, 2);
            assertThat(sentRows(g, m)).as("seed " + seed).isEqualTo(2);
        }
        // a 6 x 8 grid: the best bisection cuts across the long side, 6 rows each way (the breadth-first
        // cuts of these five shuffles send 12 to 16)
        List<int[]> grid = new ArrayList<>();
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 8; c++) {
                if (c + 1 < 8) grid.add(new int[] {8 * r + c, 8 * r + c + 1});
                if (r + 1 < 6) grid.add(new int[] {8 * r + c, 8 * (r + 1) + c});
            }
        for (long seed = 1; seed <= 5; seed++) {
            Graph g = shuffled(48, grid, seed);
            assertThat(sentRows(g, Partitioner.split(g, 2))).as("seed " + seed + ": " + Arrays.toString(Partitioner.split(g, 2))).isEqualTo(12);
        }
    }
}
