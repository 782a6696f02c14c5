package io.mycelium.wireless;

import io.mycelium.graph.EdgeListReader;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Init;
import io.mycelium.util.InputException;
import org.apache.commons.rng.UniformRandomProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 10 conflict graphs of Fig. 2(c) with their fixed vertex weights, as converted in
 * {@code data/link-scheduling/}: {@code index.tsv} names them in the authors' evaluation order, and
 * each has {@code <stem>.edges.txt} (an edge list) and {@code <stem>.weights.txt} (one weight a line).
 */
public record SchedulingTestSet(List<String> names, List<Graph> graphs, List<double[]> weights) {

    public static SchedulingTestSet read(Path dir) {
        Path index = dir.resolve("index.tsv");
        List<String> lines = lines(index, "index of the link-scheduling test graphs; see docs/data.md");
        List<String> names = new ArrayList<>();
        List<Graph> graphs = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        for (int k = 1; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.isEmpty()) continue;
            String[] f = line.split("\t");
            if (f.length < 2) throw new InputException(index + ":" + (k + 1) + ": expected 'order<TAB>stem<TAB>…'");
            String stem = f[1];
            Graph g = EdgeListReader.read(dir.resolve(stem + ".edges.txt"));
            names.add(stem);
            graphs.add(g);
            weights.add(readWeights(dir.resolve(stem + ".weights.txt"), g.n()));
        }
        if (graphs.isEmpty()) throw new InputException(index + ": lists no graphs");
        return new SchedulingTestSet(List.copyOf(names), List.copyOf(graphs), List.copyOf(weights));
    }

    private static List<String> lines(Path file, String what) {
        try {
            return Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file (" + what + ")");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static double[] readWeights(Path file, int n) {
        List<String> lines = lines(file, "vertex weights, one a line");
        double[] w = new double[n];
        int i = 0;
        for (int k = 0; k < lines.size(); k++) {
            String s = lines.get(k).strip();
            if (s.isEmpty()) continue;
            if (i == n) throw new InputException(file + ":" + (k + 1) + ": more than " + n + " weights for a graph of " + n + " nodes");
            try {
                w[i] = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new InputException(file + ":" + (k + 1) + ": not a number: '" + s + "'");
            }
            if (!(w[i] >= 0) || Double.isInfinite(w[i])) throw new InputException(file + ":" + (k + 1) + ": weight must be finite and ≥ 0, got " + s);
            i++;
        }
        if (i != n) throw new InputException(file + ": " + i + " weights for a graph of " + n + " nodes");
        return w;
    }

    public int size() { return graphs.size(); }

    /** Edge probabilities of the 10 test graphs (spec C.8: average degree 2, 5, 10, 15, 20 on 100 nodes). */
    public static final double[] TEST_P = {0.02, 0.05, 0.1, 0.15, 0.2};

    /**
     * A held-out set drawn the way the 10 test graphs were: {@code perDensity} G(n, p) for each p of the
     * test set, weights U(0,1). Ten graphs make a coarse mean; this one shows what a trained actor does
     * on the test set's distribution rather than on those ten draws.
     */
    public static SchedulingTestSet drawnLikeTheTestSet(int nodes, int perDensity, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        List<String> names = new ArrayList<>();
        List<Graph> graphs = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        for (double p : TEST_P)
            for (int k = 0; k < perDensity; k++) {
                names.add("G(" + nodes + "," + p + ")#" + k);
                graphs.add(Generators.erdosRenyi(nodes, p, r.nextLong()));
                double[] w = new double[nodes];
                for (int i = 0; i < nodes; i++) w[i] = r.nextDouble();
                weights.add(w);
            }
        return new SchedulingTestSet(List.copyOf(names), List.copyOf(graphs), List.copyOf(weights));
    }
}
