package io.mycelium.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EdgeListReaderTest {
    @TempDir Path dir;

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void roundTripKeepsTheGraph(long seed) {
        // The random graphs may have isolated high ids, which only the 'nodes' header preserves.
        Graph g = TestGraphs.random(40, 0.05, seed);
        Path f = dir.resolve("g" + seed + ".edges");
        EdgeListReader.write(g, f);
        Graph h = EdgeListReader.read(f);
        assertThat(h.n()).isEqualTo(g.n());
        assertThat(h.offsets()).isEqualTo(g.offsets());
        assertThat(h.neighbours()).isEqualTo(g.neighbours());
    }

    @Test
    void readsCommentsCommasWeightsAndBlankLines() throws IOException {
        Path f = file("mixed.txt", """
                # a comment
                % another comment

                0 1
                1,2
                2\t3 0.75
                  3 , 0 , 1.5
                1 0
                """);
        Graph g = EdgeListReader.read(f);
        assertThat(g.n()).isEqualTo(4);
        assertThat(g.edgeCount()).isEqualTo(4);
        assertThat(g.hasEdge(0, 1) && g.hasEdge(1, 2) && g.hasEdge(2, 3) && g.hasEdge(3, 0)).isTrue();
    }

    @Test
    void headerDeclaresIsolatedNodes() throws IOException {
        Graph g = EdgeListReader.read(file("header.txt", "nodes 6\n0 1\n"));
        assertThat(g.n()).isEqualTo(6);
        assertThat(g.edgeCount()).isEqualTo(1);
        assertThat(EdgeListReader.read(file("only-header.txt", "# none\nnodes 3\n")).n()).isEqualTo(3);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("0 1\n1 x\n", 2, "not an integer"),
                Arguments.of("0 1\n\n1.5 2\n", 3, "not an integer"),
                Arguments.of("# c\n0 -1\n", 2, "negative"),
                Arguments.of("nodes 3\n0 1\n1 3\n", 3, "declared node count 3"),
                Arguments.of("0 1\n2 2\n", 2, "self-loop"),
                Arguments.of("0 1 2 3\n", 1, "expected"),
                Arguments.of("0\n", 1, "expected"),
                Arguments.of("0 1\nnodes 5\n", 2, "before the first edge"),
                Arguments.of("nodes x\n", 1, "not an integer"),
                Arguments.of("nodes 0\n", 1, "empty graph"),
                Arguments.of("# only comments\n\n", 2, "empty graph"),
                Arguments.of("", 1, "empty graph"),
                Arguments.of("0 99999999999\n", 1, "too large"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badLinesNameFileAndLine(String text, int line, String message) throws IOException {
        Path f = file("bad.edges", text);
        assertThatThrownBy(() -> EdgeListReader.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f + ":" + line + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.edges");
        assertThatThrownBy(() -> EdgeListReader.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> EdgeListReader.read(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void writeToAnUnwritablePlaceIsNamed() {
        Path f = dir.resolve("no-such-dir").resolve("g.edges");
        assertThatThrownBy(() -> EdgeListReader.write(Generators.path(3), f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString());
    }
}
