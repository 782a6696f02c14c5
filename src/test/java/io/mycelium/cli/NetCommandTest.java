package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The net commands' bad input: exit 2, a message naming the option, nothing started or written. */
class NetCommandTest {
    @TempDir
    Path tmp;

    static String config() { return TrainCommandTest.EXAMPLES.resolve("train-example.yaml").toString(); }

    /** Runs {@code mycelium args}; returns "exit code: standard error". */
    static String run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setErr(new PrintStream(b, true));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setErr(old);
        }
        return code + ": " + b;
    }

    @Test
    void badInputExitsTwoNamingTheOptionAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        assertThat(run("net", "run", config(), "--procs", "0", "--out", out.toString())).startsWith("2: ").contains("--procs");
        assertThat(run("net", "run", config(), "--procs", "2", "--out", out.toString(), "--join-timeout", "0")).startsWith("2: ").contains("--join-timeout");
        assertThat(run("net", "run", config(), "--procs", "2", "--out", out.toString(), "--checkpoint-every", "-1")).startsWith("2: ").contains("--checkpoint-every");
        assertThat(run("net", "run", config(), "--procs", "2", "--out", out.toString(), "--resume", "--checkpoint-dir", tmp.resolve("none").toString()))
                .startsWith("2: ").contains("--resume", "no committed checkpoint");
        assertThat(run("net", "infer", "--loss", "1.5", "--out", out.toString())).startsWith("2: ").contains("--loss");
        assertThat(run("net", "run", TrainCommandTest.EXAMPLES.resolve("cora-gcn.yaml").toString(), "--procs", "2", "--out", out.toString()))
                .startsWith("2: ").contains("cora-gcn.yaml", "GCNN", "gcn");
        assertThat(out).doesNotExist();
        assertThat(run("net", "coordinator", config(), "--expect", "2", "--listen", "10.1.2.3:25520")).startsWith("2: ").contains("plain TCP", "--tls");
        assertThat(run("net", "coordinator", config(), "--expect", "2", "--listen", "127.0.0.1:x")).startsWith("2: ").contains("--listen", "bad port");
        assertThat(run("net", "host", config(), "--join", "127.0.0.1", "--run-id", "1")).startsWith("2: ").contains("--join", "HOST:PORT");
        assertThat(run("net", "host", config(), "--join", "127.0.0.1:1", "--run-id", "1", "--tls", tmp.toString()))
                .startsWith("2: ").contains("--tls", "missing node.p12");
        assertThat(run("bench", "net", "--warmup-epochs", "soon")).startsWith("2: ").contains("--warmup-epochs", "auto");
        assertThat(run("bench", "net", "--epochs", "50")).startsWith("2: ").contains("--epochs", "60");
        assertThat(run("bench", "net", "--warmup-epochs", "40", "--epochs", "40")).startsWith("2: ").contains("--epochs");
        Files.writeString(tmp.resolve("keep.txt"), "not ours");
        assertThat(run("net", "keys", "--out", tmp.toString())).startsWith("2: ").contains("--out", "not empty");
        assertThat(tmp.resolve("keep.txt")).hasContent("not ours");
    }
}
