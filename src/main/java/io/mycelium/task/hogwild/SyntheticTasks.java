package io.mycelium.task.hogwild;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic tasks of the hogwild paper, Section 6.1, generated from a seed. Sizes default to the
 * paper's; the {@code count} arguments let CI-sized runs draw fewer graphs of the same kind.
 */
public final class SyntheticTasks {
    private SyntheticTasks() {}

    /**
     * Chains (Gu et al. 2020): undirected paths of {@code length} nodes; a chain of class k has
     * {@code X[0, k] = 1} and zeros elsewhere, and every node must predict k. With two classes (the
     * paper trains it with binary cross-entropy) the label is one logit. Classes alternate, so the
     * pool is balanced.
     */
    public static HogwildTask chains(int count, int length, long seed) {
        if (count < 2 || length < 1) throw new IllegalArgumentException("chains needs at least 2 chains of at least 1 node");
        Graph g = Generators.path(length);
        List<GraphSample> pool = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            int k = q % 2;
            Tensor x = Tensor.zeros(length, 2);
            x.set(1, 0, k);
            pool.add(new GraphSample(g, x, null, Tensor.full(k, length, 1)));
        }
        return new HogwildTask("chains", "Chains", pool, 2, 0, Objective.binaryClassification(false));
    }

    /** Counting: one chain of each size 1..{@code maxNodes}; features one-hot degree (0, 1, 2); every node predicts the size. */
    public static HogwildTask count(int maxNodes) {
        if (maxNodes < 2) throw new IllegalArgumentException("count needs chains up to at least 2 nodes");
        List<GraphSample> pool = new ArrayList<>();
        for (int n = 1; n <= maxNodes; n++) {
            Graph g = Generators.path(n);
            Tensor x = Tensor.zeros(n, 3);
            for (int i = 0; i < n; i++) x.set(1, i, g.degree(i));
            pool.add(new GraphSample(g, x, null, Tensor.full(n, n, 1)));
        }
        return new HogwildTask("count", "Count", pool, 3, 0, Objective.regression(1, false));
    }

    /** Sums: {@code count} chains of {@code length} nodes with fair binary features; every node predicts their sum. */
    public static HogwildTask sums(int count, int length, long seed) {
        if (count < 2 || length < 1) throw new IllegalArgumentException("sums needs at least 2 chains of at least 1 node");
        UniformRandomProvider r = Init.rng(seed);
        Graph g = Generators.path(length);
        List<GraphSample> pool = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            Tensor x = Tensor.zeros(length, 1);
            double s = 0;
            for (int i = 0; i < length; i++) {
                double v = r.nextBoolean() ? 1 : 0;
                x.data()[i] = v;
                s += v;
            }
            pool.add(new GraphSample(g, x, null, Tensor.full(s, length, 1)));
        }
        return new HogwildTask("sum", "Sum", pool, 1, 0, Objective.regression(1, false));
    }

    /**
     * Coordinates: {@code count} random geometric graphs of {@code nodes} points uniform in the unit
     * square, joined within {@code radius}; features one-hot node ids, edge features the distances;
     * every node predicts a position, the loss compares pairwise distances (targets: true positions).
     */
    public static HogwildTask coordinates(int count, int nodes, double radius, long seed) {
        if (count < 2 || nodes < 2) throw new IllegalArgumentException("coordinates needs at least 2 graphs of at least 2 nodes");
        UniformRandomProvider r = Init.rng(seed);
        List<GraphSample> pool = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            double[][] pts = new double[nodes][2];
            for (double[] p : pts) {
                p[0] = r.nextDouble();
                p[1] = r.nextDouble();
            }
            Graph g = Generators.randomGeometric(pts, radius);
            Tensor x = Tensor.zeros(nodes, nodes), y = Tensor.zeros(nodes, 2), e = Tensor.zeros(g.directedEdgeCount(), 1);
            int[] off = g.offsets(), nb = g.neighbours();
            for (int i = 0; i < nodes; i++) {
                x.set(1, i, i);
                y.set(pts[i][0], i, 0);
                y.set(pts[i][1], i, 1);
                for (int p = off[i]; p < off[i + 1]; p++) e.data()[p] = Math.hypot(pts[i][0] - pts[nb[p]][0], pts[i][1] - pts[nb[p]][1]);
            }
            pool.add(new GraphSample(g, x, e, y));
        }
        return new HogwildTask("coordinates", "Coordinates", pool, nodes, 1, Objective.pairwiseDistances());
    }
}
