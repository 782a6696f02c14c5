package io.mycelium.task.hogwild;

import io.mycelium.autodiff.Init;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic multi-agent task of the hogwild paper (Section 6.1): a pool of small graphs, the
 * widths of their node and edge features, and the objective. Folds are seeded random splits of
 * the pool into training and test graphs.
 *
 * @param edgeFeatures width of the edge features, 0 when the task has none
 */
public record HogwildTask(String id, String title, List<GraphSample> pool, int nodeFeatures, int edgeFeatures, Objective objective) {

    /** Train and test graphs of one fold. */
    public record Split(List<GraphSample> train, List<GraphSample> test) {}

    /** Fold {@code f}: a seeded shuffle of the pool, the first {@code 1 - testFraction} for training. */
    public Split split(int fold, double testFraction) {
        List<GraphSample> s = new ArrayList<>(pool);
        UniformRandomProvider r = Init.rng(0x5EEDL * 1_000_003L + fold);
        for (int i = s.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            GraphSample t = s.get(i);
            s.set(i, s.get(j));
            s.set(j, t);
        }
        int test = Math.max(1, (int) Math.round(s.size() * testFraction));
        if (test >= s.size()) throw new IllegalArgumentException("task " + id + " has " + s.size() + " graphs, too few to split");
        return new Split(List.copyOf(s.subList(test, s.size())), List.copyOf(s.subList(0, test)));
    }

    public int outputWidth() { return objective.outputWidth(); }
}
