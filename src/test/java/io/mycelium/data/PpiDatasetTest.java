package io.mycelium.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PpiDatasetTest {
    /** A .npy file (format 1.0, float64, C order) as NumPy writes it: magic, version, header padded to 64 bytes, data. */
    static void writeNpy(Path f, double[][] a) throws IOException {
        String h = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + a.length + ", " + a[0].length + "), }";
        int pad = 64 - (10 + h.length() + 1) % 64;
        h = h + " ".repeat(pad % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + a.length * a[0].length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) h.length());
        b.put(h.getBytes(StandardCharsets.US_ASCII));
        for (double[] r : a) for (double v : r) b.putDouble(v);
        Files.write(f, b.array());
    }

    /** Three graphs: a triangle (train), a pair (validation), a path of three (test); 2 features, 3 labels; feature rows permuted by id_map. */
    static Path tiny(Path d) throws IOException {
        Files.writeString(d.resolve("ppi-G.json"), """
                {"directed": false, "multigraph": false, "graph": {},
                 "nodes": [{"id": 0, "val": false, "test": false}, {"id": 1, "val": false, "test": false}, {"id": 2, "val": false, "test": false},
                           {"id": 3, "val": true, "test": false}, {"id": 4, "val": true, "test": false},
                           {"id": 5, "val": false, "test": true}, {"id": 6, "val": false, "test": true}, {"id": 7, "val": false, "test": true}],
                 "links": [{"source": 0, "target": 1}, {"source": 1, "target": 2}, {"source": 2, "target": 0},
                           {"source": 3, "target": 4}, {"source": 5, "target": 6}, {"source": 6, "target": 7}]}
                """);
        StringBuilder id = new StringBuilder("{"), cls = new StringBuilder("{");
        for (int i = 0; i < 8; i++) {
            id.append(i == 0 ? "" : ", ").append('"').append(i).append("\": ").append(7 - i);
            cls.append(i == 0 ? "" : ", ").append('"').append(i).append("\": [").append(i % 2).append(", 1, 0]");
        }
        Files.writeString(d.resolve("ppi-id_map.json"), id.append('}').toString());
        Files.writeString(d.resolve("ppi-class_map.json"), cls.append('}').toString());
        double[][] f = new double[8][2];
        for (int r = 0; r < 8; r++) f[r] = new double[] {r, -r / 2.0};
        writeNpy(d.resolve("ppi-feats.npy"), f);
        return d;
    }

    @Test
    void readsTheGraphSageFormatIntoGraphsPerSplit(@TempDir Path d) throws IOException {
        PpiDataset p = PpiDataset.load(tiny(d), "ppi");
        assertThat(p.train()).hasSize(1);
        assertThat(p.validation()).hasSize(1);
        assertThat(p.test()).hasSize(1);
        assertThat(p.featureWidth()).isEqualTo(2);
        assertThat(p.labelWidth()).isEqualTo(3);
        assertThat(p.train().getFirst().graph().edgeCount()).isEqualTo(3);
        assertThat(p.test().getFirst().graph().edgeCount()).isEqualTo(2);
        // node 5 (first test node) reads feature row 7 - 5 = 2: (2, -1); its labels are (1, 1, 0)
        assertThat(p.test().getFirst().x().get(0, 0)).isEqualTo(2.0);
        assertThat(p.test().getFirst().x().get(0, 1)).isEqualTo(-1.0);
        assertThat(p.test().getFirst().y().get(0, 0)).isEqualTo(1.0);
        assertThat(p.test().getFirst().y().get(0, 1)).isEqualTo(1.0);
    }

    @Test
    void refusesBrokenFilesNamingThem(@TempDir Path d) throws IOException {
        tiny(d);
        Files.write(d.resolve("ppi-feats.npy"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PpiDataset.load(d, "ppi")).hasMessageContaining("ppi-feats.npy").hasMessageContaining("NUMPY");
        tiny(d);
        Files.writeString(d.resolve("ppi-class_map.json"), "{\"0\": [0, 2, 0]}");
        assertThatThrownBy(() -> PpiDataset.load(d, "ppi")).hasMessageContaining("ppi-class_map.json");
        tiny(d);
        Files.writeString(d.resolve("ppi-G.json"), "{\"nodes\": [");
        assertThatThrownBy(() -> PpiDataset.load(d, "ppi")).hasMessageContaining("ppi-G.json").hasMessageContaining("JSON");
        Files.delete(d.resolve("ppi-G.json"));
        assertThatThrownBy(() -> PpiDataset.load(d, "ppi")).hasMessageContaining("ppi-G.json").hasMessageContaining("missing");
    }
}
