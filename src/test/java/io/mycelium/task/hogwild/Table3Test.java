package io.mycelium.task.hogwild;

import io.mycelium.tensor.Init;
import io.mycelium.data.TuDataset;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class Table3Test {

    /** Small random graphs; class 1 when a node carries feature kind 2 (a motif every node can learn about by messages). */
    static TuDataset synthetic(int graphs) {
        UniformRandomProvider r = Init.rng(42);
        List<GraphSample> gs = new ArrayList<>();
        int[] labels = new int[graphs];
        for (int q = 0; q < graphs; q++) {
            int n = 6 + r.nextInt(6);
            Graph g = Generators.path(n);
            Tensor x = Tensor.zeros(n, 3);
            labels[q] = q % 2;
            for (int i = 0; i < n; i++) x.set(1, i, labels[q] == 1 && i == n / 2 ? 2 : r.nextInt(2));
            gs.add(new GraphSample(g, x, null, Tensor.full(labels[q], 1, 1)));
        }
        return new TuDataset("SYN", gs, labels, new String[] {"0", "1"}, 3);
    }

    @Test
    void foldsAreStratifiedAndCoverEveryGraphOnce() {
        int[] labels = new int[188];
        for (int g = 0; g < labels.length; g++) labels[g] = g < 63 ? 0 : 1;  // MUTAG's 63 / 125
        int[] fold = Table3.folds(labels, 10, 7);
        int[][] count = new int[10][2];
        for (int g = 0; g < labels.length; g++) count[fold[g]][labels[g]]++;
        for (int f = 0; f < 10; f++) {
            assertThat(count[f][0]).isBetween(6, 7);
            assertThat(count[f][1]).isBetween(12, 13);
        }
        assertThat(Table3.folds(labels, 10, 7)).containsExactly(fold);
        assertThat(Table3.folds(labels, 10, 8)).isNotEqualTo(fold);
    }

    @Test
    void asynchronousSubsampleSpreadsOverTheFold() {
        List<GraphSample> gs = synthetic(10).graphs();
        assertThat(Table3.spread(gs, 3)).containsExactly(gs.get(0), gs.get(3), gs.get(6));
        assertThat(Table3.spread(gs, 4)).containsExactly(gs.get(0), gs.get(2), gs.get(5), gs.get(7));
        assertThat(Table3.spread(gs, 10)).isEqualTo(gs);
        assertThat(Table3.spread(gs, Integer.MAX_VALUE)).isEqualTo(gs);
    }

    @Test
    void implicitModelsDoNotChangeUnderAsynchronyAndGcnDoes() {
        TuDataset d = synthetic(20);
        int[] folds = Table3.folds(d.labels(), 4, 1);
        Table3.Settings s = new Table3.Settings(4, 1, 1, 3, 3, 8, 0.01, 1e-8, 3000, new Table2.Settings(4, 3, 2, 100, 1e-9, 30_000), Init.Affine.GLOROT_ZERO);
        Table3.Run ignn = Table3.run(Models.get("ignn"), d, folds, 1, 0, s, null);
        assertThat(ignn.converged()).isTrue();
        assertThat(ignn.maxOutputChange()).isLessThan(1e-6);
        assertThat(ignn.asyncChange()).isZero();
        assertThat(ignn.testAccuracy()).isEqualTo(ignn.syncAccuracy());  // the engine's synchronous run is the trainer's forward
        assertThat(ignn.maxStaleness()).isPositive();
        assertThat(ignn.bestTestAccuracy()).isGreaterThanOrEqualTo(ignn.testAccuracy());
        Table3.Run gcn = Table3.run(Models.get("gcn"), d, folds, 1, 0, s, null);
        assertThat(gcn.maxOutputChange()).isGreaterThan(1e-3);  // an explicit GNN's output moves under stale reads
        assertThat(gcn.testAccuracy()).isEqualTo(gcn.syncAccuracy());
    }

    @Test
    void cellsSummarizeRunsOverFoldsAndOverSeeds() {
        // seed 1: folds 60, 80 (mean 70); seed 2: folds 90, 70 (mean 80); best epochs 70, 80, 95, 75
        List<Table3.Run> runs = List.of(run(1, 0, 60, 70, true), run(1, 1, 80, 80, false), run(2, 0, 90, 95, false), run(2, 1, 70, 75, false));
        Table3.Cell c = Table3.cells(runs, List.of("ignn"), List.of(synthetic(4))).getFirst();
        assertThat(c.mean()).isCloseTo(75, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.std()).isCloseTo(Math.sqrt((225 + 25 + 225 + 25) / 3.0), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.seedStd()).isCloseTo(Math.sqrt(50), org.assertj.core.data.Offset.offset(1e-12));  // std of {70, 80}
        assertThat(c.bestMean()).isCloseTo(80, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.constantRuns()).isEqualTo(1);
        assertThat(c.runs()).isEqualTo(4);
    }

    private static Table3.Run run(long seed, int fold, double test, double best, boolean constant) {
        return new Table3.Run("ignn", "syn", seed, fold, test, best, 70, constant, test, new double[] {test}, 0, 0, true, 1);
    }
}
