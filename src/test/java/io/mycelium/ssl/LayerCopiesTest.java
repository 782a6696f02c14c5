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
        c.merge(0, 2, 0.25, false); // node 0 ← 0.25·mine + 0.75·node 2's, on row 1 and b only
        double[] p = c.full(0);
        assertThat(p).containsExactly(0, 1, 0.25 * 2 + 0.75 * 1, 0.25 * 3 + 0.75 * 2, 5, 6, 7, 8,
                0.25 * -0.5 + 0.75 * -1.5, 0.25 * -1.5 + 0.75 * -2.5);
        assertThat(c.age[0]).isEqualTo(1);
        double[] mean = c.mean(); // row 3 held by nodes 1 (initial 7, 8) and 2 (5, 6); row 2 by nobody
        assertThat(new double[] {mean[4], mean[5], mean[6], mean[7]}).containsExactly(5, 6, 6, 7);
    }

    @Test
    void rowExchangesAverageOneRowBetweenTwoHoldersAndBiasOnlyMergesLeaveRows() {
        // held: node 0 {0, 1}, node 1 {0, 1, 3}, node 2 {1, 3}; row 1 is held by all three, row 3 by nodes 1 and 2
        LayerCopies c = new LayerCopies(3, 4, 2, INIT, LayerCopies.touchedRows(DATA), false);
        assertThat(c.partial()).isTrue();
        assertThat(c.holders(1)).isEqualTo(3);
        assertThat(new int[] {c.holder(3, 0), c.holder(3, 1)}).containsExactly(1, 2);
        assertThat(c.holders(2)).isZero();
        SslConfig sgd = SslConfig.defaults().withOptimizer(SslConfig.Optimizer.SGD).withLr(1).withLrZeroAt(0);
        c.step(sgd, 2, new double[] {0, 1, 0, 1}, new double[] {2, 4}, new double[8], 0); // node 2: rows 1, 3 and b −(2, 4)
        // node 1 (row 3 is its 3rd held row, r = 2) exchanges row 3 with holder 1 of row 3 (node 2)
        c.exchangeRow(1, 2, 3, 1, false);
        double[] row3 = {(7 + 5) / 2.0, (8 + 4) / 2.0};
        assertThat(new double[] {c.full(1)[6], c.full(1)[7]}).containsExactly(row3);
        assertThat(new double[] {c.full(2)[6], c.full(2)[7]}).containsExactly(row3);
        assertThat(c.full(1)[2]).as("other rows untouched").isEqualTo(3);
        // a lost reply: only the receiver (node 0 = holder 0 of row 1) averages node 2's row 1 (its r = 0)
        c.exchangeRow(2, 0, 1, 0, true);
        assertThat(new double[] {c.full(0)[2], c.full(0)[3]}).containsExactly((3 + 1) / 2.0, (4 + 0) / 2.0);
        assertThat(new double[] {c.full(2)[2], c.full(2)[3]}).containsExactly(1, 0);
        // bias-only merge: node 0 ← node 2 on b alone
        c.merge(0, 2, 0.5, true);
        assertThat(new double[] {c.full(0)[2], c.full(0)[3]}).containsExactly(2, 2);
        assertThat(new double[] {c.full(0)[8], c.full(0)[9]}).containsExactly((0.5 - 1.5) / 2, (-0.5 - 4.5) / 2);
        LayerCopies dense = new LayerCopies(3, 4, 2, INIT, null, false);
        assertThat(dense.partial()).isFalse();
    }

    @Test
    void trackersKeepTheSumOfTheLatestGradientsAndExchangesAverage() {
        int[][] held = LayerCopies.touchedRows(DATA);
        SslConfig sgd = new SslConfig(new int[] {2}, 0.5, 1, 1.0, SslConfig.Optimizer.SGD, 0.1, 0, 10, 1);
        LayerCopies c = new LayerCopies(3, 4, 2, INIT, held, false, true);
        double[] grad = new double[c.blockLength(1)], a = new double[4], du = new double[2];
        for (int step = 0; step < 4; step++) {
            stepEveryNode(c, sgd, step, grad);
            c.exchange(0, 1, false);
            c.exchange(2, 1, step % 2 == 0); // a lost reply on even steps: only node 1 averages
        }
        // row 1 is held by all three: Σ trackers = Σ latest gradients (the sum moves only on lost replies, by
        // half the difference); check the bias, held by all, before and after one more lossless exchange
        double before = c.track[c.off(0) + c.rowCount(0) * 2] + c.track[c.off(1) + c.rowCount(1) * 2] + c.track[c.off(2) + c.rowCount(2) * 2];
        c.exchange(0, 2, false);
        double after = c.track[c.off(0) + c.rowCount(0) * 2] + c.track[c.off(1) + c.rowCount(1) * 2] + c.track[c.off(2) + c.rowCount(2) * 2];
        assertThat(after).isCloseTo(before, within(1e-12));
        assertThat(c.track[c.off(0) + c.rowCount(0) * 2]).isEqualTo(c.track[c.off(2) + c.rowCount(2) * 2]);
        assertThat(c.full(0)[8]).isEqualTo(c.full(2)[8]);
        // lossless: Σ_v y_v = Σ_v (v's latest gradient) on every row all three hold (row 1) and the bias
        LayerCopies ll = new LayerCopies(3, 4, 2, INIT, held, false, true);
        for (int step = 0; step < 5; step++) {
            stepEveryNode(ll, sgd, step, grad);
            ll.exchange(step % 3, (step + 1) % 3, false);
        }
        for (int j = 0; j < 2; j++) {
            double ys = 0, gs = 0, bs = 0, bg = 0;
            for (int v = 0; v < 3; v++) {
                int r1 = ll.off(v) + java.util.Arrays.binarySearch(held[v], 1) * 2 + j, b = ll.off(v) + ll.rowCount(v) * 2 + j;
                ys += ll.track[r1];
                gs += ll.lastGrad[r1];
                bs += ll.track[b];
                bg += ll.lastGrad[b];
            }
            assertThat(ys).isCloseTo(gs, within(1e-12));
            assertThat(bs).isCloseTo(bg, within(1e-12));
            assertThat(Math.abs(gs)).isGreaterThan(0.1);
        }
        // without exchanges, a tracker is the node's own running gradient: one step of SGD moves θ by −lr·g
        LayerCopies solo = new LayerCopies(3, 4, 2, INIT, held, false, true);
        for (int k = 0; k < 4; k++) a[k] = k;
        du[0] = 2;
        du[1] = -1;
        solo.step(sgd, 1, a, du, grad, 0);
        solo.step(sgd, 1, a, du, grad, 0);
        assertThat(solo.full(1)[3 * 2]).as("row 3, twice −0.1·3·2").isCloseTo(INIT[6] - 2 * 0.1 * 3 * 2, within(1e-12));
        assertThat(solo.full(1)[8]).as("bias").isCloseTo(INIT[8] - 2 * 0.1 * 2, within(1e-12));
    }

    /** One SGD step of every node of {@code c} on inputs and output gradients that depend on the node and the step. */
    private static void stepEveryNode(LayerCopies c, SslConfig sgd, int step, double[] grad) {
        double[] a = new double[4], du = new double[2];
        for (int v = 0; v < 3; v++) {
            for (int k = 0; k < 4; k++) a[k] = k == v ? 1 + step : 0.5 * k;
            du[0] = v - step;
            du[1] = 0.25 * step + v;
            c.step(sgd, v, a, du, grad, 0);
        }
    }
}
