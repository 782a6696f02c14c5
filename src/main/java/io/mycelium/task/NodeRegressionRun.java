package io.mycelium.task;

import io.mycelium.graph.ShiftOperator;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;

/** Trains the node-regression student with one scheme: {@link TrainingRun} on the problem of {@link NodeRegression}. */
public final class NodeRegressionRun {
    private NodeRegressionRun() {}

    public static TrainingRun.Setup setup(NodeRegression.Problem p) {
        NodeRegression.Config c = p.config();
        return new TrainingRun.Setup(p.graph(), ShiftOperator.NORMALIZED_LAPLACIAN, p.student(), p.init(), p.train(), p.test(),
                c.batch(), c.lr(), c.epochs(), c.consensusRounds(), c.seed());
    }

    public static TrainingRun.Result run(NodeRegression.Problem p, Scheme scheme, Runnable afterEpoch) {
        return TrainingRun.run(setup(p), scheme, afterEpoch);
    }

    /** As {@link #run(NodeRegression.Problem, Scheme, Runnable)}, continuing from and saving checkpoints ({@code ck} may be null). */
    public static TrainingRun.Result run(NodeRegression.Problem p, Scheme scheme, Runnable afterEpoch, TrainingRun.Checkpoints ck) {
        return TrainingRun.run(setup(p), scheme, null, afterEpoch, ck);
    }
}
