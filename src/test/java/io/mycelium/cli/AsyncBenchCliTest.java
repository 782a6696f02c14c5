package io.mycelium.cli;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncBenchCliTest {

    @Test
    void benchAsyncReportsRadiusDegreeAndThroughputForEachEmbeddingSize() {
        int[] code = new int[1];
        String out = TrainingCliTest.captureOut(() -> code[0] = Main.execute("bench", "async", "--nodes", "3000", "--ticks", "30",
                "--warmup", "5", "--k", "2,3", "--degree", "6"));
        assertThat(code[0]).isZero();
        Matcher g = Pattern.compile("graph rgg n=3000 radius=([0-9.]+): average degree ([0-9.]+)").matcher(out);
        assertThat(g.find()).as(out).isTrue();
        assertThat(Double.parseDouble(g.group(1))).isCloseTo(Math.sqrt(6 / (Math.PI * 3000)), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(Double.parseDouble(g.group(2))).isBetween(4.0, 7.0); // border effects lower it a little
        for (String k : new String[] {"2  ", "3  "}) {
            Matcher m = Pattern.compile("ignn k=" + k + " 30 ticks \\(best of 3 runs\\), (\\d+) node updates in [0-9.]+ s: ([0-9.e+]+) node updates/s").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            long updates = Long.parseLong(m.group(1));
            // stagger 4: every node updates at least once every 4 ticks, on average every 2.5
            assertThat(updates).isBetween(3000L * 30 / 4, 3000L * 30 / 2);
            assertThat(Double.parseDouble(m.group(2))).isPositive();
        }
    }

    @Test
    void badArgumentsAreUserErrors() {
        assertThat(Main.execute("bench", "async", "--nodes", "1")).isEqualTo(2);
        assertThat(Main.execute("bench", "async", "--stagger", "0")).isEqualTo(2);
        assertThat(Main.execute("bench", "async", "--threads", "3")).isEqualTo(2);
        assertThat(Main.execute("bench", "async", "--k", "0")).isEqualTo(2);
    }
}
