package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to the wireless reproductions: exit 2 before any work, nothing written. */
class WirelessCliTest {
    @TempDir
    Path tmp;

    @Test
    void badOptionsExitTwoAndWriteNothing() {
        Path out = tmp.resolve("out");
        assertThat(Main.execute("reproduce", "power-allocation", "--epochs", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "power-allocation", "--locations", "10001", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "power-allocation", "--schemes", "adam,sgd", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--minibatches", "0", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--graphs", "ring", "--out", out.toString())).isEqualTo(2);
        assertThat(Main.execute("reproduce", "link-scheduling", "--data", tmp.resolve("missing").toString(), "--out", out.toString())).isEqualTo(2);
        assertThat(Files.exists(out)).isFalse();
    }
}
