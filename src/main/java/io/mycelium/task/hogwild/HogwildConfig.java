package io.mycelium.task.hogwild;

import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphTrainer;

import java.util.List;

/**
 * Settings shared by the Table 1 and Table 2 reproductions.
 *
 * @param seeds        parameter seeds 1..seeds (the paper: 5)
 * @param folds        train/test splits 0..folds-1 (the paper: 10)
 * @param testFraction share of each task's graphs held out for testing
 * @param tol          forward and adjoint solver tolerance (max-abs change per iteration)
 * @param maxIter      solver iteration budget
 * @param dataSeed     seed of the generated data sets
 */
public record HogwildConfig(List<String> models, List<String> tasks, int seeds, int folds, int epochs, int batchSize, double lr,
                            double testFraction, double tol, int maxIter, HogwildTasks.Sizes sizes, String mnistDir, long dataSeed) {

    public HogwildConfig {
        if (seeds < 1 || folds < 1) throw new IllegalArgumentException("need at least one seed and one fold");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        if (!(tol > 0) || maxIter < 1) throw new IllegalArgumentException("need a positive tolerance and iteration budget");
        models = List.copyOf(models);
        tasks = List.copyOf(tasks);
    }

    /** Training for one seed: the paper's Adam schedule (Appendix F.2) with these epochs and batch size. */
    public GraphTrainer.Config trainer(long seed) {
        return GraphTrainer.Config.paper().withEpochs(epochs).withBatchSize(batchSize).withLr(lr).withSeed(seed);
    }

    public GraphNet.Solver solver() { return GraphNet.Solver.of(tol, maxIter); }
}
