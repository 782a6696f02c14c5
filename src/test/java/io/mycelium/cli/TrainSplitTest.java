package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The training/test split of {@code train}: a file sorted by label must not give a biased test set unless asked for. */
class TrainSplitTest {
    static final Path CFG = Path.of("config.yaml");

    @TempDir
    Path tmp;

    /** Labels of a file sorted by class: the first half class 0, the second class 1. */
    static int classOf(int sample, int count) { return sample < count / 2 ? 0 : 1; }

    @Test
    void aShuffledSplitOfAFileSortedByClassHoldsOutBothClassesInProportion() {
        int count = 200;
        TrainSplit.Parts p = TrainSplit.shuffled(count, 0.2, 7, CFG);
        assertThat(p.test()).hasSize(40);
        assertThat(p.train()).hasSize(160);
        long ones = Arrays.stream(p.test()).filter(s -> classOf(s, count) == 1).count();
        // a hypergeometric draw of 40 from 100 + 100 has mean 20 and sd ≈ 2.8; 10..30 is > 3.5 sd
        assertThat(ones).isBetween(10L, 30L);
        // the old behaviour, asked for explicitly, holds out one class only
        TrainSplit.Parts last = TrainSplit.last(count, 0.2, CFG);
        assertThat(Arrays.stream(last.test()).allMatch(s -> classOf(s, count) == 1)).isTrue();
    }

    @Test
    void aShuffledSplitOfAFileSortedByValueHasATestMeanCloseToTheOverallMean() {
        int count = 500;
        double[] y = new double[count];   // sorted: y_s = s / count, mean ≈ 0.5, sd ≈ 0.289
        for (int s = 0; s < count; s++) y[s] = (double) s / count;
        double overall = Arrays.stream(y).average().orElseThrow();
        TrainSplit.Parts p = TrainSplit.shuffled(count, 0.2, 1, CFG);
        double test = Arrays.stream(p.test()).mapToDouble(s -> y[s]).average().orElseThrow();
        // the standard error of a mean of 100 is ≈ 0.026 (less without replacement); 0.1 is > 3.5 of them
        assertThat(Math.abs(test - overall)).isLessThan(0.1);
        double lastMean = Arrays.stream(TrainSplit.last(count, 0.2, CFG).test()).mapToDouble(s -> y[s]).average().orElseThrow();
        assertThat(lastMean - overall).isGreaterThan(0.35);   // the top fifth: mean 0.9
    }

    @Test
    void theSplitIsAPartitionFixedByItsSeed() {
        TrainSplit.Parts a = TrainSplit.shuffled(50, 0.3, 3, CFG), b = TrainSplit.shuffled(50, 0.3, 3, CFG), c = TrainSplit.shuffled(50, 0.3, 4, CFG);
        assertThat(a.test()).isEqualTo(b.test());
        assertThat(a.test()).isNotEqualTo(c.test());
        int[] all = java.util.stream.IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.test())).sorted().toArray();
        assertThat(all).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(a.test()).isSorted();
        assertThat(a.train()).isSorted();
    }

    @Test
    void aSplitFileAssignsEverySampleAndNamesTheLineOfAMistake() throws Exception {
        Path f = tmp.resolve("split.csv");
        Files.writeString(f, "sample,part\n0,train\n1,test\n2,train\n3,test\n");
        TrainSplit.Parts p = TrainSplit.file(f, 4);
        assertThat(p.train()).containsExactly(0, 2);
        assertThat(p.test()).containsExactly(1, 3);
        Files.writeString(f, "0,train\n1,tset\n2,train\n");
        assertThatThrownBy(() -> TrainSplit.file(f, 3)).hasMessageContaining(f + " line 2").hasMessageContaining("'tset'");
        Files.writeString(f, "0,train\n2,test\n");
        assertThatThrownBy(() -> TrainSplit.file(f, 3)).hasMessageContaining("sample 1 is in neither part");
        Files.writeString(f, "0,train\n1,test\n1,train\n");
        assertThatThrownBy(() -> TrainSplit.file(f, 2)).hasMessageContaining("line 3").hasMessageContaining("assigned twice");
    }
}
