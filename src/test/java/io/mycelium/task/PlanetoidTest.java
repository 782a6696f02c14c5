package io.mycelium.task;

import io.mycelium.graph.Graph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Planetoid loader on a tiny dataset written here in the files' own pickle format (protocol 2,
 * the opcodes scipy/numpy/Python 2 emit), and on the real Cora and CiteSeer when ../shared/data has them,
 * checked against the plain-text files SOURCES.md describes (derived/ with Python from the same pickles).
 */
public class PlanetoidTest {
    @TempDir
    Path dir;

    // tiny: 3 training rows, allx 503 rows (so 500 validation nodes fit), test ids 503..507 with 504 missing
    static final int F = 5, C = 3, ALLX = 503;
    static final int[] TEST_INDEX = {505, 503, 507, 506};

    @Test
    void tinyFilesInTheOriginalFormat() throws IOException {
        writeTiny(dir, "tiny");
        Planetoid p = Planetoid.load(dir, "tiny");
        assertThat(p.n()).isEqualTo(508);
        assertThat(p.featureCount()).isEqualTo(F);
        assertThat(p.classes()).isEqualTo(C);
        assertThat(p.train()).containsExactly(0, 1, 2);
        assertThat(p.val()).hasSize(500).startsWith(3).endsWith(502);
        assertThat(p.test()).containsExactly(503, 505, 506, 507);
        // node v < ALLX: allx row v has the single feature v % F, label v % C
        for (int v : new int[] {0, 7, 502}) {
            assertThat(features(p, v)).containsExactly(v % F);
            assertThat(p.labels()[v]).isEqualTo(v % C);
        }
        // node TEST_INDEX[i] has tx row i: features {i, i+1}, label (i+1) % C
        for (int i = 0; i < TEST_INDEX.length; i++) {
            assertThat(features(p, TEST_INDEX[i])).containsExactly(i, i + 1);
            assertThat(p.labels()[TEST_INDEX[i]]).isEqualTo((i + 1) % C);
        }
        // 504 is in the test range but not in test.index: no features, no label (CiteSeer's isolated nodes)
        assertThat(features(p, 504)).isEmpty();
        assertThat(p.labels()[504]).isEqualTo(-1);
        // graph {0: [1, 1, 0], 1: [0], 2: [505]}: undirected, no self-loop, no duplicate
        Graph g = p.graph();
        assertThat(g.edgeCount()).isEqualTo(2);
        assertThat(g.hasEdge(1, 0)).isTrue();
        assertThat(g.hasEdge(505, 2)).isTrue();
        assertThat(g.degree(504)).isZero();
        double[] x = p.rowNormalizedFeatures();
        assertThat(x[505 * F + 1]).isEqualTo(0.5);
    }

    @Test
    void missingAndMalformedFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> Planetoid.load(dir, "tiny")).isInstanceOf(IOException.class).hasMessageContaining("missing")
                .hasMessageContaining("ind.tiny.x");
        writeTiny(dir, "tiny");
        byte[] ok = Files.readAllBytes(dir.resolve("ind.tiny.ally"));
        Files.write(dir.resolve("ind.tiny.ally"), Arrays.copyOf(ok, ok.length / 2));
        assertThatThrownBy(() -> Planetoid.load(dir, "tiny")).isInstanceOf(IOException.class).hasMessageContaining("ind.tiny.ally");
        writeTiny(dir, "tiny");
        Files.writeString(dir.resolve("ind.tiny.test.index"), "505\nfoo\n");
        assertThatThrownBy(() -> Planetoid.load(dir, "tiny")).isInstanceOf(IOException.class).hasMessageContaining("line 2");
        writeTiny(dir, "tiny");
        Files.writeString(dir.resolve("ind.tiny.graph"), "not a pickle");
        assertThatThrownBy(() -> Planetoid.load(dir, "tiny")).isInstanceOf(IOException.class).hasMessageContaining("ind.tiny.graph");
    }

    @Test
    void realCoraAndCiteSeerMatchTheDerivedTextFiles() throws IOException {
        for (String[] ds : new String[][] {{"Cora", "cora", "2708", "5278", "1433", "7", "140"}, {"CiteSeer", "citeseer", "3327", "4552", "3703", "6", "120"}}) {
            Path d = Path.of("../shared/data", ds[0]);
            assumeTrue(Files.isRegularFile(d.resolve("ind." + ds[1] + ".graph")), "needs ../shared/data/" + ds[0]);
            Planetoid p = Planetoid.load(d, ds[1]);
            assertThat(p.n()).isEqualTo(Integer.parseInt(ds[2]));
            assertThat(p.graph().edgeCount()).isEqualTo(Integer.parseInt(ds[3]));
            assertThat(p.featureCount()).isEqualTo(Integer.parseInt(ds[4]));
            assertThat(p.classes()).isEqualTo(Integer.parseInt(ds[5]));
            assertThat(p.train()).hasSize(Integer.parseInt(ds[6]));
            assertThat(p.val()).hasSize(500);
            assertThat(p.test()).hasSize(1000);
            List<String> labels = Files.readAllLines(d.resolve("derived/labels.txt")), feats = Files.readAllLines(d.resolve("derived/features.txt"));
            for (int v = 0; v < p.n(); v++) {
                assertThat(p.labels()[v]).as("label of %d", v).isEqualTo(Integer.parseInt(labels.get(v).strip()));
                int[] want = feats.get(v).isBlank() ? new int[0] : Arrays.stream(feats.get(v).strip().split(" ")).mapToInt(Integer::parseInt).toArray();
                assertThat(features(p, v)).as("features of %d", v).containsExactly(want);
            }
            assertThat(p.test()).containsExactly(Files.readAllLines(d.resolve("derived/test_idx.txt")).stream().mapToInt(s -> Integer.parseInt(s.strip())).toArray());
            long edgeLines = Files.readAllLines(d.resolve("derived/edges.txt")).stream().filter(s -> !s.isBlank()).count();
            assertThat(2L * p.graph().edgeCount()).isEqualTo(edgeLines);
        }
    }

    static int[] features(Planetoid p, int v) {
        int[] r = Arrays.copyOfRange(p.featIndices(), p.featOffsets()[v], p.featOffsets()[v + 1]);
        Arrays.sort(r);
        return r;
    }

    // ---- a writer for the pickles the ind.* files hold (protocol 2, Python 2 str for bytes) ----

    /** Writes the tiny dataset (508 nodes, 5 features, 3 classes) as ind.NAME.* into dir. */
    public static void writeTiny(Path dir, String name) throws IOException {
        int[][] xRows = new int[3][], allxRows = new int[ALLX][], txRows = new int[TEST_INDEX.length][];
        for (int v = 0; v < ALLX; v++) allxRows[v] = new int[] {v % F};
        System.arraycopy(allxRows, 0, xRows, 0, 3);
        for (int i = 0; i < txRows.length; i++) txRows[i] = new int[] {i, i + 1};
        int[] yL = {0, 1, 2}, allyL = new int[ALLX], tyL = new int[TEST_INDEX.length];
        for (int v = 0; v < ALLX; v++) allyL[v] = v % C;
        for (int i = 0; i < tyL.length; i++) tyL[i] = (i + 1) % C;
        Files.write(dir.resolve("ind." + name + ".x"), csr(xRows, F));
        Files.write(dir.resolve("ind." + name + ".allx"), csr(allxRows, F));
        Files.write(dir.resolve("ind." + name + ".tx"), csr(txRows, F));
        Files.write(dir.resolve("ind." + name + ".y"), oneHot(yL, C));
        Files.write(dir.resolve("ind." + name + ".ally"), oneHot(allyL, C));
        Files.write(dir.resolve("ind." + name + ".ty"), oneHot(tyL, C));
        Files.write(dir.resolve("ind." + name + ".graph"), graph(new int[][] {{0, 1, 1, 0}, {1, 0}, {2, 505}}));
        StringBuilder s = new StringBuilder();
        for (int t : TEST_INDEX) s.append(t).append('\n');
        Files.writeString(dir.resolve("ind." + name + ".test.index"), s);
    }

    static final class P {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        int memo;

        P op(int... bytes) { for (int x : bytes) b.write(x); return this; }

        P global(String mod, String name) { op('c'); str(mod + "\n" + name + "\n"); return put(); }

        P put() { return op('q', ++memo); }

        P str(String s) { b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1)); return this; }

        P shortString(String s) { op('U', s.length()); return str(s); }

        P bytes(byte[] raw) { op('T'); b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(raw.length).array()); b.writeBytes(raw); return this; }

        P integer(int v) {
            if (v >= 0 && v < 256) return op('K', v);
            if (v >= 0 && v < 65536) return op('M', v & 0xff, v >>> 8);
            op('J');
            b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        /** numpy.core.multiarray._reconstruct(ndarray, (0,), 'b') then __setstate__((1, shape, dtype, False, raw)). */
        P ndarray(int[] shape, String dtype, byte[] raw) {
            global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray").integer(0).op(0x85).shortString("b").op(0x87, 'R');
            op('(').integer(1).op('(');
            for (int s : shape) integer(s);
            op('t');
            global("numpy", "dtype").shortString(dtype).integer(0).integer(1).op(0x87, 'R');
            op('(').integer(3).shortString("<").op('N', 'N', 'N').integer(-1).integer(-1).integer(0).op('t', 'b');
            op(0x89).bytes(raw).op('t', 'b');
            return this;
        }
    }

    static byte[] ints(int[] v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) bb.putInt(x);
        return bb.array();
    }

    static byte[] csr(int[][] rows, int cols) {
        List<Integer> ind = new ArrayList<>();
        int[] ptr = new int[rows.length + 1];
        for (int i = 0; i < rows.length; i++) { for (int c : rows[i]) ind.add(c); ptr[i + 1] = ind.size(); }
        ByteBuffer data = ByteBuffer.allocate(4 * ind.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < ind.size(); k++) data.putFloat(1f);
        P p = new P().op(0x80, 2).global("scipy.sparse.csr", "csr_matrix").op(')', 0x81).put().op('}').put().op('(');
        p.shortString("format").shortString("csr").shortString("_shape").integer(rows.length).integer(cols).op(0x86);
        p.shortString("indptr").ndarray(new int[] {ptr.length}, "i4", ints(ptr));
        p.shortString("indices").ndarray(new int[] {ind.size()}, "i4", ints(ind.stream().mapToInt(Integer::intValue).toArray()));
        p.shortString("data").ndarray(new int[] {ind.size()}, "f4", data.array());
        p.shortString("maxprint").integer(50);
        return p.op('u', 'b', '.').b.toByteArray();
    }

    static byte[] oneHot(int[] labels, int classes) {
        int[] v = new int[labels.length * classes];
        for (int i = 0; i < labels.length; i++) v[i * classes + labels[i]] = 1;
        return new P().op(0x80, 2).ndarray(new int[] {labels.length, classes}, "i4", ints(v)).op('.').b.toByteArray();
    }

    /** defaultdict(list, {row[0]: row[1:]}). */
    static byte[] graph(int[][] adj) {
        P p = new P().op(0x80, 2).global("collections", "defaultdict").global("__builtin__", "list").op(0x85, 'R').put().op('(');
        for (int[] row : adj) {
            p.integer(row[0]).op(']').put();
            if (row.length == 2) p.integer(row[1]).op('a');
            else { p.op('('); for (int k = 1; k < row.length; k++) p.integer(row[k]); p.op('e'); }
        }
        return p.op('u', '.').b.toByteArray();
    }
}
