package io.mycelium.task.hogwild;

import io.mycelium.tensor.Init;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
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

    /**
     * Fold {@code f}: a seeded shuffle of the pool, {@code testFraction} of it held out. Classification
     * pools are split per class (by the first node's label), so a small test set keeps the balance,
     * and their test graphs are then shuffled together, so a sub-sample of the first few is random.
     */
    public Split split(int fold, double testFraction) {
        List<GraphSample> s = new ArrayList<>(pool);
        UniformRandomProvider r = Init.rng(0x5EEDL * 1_000_003L + fold);
        GraphTrainer.shuffle(s, r);
        List<List<GraphSample>> strata = new ArrayList<>();
        if (objective instanceof Objective.Binary) {
            java.util.Map<Double, List<GraphSample>> byLabel = new java.util.TreeMap<>();
            for (GraphSample g : s) byLabel.computeIfAbsent(g.y().get(0, 0), k -> new ArrayList<>()).add(g);
            strata.addAll(byLabel.values());
        } else strata.add(s);
        List<GraphSample> train = new ArrayList<>(), test = new ArrayList<>();
        for (List<GraphSample> st : strata) {
            int k = Math.max(1, (int) Math.round(st.size() * testFraction));
            if (k >= st.size()) throw new IllegalArgumentException("task " + id + " has " + st.size() + " graphs of a kind, too few to split");
            test.addAll(st.subList(0, k));
            train.addAll(st.subList(k, st.size()));
        }
        // the strata come one class after the other: mix the test graphs again, so that the first few
        // (Table 2's sub-sample of 10) are a random draw and not all of the first class
        if (strata.size() > 1) GraphTrainer.shuffle(test, r);
        return new Split(List.copyOf(train), List.copyOf(test));
    }

    public int outputWidth() { return objective.outputWidth(); }
}
