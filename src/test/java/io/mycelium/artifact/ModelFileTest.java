package io.mycelium.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.model.Ignn;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphReadout;
import io.mycelium.util.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFileTest {
    @TempDir
    Path dir;

    static final Graph G = Generators.parse("ba:20:2", 4);

    /** A GCNN with one copy per node, every copy different. */
    static ModelFile perNode() {
        Gcnn m = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(G), new int[] {3, 4, 1}, Activation.TANH);
        Params p = m.init(Init.rng(1)).perNode(G.n());
        var rng = Init.rng(2);
        for (Tensor t : p.asMap().values()) for (int q = 0; q < t.size(); q++) t.data()[q] += rng.nextDouble() - 0.5;
        return ModelFile.of(m, p, G, new ModelFile.Training("d-sgd", 7, 30, "test MSE", 0.0123));
    }

    static ModelFile tied() {
        Ignn m = Ignn.paper(3, 2);
        return ModelFile.of(m, m.init(Init.rng(3)), G, null);
    }

    /** A graph-level model: an IGNN with two outputs per node, then a graph readout (mean, MLP 2 → 3 → 1). */
    static ModelFile graphLevel() {
        Ignn m = Ignn.paper(3, 2);
        GraphReadout head = new GraphReadout(2, 3, 1);
        Params p = m.init(Init.rng(3));
        head.init(p, Init.rng(4));
        return ModelFile.of(m, head, p, G, new ModelFile.Training("amsgrad", 1, 5, "test accuracy", 80.5));
    }

    Path written(ModelFile f, String name) throws Exception {
        Path p = dir.resolve(name);
        f.write(p);
        return p;
    }

    @Test
    void roundTripsBitForBit() throws Exception {
        for (ModelFile f : new ModelFile[] {perNode(), tied(), graphLevel()}) {
            Path p = written(f, "m.myc");
            ModelFile back = ModelFile.read(p);
            assertThat(back.tied()).isEqualTo(f.tied());
            assertThat(back.params().names()).containsExactlyElementsOf(f.params().names());
            for (String n : f.params().names()) {
                assertThat(back.params().get(n).shape()).isEqualTo(f.params().get(n).shape());
                long[] a = Arrays.stream(f.params().get(n).data()).mapToLong(Double::doubleToRawLongBits).toArray();
                long[] b = Arrays.stream(back.params().get(n).data()).mapToLong(Double::doubleToRawLongBits).toArray();
                assertThat(b).as(n).isEqualTo(a);
            }
            assertThat(back.spec().toJson()).isEqualTo(f.spec().toJson());
            assertThat(back.graph()).isEqualTo(f.graph());
            assertThat(back.training()).isEqualTo(f.training());
            assertThat(back.graphReadout() == null ? null : back.graphReadout().widths())
                    .isEqualTo(f.graphReadout() == null ? null : f.graphReadout().widths());
            byte[] first = Files.readAllBytes(p);
            back.write(p);
            assertThat(Files.readAllBytes(p)).isEqualTo(first);
        }
    }

    /** A reader written from docs/model-files.md, not from ModelFile: the documented layout holds. */
    @Test
    void theLayoutIsTheDocumentedOne() throws Exception {
        ModelFile f = perNode();
        byte[] all = Files.readAllBytes(written(f, "m.myc"));
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("MYCMODEL");
        assertThat(b.getInt()).isEqualTo(1);
        int h = b.getInt();
        byte[] hb = new byte[h];
        b.get(hb);
        JsonNode header = new ObjectMapper().readTree(hb);
        assertThat(header.get("model").get("type").asText()).isEqualTo("gcnn");
        assertThat(header.get("tied").asBoolean()).isFalse();
        assertThat(header.get("copies").asInt()).isEqualTo(20);
        assertThat(header.get("graph").get("nodes").asInt()).isEqualTo(20);
        assertThat(header.get("training").get("metric").asText()).isEqualTo("test MSE");
        for (JsonNode p : header.get("parameters")) {
            int size = 1;
            for (JsonNode d : p.get("shape")) size *= d.asInt();
            double[] want = f.params().get(p.get("name").asText()).data();
            assertThat(size).isEqualTo(want.length);
            for (double w : want) assertThat(b.getDouble()).isEqualTo(w);
        }
        assertThat(b.remaining()).isEqualTo(32);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(all, 0, all.length - 32);
        assertThat(Arrays.copyOfRange(all, all.length - 32, all.length)).isEqualTo(sha.digest());
    }

    /** The edge hash of the path 0–1–2 with weights as documented: SHA-256 of (0, 1, 1.0), (1, 2, 1.0) packed as <iid. */
    @Test
    void theEdgeHashIsTheDocumentedOne() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(1).putDouble(1.0).putInt(1).putInt(2).putDouble(1.0);
        String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        Graph path = Graph.fromEdges(3, new int[] {2, 0}, new int[] {1, 1});   // given in another order and direction
        assertThat(GraphIdentity.of(path)).isEqualTo(new GraphIdentity(3, 2, want));
        assertThat(GraphIdentity.of(Graph.fromEdges(3, new int[] {0, 1}, new int[] {1, 2}, new double[] {1, 2})).edgeHash()).isNotEqualTo(want);
    }

    void refused(byte[] bytes, String... words) throws Exception {
        Path p = dir.resolve("bad.myc");
        Files.write(p, bytes);
        assertThatThrownBy(() -> ModelFile.read(p)).isInstanceOf(InputException.class)
                .hasMessageStartingWith(p.toString()).satisfies(e -> assertThat(e.getMessage()).contains(words));
    }

    @Test
    void corruptedFilesAreRefused() throws Exception {
        byte[] good = Files.readAllBytes(written(perNode(), "m.myc"));
        int h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        for (int at : new int[] {16 + h + 5, good.length - 40, good.length - 1, 16 + h / 2}) {   // payload, last double, checksum, header
            byte[] b = good.clone();
            b[at] ^= 0x10;
            refused(b, "corrupted");
        }
        refused(Arrays.copyOf(good, good.length - 1), "truncated", good.length - 1 + " bytes", good.length + "");
        refused(Arrays.copyOf(good, 16 + h + 100), "truncated");
        refused(Arrays.copyOf(good, 12), "truncated");
        refused(Arrays.copyOf(good, good.length + 8), "corrupted");
        byte[] v2 = good.clone();
        v2[8] = 2;
        refused(v2, "version 2 is newer");
        byte[] magic = good.clone();
        magic[0] = 'X';
        refused(magic, "not a Mycelium model file");
        refused("sample,node,x\n0,0,1\n".getBytes(StandardCharsets.UTF_8), "not a Mycelium model file");
        assertThatThrownBy(() -> ModelFile.read(dir.resolve("none.myc"))).isInstanceOf(InputException.class).hasMessageContaining("no such model file");
    }

    /** A header whose parameters do not fit its spec (here: a graph readout's parameters without the readout) is refused. */
    @Test
    void parametersThatDoNotFitTheSpecAreRefused() throws Exception {
        ModelFile g = graphLevel();
        Path p = written(new ModelFile(g.spec(), null, g.params(), g.graph(), g.training()), "nohead.myc");
        assertThatThrownBy(() -> ModelFile.read(p)).isInstanceOf(InputException.class)
                .hasMessageContaining("do not fit the model spec").hasMessageContaining("graph-readout.w0");
        Path q = written(new ModelFile(g.spec(), new GraphReadout(3, 1), g.params(), g.graph(), g.training()), "wronghead.myc");
        assertThatThrownBy(() -> ModelFile.read(q)).isInstanceOf(InputException.class).hasMessageContaining("graphReadout").hasMessageContaining("reads 3 node outputs");
    }

    @Test
    void perNodeModelsRunOnlyOnTheirGraphTiedOnesAnywhere() throws Exception {
        Path p = written(perNode(), "m.myc");
        ModelFile f = ModelFile.read(p);
        f.checkGraph(p, Generators.parse("ba:20:2", 4), "--graph g.txt");   // the same graph, built again
        Graph other = Generators.parse("ba:20:2", 5), bigger = Generators.parse("ba:21:2", 4);
        for (Graph g : new Graph[] {other, bigger})
            assertThatThrownBy(() -> f.checkGraph(p, g, "--graph g.txt")).isInstanceOf(InputException.class)
                    .hasMessageContaining("one parameter copy per node").hasMessageContaining("--graph g.txt has " + g.n() + " nodes");
        ModelFile t = ModelFile.read(written(tied(), "t.myc"));
        t.checkGraph(p, bigger, "--graph g.txt");
        assertThat(t.model(bigger)).isInstanceOf(Ignn.class);
    }
}
