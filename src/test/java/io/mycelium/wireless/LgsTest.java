package io.mycelium.wireless;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LgsTest {
    private static final Path DATA = Path.of("..", "shared", "data", "link-scheduling");

    private static void assertIndependentAndMaximal(Graph g, boolean[] in) {
        int[] off = g.offsets(), nb = g.neighbours();
        for (int v = 0; v < g.n(); v++) {
            boolean covered = in[v];
            for (int p = off[v]; p < off[v + 1]; p++) {
                if (in[v]) assertThat(in[nb[p]]).as("edge %d-%d inside the set", v, nb[p]).isFalse();
                covered |= in[nb[p]];
            }
            assertThat(covered).as("vertex %d could still join", v).isTrue();
        }
    }

    /** LGS centralized, LGS by message passing and greedy agree, also with ties (weights with many zeros, as z ⊙ w has). */
    @Test
    void distributedLgsPicksTheGreedySetWithItsRoundCount() {
        Random r = new Random(3);
        for (int t = 0; t < 40; t++) {
            Graph g = Generators.erdosRenyi(100, (2 + t % 24) / 99.0, t);
            double[] w = new double[100];
            for (int i = 0; i < 100; i++) w[i] = t % 2 == 0 ? r.nextDouble() : (r.nextBoolean() ? 0 : Math.floor(4 * r.nextDouble()));
            boolean[] greedy = Lgs.greedy(g, w), lgs = new boolean[100];
            int iterations = Lgs.iterations(g, w, lgs);
            Comm comm = Comm.local(Partition.whole(g));
            boolean[] dist = Lgs.distributed(comm, w);
            assertIndependentAndMaximal(g, greedy);
            assertThat(lgs).isEqualTo(greedy);
            assertThat(dist).isEqualTo(greedy);
            assertThat(comm.counters().rounds()).isEqualTo(Lgs.rounds(iterations));
            assertThat(comm.counters().floats()).isEqualTo(100L * Lgs.rounds(iterations) - countIsolated(g) * Lgs.rounds(iterations));
        }
    }

    private static long countIsolated(Graph g) {
        long k = 0;
        for (int v = 0; v < g.n(); v++) if (g.degree(v) == 0) k++;
        return k;
    }

    /** The test graphs: the data README's greedy utilities and LGS iteration counts, and distributed LGS = greedy. */
    @Test
    void testGraphsGiveTheDataReadmesNumbers() {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "needs ../shared/data/link-scheduling");
        SchedulingTestSet set = SchedulingTestSet.read(DATA);
        double[] utility = {34.227450, 32.350329, 23.239866, 21.981306, 11.350928, 13.368748, 15.557554, 14.967214, 10.601527, 9.802820};
        int[] iterations = {2, 3, 3, 3, 3, 3, 4, 3, 4, 3};
        assertThat(set.size()).isEqualTo(10);
        for (int k = 0; k < 10; k++) {
            Graph g = set.graphs().get(k);
            double[] w = set.weights().get(k);
            boolean[] greedy = Lgs.greedy(g, w), lgs = new boolean[g.n()];
            assertThat(Lgs.utility(greedy, w)).isCloseTo(utility[k], within(1e-6));
            assertThat(Lgs.iterations(g, w, lgs)).isEqualTo(iterations[k]);
            Comm comm = Comm.local(Partition.whole(g));
            assertThat(Lgs.distributed(comm, w)).isEqualTo(greedy);
            assertThat(comm.counters().rounds()).isEqualTo(1 + 2 * iterations[k]);
        }
    }
}
