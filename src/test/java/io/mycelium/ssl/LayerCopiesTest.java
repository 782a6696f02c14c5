package io.mycelium.ssl;

import io.mycelium.graph.Graph;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Partial parameter copies: which rows a node holds, the forward pass over them, merging the shared rows. */
class LayerCopiesTest {
    // path 0 – 1 – 2, 4 input dims, width 2; x0 = e0, x1 = e1, x2 = e3: nobody has dim 2
    static final SslGraph DATA = SslGraph.of(Graph.fromEdges(3, new int[] {0, 1}, new int[] {1, 2}),
            new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, 4);
    static final double[] INIT = {1, 2, 3, 4, 5, 6, 7, 8, 0.5, -0.5}; // W rows 0..3, then b

    @Test
    void aNodeHoldsTheRowsItsOwnAndItsNeighboursFeaturesTouch() {
        int[][] held = LayerCopies.touchedRows(DATA);
        assertThat(held[0]).containsExactly(0, 1);
        assertThat(held[1]).containsExactly(0, 1, 3);
        assertThat(held[2]).containsExactly(1, 3);
        LayerCopies c = new LayerCopies(3, 4, 2, INIT, held, true);
        assertThat(c.blockLength(1)).isEqualTo(3 * 2 + 2);
        assertThat(c.payload(1)).as("rows, bias, age and 3 row ids").isEqualTo(8 + 1 + 3);
        assertThat(c.full(2)).containsExactly(INIT);
        assertThat(c.holds(0, 3)).isFalse();
        assertThat(c.holds(1, 3)).isTrue();
    }

    @Test
    void theForwardPassEqualsTheFullMatrixOnTheNodesInputs() {
        LayerCopies c = new LayerCopies(3, 4, 2, INIT, LayerCopies.touchedRows(DATA), false);
        double[] a = {0.3, 0.2, 0, 0.7}, u = new double[2];
        c.affine(1, a, u);
        // a·W + b with the full matrix
        assertThat(u[0]).isCloseTo(0.3 * 1 + 0.2 * 3 + 0.7 * 7 + 0.5, within(1e-15));
        assertThat(u[1]).isCloseTo(0.3 * 2 + 0.2 * 4 + 0.7 * 8 - 0.5, within(1e-15));
    }

    @Test
    void mergingAveragesTheSharedRowsAndKeepsTheRest() {
        LayerCopies c = new LayerCopies(3, 4, 2, INIT, LayerCopies.touchedRows(DATA), false);
        SslConfig sgd = SslConfig.defaults().withOptimizer(SslConfig.Optimizer.SGD).withLr(1).withLrZeroAt(0);
        c.step(sgd, 0, new double[] {1, 1, 0, 0}, new double[] {1, 1}, new double[8], 0); // rows 0, 1 and b of node 0: −1
        c.step(sgd, 2, new double[] {0, 1, 0, 1}, new double[] {2, 2}, new double[8], 0); // rows 1, 3 and b of node 2: −2
        c.merge(0, 2, 0.25); // node 0 ← 0.25·mine + 0.75·node 2's, on row 1 and b only
        double[] p = c.full(0);
        assertThat(p).containsExactly(0, 1, 0.25 * 2 + 0.75 * 1, 0.25 * 3 + 0.75 * 2, 5, 6, 7, 8,
                0.25 * -0.5 + 0.75 * -1.5, 0.25 * -1.5 + 0.75 * -2.5);
        assertThat(c.age[0]).isEqualTo(1);
        double[] mean = c.mean(); // row 3 held by nodes 1 (initial 7, 8) and 2 (5, 6); row 2 by nobody
        assertThat(new double[] {mean[4], mean[5], mean[6], mean[7]}).containsExactly(5, 6, 6, 7);
    }
}
