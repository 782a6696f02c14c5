package io.mycelium.task.hogwild;

import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Objective;

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
 * @param standardizeTargets regression targets standardized with the training split's mean and
 *                     standard deviation ({@link Objective#fitTo}; predictions mapped back before
 *                     scoring), or raw as in the paper (Appendix F.2: mean squared error on the targets)
 * @param explicitEpochs epochs of the explicit models (GCN, GAT: trained by backprop through their L
 *                     layers, milliseconds per epoch), where {@code epochs} is for the implicit ones
 */
public record HogwildConfig(List<String> models, List<String> tasks, int seeds, int folds, int epochs, int batchSize, double lr,
                            double testFraction, double tol, int maxIter, HogwildTasks.Sizes sizes, String mnistDir, long dataSeed,
                            boolean standardizeTargets, int explicitEpochs) {

    public HogwildConfig {
        if (seeds < 1 || folds < 1) throw new IllegalArgumentException("need at least one seed and one fold");
        if (epochs < 1 || explicitEpochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs + " and " + explicitEpochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        if (!(tol > 0) || maxIter < 1) throw new IllegalArgumentException("need a positive tolerance and iteration budget");
        models = List.copyOf(models);
        tasks = List.copyOf(tasks);
    }

    /** Standardized targets, the same epochs for every model (Table 1's settings before these options existed). */
    public HogwildConfig(List<String> models, List<String> tasks, int seeds, int folds, int epochs, int batchSize, double lr,
                         double testFraction, double tol, int maxIter, HogwildTasks.Sizes sizes, String mnistDir, long dataSeed) {
        this(models, tasks, seeds, folds, epochs, batchSize, lr, testFraction, tol, maxIter, sizes, mnistDir, dataSeed, true, epochs);
    }

    /** Epochs a model trains: {@code explicitEpochs} for an explicit one, {@code epochs} for an implicit one. */
    public int epochsFor(Models.Entry m, HogwildTask task) { return m.implicit(task) ? epochs : explicitEpochs; }

    /** Training for one seed: the paper's Adam schedule (Appendix F.2) with these epochs and batch size. */
    public GraphTrainer.Config trainer(long seed, int epochs) {
        return GraphTrainer.Config.paper().withEpochs(epochs).withBatchSize(batchSize).withLr(lr).withSeed(seed);
    }

    /** The task's objective, standardized to {@code train}'s targets when {@link #standardizeTargets}. */
    public Objective objective(HogwildTask task, List<GraphSample> train) {
        return standardizeTargets ? task.objective().fitTo(train) : task.objective();
    }

    public GraphNet.Solver solver() { return GraphNet.Solver.of(tol, maxIter); }
}
