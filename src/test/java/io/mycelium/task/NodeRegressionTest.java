package io.mycelium.task;

import io.mycelium.graph.Graph;
import io.mycelium.train.Scheme;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRegressionTest {
    static NodeRegression.Config small(int epochs) {
        return new NodeRegression.Config(20, 2, 10, 200, 50, 20, 1e-2, epochs, 0.1, 1, 3);
    }

    @Test
    void barabasiAlbertHasTheRightSizeAndIsConnected() {
        Graph g = TaskGraphs.barabasiAlbert(100, 2, 7);
        assertThat(g.n()).isEqualTo(100);
        assertThat(g.edgeCount()).isEqualTo(2 + 97 * 2);
        assertThat(g.isConnected()).isTrue();
        assertThat(g.maxDegree()).isGreaterThan(8); // preferential attachment grows hubs
        assertThat(TaskGraphs.barabasiAlbert(100, 2, 7).neighbours()).isEqualTo(g.neighbours());
    }

    @Test
    void featuresHaveTheDocumentedColumns() {
        var x = NodeRegression.features(30, 40, io.mycelium.tensor.Init.rng(1)).data();
        int rows = x.length / 10;
        double ones25 = 0, ones75 = 0;
        for (int r = 0; r < rows; r++) {
            assertThat(x[r * 10]).isBetween(0.0, 1.0);
            assertThat(x[r * 10 + 2]).isIn(0.0, 1.0, 2.0, 3.0, 4.0);
            ones25 += x[r * 10 + 3];
            ones75 += x[r * 10 + 4];
            double hot = 0;
            for (int c = 5; c < 10; c++) hot += x[r * 10 + c];
            assertThat(hot).isEqualTo(1.0);
        }
        assertThat(ones25 / rows).isBetween(0.2, 0.3);
        assertThat(ones75 / rows).isBetween(0.7, 0.8);
    }

    @Test
    void labelsSitOnTheTeacherWithTheStatedNoise() {
        NodeRegression.Config c = small(0);
        NodeRegression.Problem p = NodeRegression.build(c);
        NodeRegression.Problem clean = NodeRegression.build(new NodeRegression.Config(20, 2, 10, 200, 50, 20, 1e-2, 0, 0.0, 1, 3));
        double[] a = p.train().y().data(), b = clean.train().y().data();
        double ss = 0;
        for (int q = 0; q < a.length; q++) ss += (a[q] - b[q]) * (a[q] - b[q]);
        assertThat(Math.sqrt(ss / a.length)).isBetween(0.09, 0.11);
    }

    @Test
    void shortRunsLearnAndDistributedFollowsCentralized() {
        NodeRegression.Problem p = NodeRegression.build(small(40));
        io.mycelium.train.TrainingRun.Result sgd = NodeRegressionRun.run(p, Scheme.SGD, null);
        io.mycelium.train.TrainingRun.Result dsgd = NodeRegressionRun.run(p, Scheme.D_SGD, null);
        io.mycelium.train.TrainingRun.Result ams = NodeRegressionRun.run(p, Scheme.D_AMSGRAD, null);
        double start = sgd.epochs().getFirst().testMse();
        assertThat(sgd.last().testMse()).isLessThan(start / 2);
        assertThat(ams.last().testMse()).isLessThan(start / 2);
        assertThat(dsgd.last().testMse()).isCloseTo(sgd.last().testMse(), org.assertj.core.data.Percentage.withPercentage(20));
        assertThat(sgd.epochs()).hasSize(41);
        assertThat(sgd.perMinibatch().rounds()).isEqualTo(2 * 20);
        assertThat(dsgd.perMinibatch().rounds()).isEqualTo(2 * 20 + 1);
        assertThat(dsgd.last().rounds()).isEqualTo(40L * 10 * 41);
    }

    @Test
    void dNaiveWithOneConsensusRoundFollowsSgdEpochByEpochAtTwiceTheRounds() {
        NodeRegression.Problem p = NodeRegression.build(small(40));
        io.mycelium.train.TrainingRun.Result sgd = NodeRegressionRun.run(p, Scheme.SGD, null);
        io.mycelium.train.TrainingRun.Result naive = NodeRegressionRun.run(p, Scheme.D_NAIVE, null);
        double worst = 0;
        for (int e = 1; e < sgd.epochs().size(); e++) {
            double a = sgd.epochs().get(e).testMse(), b = naive.epochs().get(e).testMse();
            worst = Math.max(worst, Math.abs(b - a) / a);
        }
        // K = 1 (the paper's setting): the copies' mixed local updates track centralized SGD closely
        assertThat(worst).isLessThan(0.02);
        assertThat(naive.last().testMse()).isLessThan(sgd.epochs().getFirst().testMse() / 2);
        // B(2L-1) + BK = 20·3 + 20 rounds against SGD's LB = 40
        assertThat(naive.perMinibatch().rounds()).isEqualTo(2 * sgd.perMinibatch().rounds());
    }

    @Test
    void sameSeedSameNumbers() {
        NodeRegression.Problem p = NodeRegression.build(small(3)), q = NodeRegression.build(small(3));
        assertThat(NodeRegressionRun.run(p, Scheme.D_ADAM, null).epochs()).isEqualTo(NodeRegressionRun.run(q, Scheme.D_ADAM, null).epochs());
    }
}
