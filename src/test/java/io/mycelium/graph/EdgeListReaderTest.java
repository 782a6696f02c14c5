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
    void readsCommentsCommasAndBlankLines() throws IOException {
        Path f = file("mixed.txt", """
                # a comment
                % another comment

                0 1
                1,2
                2\t3
                  3 , 0
                1 0
                """);
        Graph g = EdgeListReader.read(f);
        assertThat(g.n()).isEqualTo(4);
        assertThat(g.edgeCount()).isEqualTo(4);
        assertThat(g.hasEdge(0, 1) && g.hasEdge(1, 2) && g.hasEdge(2, 3) && g.hasEdge(3, 0)).isTrue();
        assertThat(g.isWeighted()).isFalse();
    }

    @Test
    void aThirdColumnIsTheEdgeWeightAndTheShiftOperatorsUseIt() throws IOException {
        Graph g = EdgeListReader.read(file("w.txt", "0 1 2.0\n1,2,0.5\n2 3 1e-1\n3 0 4\n1 0 2\n"));
        assertThat(g.isWeighted()).isTrue();
        assertThat(g.edgeCount()).isEqualTo(4);
        // the weighted adjacency, written out by hand from the file (the repeated 1-0 agrees with 0-1)
        double[][] a = new double[4][4];
        double[][] e = {{0, 1, 2.0}, {1, 2, 0.5}, {2, 3, 0.1}, {3, 0, 4}};
        for (double[] x : e) {
            a[(int) x[0]][(int) x[1]] = x[2];
            a[(int) x[1]][(int) x[0]] = x[2];
        }
        double[] d = {6.0, 2.5, 0.6, 4.1};   // row sums of a
        double[][] adj = ShiftOperator.ADJACENCY.of(g).toDense(), lap = ShiftOperator.LAPLACIAN.of(g).toDense();
        double[][] nlap = ShiftOperator.NORMALIZED_LAPLACIAN.of(g).toDense(), ren = ShiftOperator.RENORMALIZED_ADJACENCY.of(g).toDense();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                assertThat(adj[i][j]).isEqualTo(a[i][j]);
                assertThat(lap[i][j]).isCloseTo((i == j ? d[i] : 0) - a[i][j], org.assertj.core.data.Offset.offset(1e-15));
                assertThat(nlap[i][j]).isCloseTo((i == j ? 1 : 0) - a[i][j] / Math.sqrt(d[i] * d[j]), org.assertj.core.data.Offset.offset(1e-15));
                assertThat(ren[i][j]).isCloseTo(((i == j ? 1 : 0) + a[i][j]) / Math.sqrt((d[i] + 1) * (d[j] + 1)), org.assertj.core.data.Offset.offset(1e-15));
            }
        // consensus weights follow who talks to whom, not edge weights: the same as on the unweighted graph
        Graph plain = EdgeListReader.read(file("p.txt", "0 1\n1 2\n2 3\n3 0\n"));
        assertThat(ShiftOperator.metropolisHastings(g).toDense()).isDeepEqualTo(ShiftOperator.metropolisHastings(plain).toDense());
        // written and read back with its weights
        Path back = dir.resolve("back.txt");
        EdgeListReader.write(g, back);
        assertThat(ShiftOperator.NORMALIZED_LAPLACIAN.of(EdgeListReader.read(back)).toDense()).isDeepEqualTo(nlap);
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
                Arguments.of("0 99999999999\n", 1, "too large"),
                Arguments.of("0 1 banana\n", 1, "edge weight 'banana' is not a number"),
                Arguments.of("0 1 1\n1 2 NaN\n", 2, "edge weight NaN must be positive and finite"),
                Arguments.of("0 1 Infinity\n", 1, "must be positive and finite"),
                Arguments.of("0 1 1e999\n", 1, "must be positive and finite"),
                Arguments.of("0 1 0\n", 1, "must be positive"),
                Arguments.of("0 1 -2\n", 1, "must be positive"),
                Arguments.of("0 1 1\n1 2\n", 2, "has no weight but the first edge (line 1) has one"),
                Arguments.of("# w\n0 1\n1 2 3\n", 3, "has a weight but the first edge (line 2) has none"),
                Arguments.of("0 10000000\n", 1, "not below 10000000"),
                Arguments.of("nodes 10000001\n", 1, "more than the 10000000 nodes"),
                Arguments.of("0 1\n\u0001\u0002 3\n", 2, "'\\x01\\x02' is not an integer"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badLinesNameFileAndLine(String text, int line, String message) throws IOException {
        Path f = file("bad.edges", text);
        assertThatThrownBy(() -> EdgeListReader.read(f))
                .isInstanceOf(io.mycelium.util.InputException.class)
                .hasMessageContaining(f + ":" + line + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.edges");
        assertThatThrownBy(() -> EdgeListReader.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("no such edge-list file");
        assertThatThrownBy(() -> EdgeListReader.read(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void aWeightGivenTwiceMustAgreeAndBinaryJunkIsNamed() throws IOException {
        Path f = file("twice.txt", "0 1 2\n1 2 1\n1 0 3\n");
        assertThatThrownBy(() -> EdgeListReader.read(f)).isInstanceOf(io.mycelium.util.InputException.class)
                .hasMessageContaining(f + ": ").hasMessageContaining("edge (0, 1) is given twice, with weights 2.0 and 3.0");
        Path bin = dir.resolve("bin.txt");
        Files.write(bin, new byte[] {'0', ' ', '1', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> EdgeListReader.read(bin)).isInstanceOf(io.mycelium.util.InputException.class)
                .hasMessageContaining(bin + ":").hasMessageContaining("not UTF-8 text");
    }

    @Test
    void writeToAnUnwritablePlaceIsNamed() {
        Path f = dir.resolve("no-such-dir").resolve("g.edges");
        assertThatThrownBy(() -> EdgeListReader.write(Generators.path(3), f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString());
    }
}
