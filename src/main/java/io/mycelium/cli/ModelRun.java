package io.mycelium.cli;

import io.mycelium.artifact.ModelFile;
import io.mycelium.graph.EdgeListReader;
import io.mycelium.graph.Graph;
import io.mycelium.model.Trainable;
import io.mycelium.task.CsvDataset;
import io.mycelium.task.Inference;
import io.mycelium.train.GraphReadout;
import io.mycelium.tensor.Tensor;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What {@code predict} and {@code infer} share: a model file run on a graph with node features, all
 * checked before anything runs, and the outputs as CSV ({@code sample,node,y1,...}).
 */
record ModelRun(Path file, ModelFile model, Graph graph, Tensor features, Trainable trainable) {

    /** Reads and checks the model, the graph (an edge-list file) and the features ({@code sample,node,values} CSV). */
    static ModelRun load(Path modelFile, Path graphFile, Path featuresFile) {
        ModelFile m = ModelFile.read(modelFile);
        if (m.spec().edgeFeatureWidth() > 0)
            throw new Main.UserError(modelFile + ": the model reads " + m.spec().edgeFeatureWidth()
                    + " feature(s) per edge; predict and infer take node features only, so they cannot run it");
        Graph g = EdgeListReader.read(graphFile);
        m.checkGraph(modelFile, g, "--graph " + graphFile);
        Tensor x = CsvDataset.readFeatures(featuresFile, g.n());
        int want = m.spec().inputWidth();
        if (x.dim(2) != want)
            throw new Main.UserError("--features " + featuresFile + " has " + x.dim(2) + " feature columns; the model in " + modelFile + " takes " + want);
        return new ModelRun(modelFile, m, g, x, m.model(g));
    }

    /**
     * What the commands print for an inference: the node outputs {@code [nodes, samples, k]}, or for a
     * graph-level model (a graph readout in the file) one row per sample, {@code [samples, J]}; mapped
     * through the file's output scale when it has one (a model trained on standardized targets).
     */
    Tensor outputs(Inference.Result r) {
        GraphReadout head = model.graphReadout();
        Tensor y = head == null ? r.outputs() : Inference.graphLevel(head, graph, model.params(), r.outputs());
        return model.outputScale() == null ? y : model.outputScale().apply(y);
    }

    /** The first line of every CSV file these commands write; only such a file is replaced (with --force). */
    static final String MARKER = "# mycelium model outputs";

    /** Refuses an --out that is a directory, or a file Mycelium did not write, or one it did without {@code force}. */
    static void checkOut(Path out, boolean force) {
        if (out == null) return;
        if (Files.isDirectory(out)) throw new Main.UserError("--out " + out + " is a directory; give a file name such as outputs.csv");
        if (!Files.exists(out)) return;
        boolean ours;
        try (var r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            ours = first != null && first.startsWith(MARKER);
        } catch (IOException | java.io.UncheckedIOException e) {
            ours = false;
        }
        if (!ours) throw new Main.UserError("--out " + out + " exists and was not written by mycelium predict or infer; it is left as it is");
        if (!force) throw new Main.UserError("--out " + out + " holds earlier outputs; pass --force to replace them");
    }

    /** Writes {@link #outputs} as CSV to {@code out} (atomically) or, when null, to standard output. */
    void write(Tensor y, Path out, String command) throws IOException {
        if (out == null) {
            Writer w = new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
            csv(y, w, command);
            w.flush();
            return;
        }
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".partial");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                csv(y, w, command);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Lines {@code sample,node,y1,...,yk} (graph-level: {@code sample,y1,...}) in sample order; values in Java's shortest round-trip form, so they parse back to the same bits. */
    private void csv(Tensor y, Writer w, String command) throws IOException {
        boolean graphs = y.rank() == 2;
        int n = graphs ? 1 : y.dim(0), samples = graphs ? y.dim(0) : y.dim(1), k = y.dim(-1);
        w.write(MARKER + " (" + command + " " + file.getFileName() + ")\n");
        StringBuilder b = new StringBuilder(graphs ? "sample" : "sample,node");
        for (int c = 1; c <= k; c++) b.append(",y").append(c);
        w.write(b.append('\n').toString());
        double[] v = y.data();
        for (int s = 0; s < samples; s++)
            for (int i = 0; i < n; i++) {
                b.setLength(0);
                b.append(s);
                if (!graphs) b.append(',').append(i);
                for (int c = 0; c < k; c++) b.append(',').append(v[(i * samples + s) * k + c]);
                w.write(b.append('\n').toString());
            }
    }
}
