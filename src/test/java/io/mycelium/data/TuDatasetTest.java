package io.mycelium.data;

import io.mycelium.train.GraphSample;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TuDatasetTest {
    static final Path SHARED = Path.of("../shared/data");

    /** Two graphs: a triangle (nodes 1-3, class label 5) and a path of two nodes (4-5, label -1). */
    static Path tiny(Path dir) throws IOException {
        Files.writeString(dir.resolve("T_A.txt"), "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n");
        Files.writeString(dir.resolve("T_graph_indicator.txt"), "1\n1\n1\n2\n2\n");
        Files.writeString(dir.resolve("T_graph_labels.txt"), "5\n-1\n");
        Files.writeString(dir.resolve("T_node_labels.txt"), "0\n2\n1\n0\n0\n");
        Files.writeString(dir.resolve("T_node_attributes.txt"), " 1.5\n 2.0\n-3.0\n 0.0\n 7.25\n");
        return dir;
    }

    @Test
    void readsGraphsLabelsAndOneHotFeatures(@TempDir Path dir) throws IOException {
        TuDataset d = TuDataset.load(tiny(dir), "T", false);
        assertThat(d.graphs()).hasSize(2);
        assertThat(d.classes()).containsExactly("-1", "5");
        assertThat(d.labels()).containsExactly(1, 0);
        GraphSample tri = d.graphs().get(0), path = d.graphs().get(1);
        assertThat(tri.n()).isEqualTo(3);
        assertThat(tri.graph().edgeCount()).isEqualTo(3);
        assertThat(path.graph().edgeCount()).isEqualTo(1);
        assertThat(d.featureWidth()).isEqualTo(3);
        assertThat(tri.x().data()).containsExactly(1, 0, 0, 0, 0, 1, 0, 1, 0);
        assertThat(tri.y().get(0, 0)).isEqualTo(1.0);
        assertThat(path.y().get(0, 0)).isEqualTo(0.0);
    }

    @Test
    void appendsNodeAttributesWhenAsked(@TempDir Path dir) throws IOException {
        TuDataset d = TuDataset.load(tiny(dir), "T", true);
        assertThat(d.featureWidth()).isEqualTo(4);
        assertThat(d.graphs().get(1).x().data()).containsExactly(1, 0, 0, 0, 1, 0, 0, 7.25);
    }

    @Test
    void errorsNameTheFileAndLine(@TempDir Path dir) throws IOException {
        tiny(dir);
        Files.writeString(dir.resolve("T_A.txt"), "1, 2\n2, x\n");
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_A.txt:2").hasMessageContaining("not an integer");
        Files.writeString(dir.resolve("T_A.txt"), "1, 4\n");
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_A.txt:1").hasMessageContaining("between graphs");
        Files.writeString(dir.resolve("T_A.txt"), "1, 9\n");
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_A.txt:1").hasMessageContaining("out of range");
        tiny(dir);
        Files.writeString(dir.resolve("T_graph_indicator.txt"), "1\n2\n1\n2\n2\n");
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_graph_indicator.txt:3");
        tiny(dir);
        Files.writeString(dir.resolve("T_graph_labels.txt"), "5\n");
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_graph_labels.txt").hasMessageContaining("1 labels for 2 graphs");
        tiny(dir);
        Files.delete(dir.resolve("T_node_labels.txt"));
        assertThatThrownBy(() -> TuDataset.load(dir, "T", false)).hasMessageContaining("T_node_labels.txt").hasMessageContaining("missing");
    }

    @Test
    void mutagHasThePublishedStatistics() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED.resolve("MUTAG")), "needs ../shared/data/MUTAG (see ../shared/data/SOURCES.md)");
        TuDataset d = TuDataset.load(SHARED.resolve("MUTAG"), "MUTAG", false);
        // SOURCES.md: 188 graphs, 3,371 nodes, 3,721 undirected bonds, labels 125 × 1 and 63 × -1, 7 atom types
        assertThat(d.graphs()).hasSize(188);
        assertThat(d.graphs().stream().mapToInt(GraphSample::n).sum()).isEqualTo(3371);
        assertThat(d.graphs().stream().mapToInt(g -> g.graph().edgeCount()).sum()).isEqualTo(3721);
        assertThat(d.classes()).containsExactly("-1", "1");
        assertThat(d.classCounts()).containsExactly(63, 125);
        assertThat(d.featureWidth()).isEqualTo(7);
    }

    @Test
    void proteinsHasThePublishedStatistics() {
        Assumptions.assumeTrue(Files.isDirectory(SHARED.resolve("PROTEINS")), "needs ../shared/data/PROTEINS (see ../shared/data/SOURCES.md)");
        TuDataset d = TuDataset.load(SHARED.resolve("PROTEINS"), "PROTEINS", false);
        // SOURCES.md: 1,113 graphs, 43,471 nodes, 81,044 undirected edges, labels 663 × 1 and 450 × 2, 3 node label kinds
        assertThat(d.graphs()).hasSize(1113);
        assertThat(d.graphs().stream().mapToInt(GraphSample::n).sum()).isEqualTo(43471);
        assertThat(d.graphs().stream().mapToInt(g -> g.graph().edgeCount()).sum()).isEqualTo(81044);
        assertThat(d.classCounts()).containsExactly(663, 450);
        assertThat(d.featureWidth()).isEqualTo(3);
    }
}
