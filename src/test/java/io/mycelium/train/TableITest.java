package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.graph.Graph;
import io.mycelium.model.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableITest {
    private static final Graph G = TestGraphs.connected(20, 0.1, Init.rng(5));

    @Test
    void twoLayersHundredSamplesOneConsensusRoundMeasuresThePapersRounds() {
        List<TableI.Result> r = TableI.measure(G, new int[] {10, 10, 1}, 100, 1, 1);
        assertThat(r.stream().map(TableI.Result::measuredRounds).toList()).containsExactly(200L, 400L, 301L, 202L, 201L);
        assertThat(r).allMatch(TableI.Result::agrees);
        // |θ| = 2·10·10 + 2·10·1 = 220 floats ride on the forward rounds of the distributed optimizer
        TableI.Result dist = r.get(4);
        long fwdPb = r.get(3).measuredWidths().stream().limit(200).mapToLong(Integer::longValue).sum();
        long fwdDist = dist.measuredWidths().stream().limit(200).mapToLong(Integer::longValue).sum();
        assertThat(fwdDist - fwdPb).isEqualTo(220);
        // X^0 (10) + sample b-1's layer-2 backward message (10) + a 1- or 2-float piece of θ
        assertThat(dist.measuredWidths().stream().limit(200).mapToInt(Integer::intValue).max().orElseThrow()).isBetween(21, 22);
    }

    @ParameterizedTest
    @CsvSource({"1,5,1", "2,3,2", "3,4,1", "3,7,3", "4,2,5"})
    void everyRowAgreesForOtherShapes(int layers, int batch, int k) {
        int[] widths = new int[layers + 1];
        for (int l = 0; l < layers; l++) widths[l] = 3 + l;
        widths[layers] = 1;
        List<TableI.Result> r = TableI.measure(G, widths, batch, k, 7);
        for (TableI.Result x : r) {
            assertThat(x.measuredRounds()).as(x.row().name()).isEqualTo(x.row().rounds(layers, batch, k));
            assertThat(x.measuredWidths()).as(x.row().name()).isEqualTo(x.paperWidths());
        }
    }
}
