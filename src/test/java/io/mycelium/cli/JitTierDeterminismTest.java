package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Same seed, same bits, whichever JIT tier runs the vector kernels: a node-regression run in a JVM
 * that stops at C1 (the Vector API's Java code throughout) and one with C2 (its intrinsics, compiled
 * at moments that depend on timing) must end with identical MSEs. A lane sum left to
 * {@code reduceLanes(ADD)}, whose order C2 chooses differently, broke this in the last bits.
 */
class JitTierDeterminismTest {
    @Test
    void nodeRegressionEndsWithTheSameBitsUnderC1AndC2(@TempDir Path dir) throws Exception {
        JsonNode c1 = run(dir.resolve("c1"), "-XX:TieredStopAtLevel=1"), c2 = run(dir.resolve("c2"), "-XX:-TieredCompilation");
        for (String scheme : new String[] {"sgd", "d-sgd"})
            for (String field : new String[] {"finalTrainMse", "finalTestMse"})
                assertThat(c2.get(scheme).get(field).asText()).as(scheme + " " + field).isEqualTo(c1.get(scheme).get(field).asText());
    }

    private static JsonNode run(Path out, String jit) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), jit, "-XX:ObjectAlignmentInBytes=64",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "reproduce", "node-regression", "--schemes", "sgd,d-sgd", "--epochs", "12", "--threads", "1", "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(out.resolveSibling(out.getFileName() + ".log"))).isZero();
        ObjectMapper json = new ObjectMapper();
        var node = json.createObjectNode();
        for (String scheme : new String[] {"sgd", "d-sgd"}) node.set(scheme, json.readTree(out.resolve(scheme).resolve("summary.json").toFile()));
        return node;
    }
}
