package io.mycelium.data;

import io.mycelium.util.InputException;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * A graph-classification data set in the TU Dortmund format (Morris et al., "TUDataset", 2020), as
 * MUTAG and PROTEINS are distributed: in a directory, {@code NAME_A.txt} (one directed edge
 * {@code row, col} per line, 1-based global node ids, both directions listed),
 * {@code NAME_graph_indicator.txt} (line i: the graph of node i, 1-based),
 * {@code NAME_graph_labels.txt} (line g: the class of graph g) and {@code NAME_node_labels.txt}
 * (line i: the discrete label of node i); {@code NAME_node_attributes.txt} (comma-separated floats)
 * is read when asked for.
 *
 * <p>Node features are the one-hot node labels (MUTAG: the 7 atom types; PROTEINS: the 3
 * secondary-structure types, the three-dimensional features of the hogwild paper's Appendix G.1),
 * optionally followed by the node attributes. Graph classes are the distinct graph labels in
 * ascending order, numbered 0, 1, ... (MUTAG −1 → 0, 1 → 1; PROTEINS 1 → 0, 2 → 1). Every error names
 * the file and line.
 *
 * @param graphs  one sample per graph, targets {@code [1, 1]} holding the class number
 * @param classes the original graph labels, in the order of their class numbers
 */
public record TuDataset(String name, List<GraphSample> graphs, int[] labels, String[] classes, int featureWidth) {

    /** Reads {@code dir/NAME_*.txt}, with node attributes appended to the one-hot labels when {@code attributes}. */
    public static TuDataset load(Path dir, String name, boolean attributes) {
        if (!Files.isDirectory(dir)) throw new InputException(dir + ": not a directory (a TU data set such as MUTAG/ or PROTEINS/)");
        int[] graphOf = ints(file(dir, name, "graph_indicator"), 1);
        int n = graphOf.length;
        if (n == 0) throw new InputException(file(dir, name, "graph_indicator") + ": no nodes");
        int graphs = 0;
        for (int i = 0; i < n; i++) {
            if (graphOf[i] < graphs) throw new InputException(file(dir, name, "graph_indicator") + ":" + (i + 1)
                    + ": graph " + graphOf[i] + " after graph " + graphs + " (nodes must be grouped by graph, in order)");
            if (graphOf[i] > graphs + 1) throw new InputException(file(dir, name, "graph_indicator") + ":" + (i + 1)
                    + ": graph " + graphOf[i] + " skips graph " + (graphs + 1));
            graphs = graphOf[i];
        }
        String[] rawLabels = tokens(file(dir, name, "graph_labels"));
        if (rawLabels.length != graphs) throw new InputException(file(dir, name, "graph_labels") + ": " + rawLabels.length
                + " labels for " + graphs + " graphs");
        TreeSet<Integer> distinct = new TreeSet<>();
        int[] rawInt = new int[graphs];
        for (int g = 0; g < graphs; g++) {
            rawInt[g] = parseInt(file(dir, name, "graph_labels"), g + 1, rawLabels[g]);
            distinct.add(rawInt[g]);
        }
        if (distinct.size() < 2) throw new InputException(file(dir, name, "graph_labels") + ": only one class " + distinct);
        List<Integer> order = new ArrayList<>(distinct);
        int[] labels = new int[graphs];
        for (int g = 0; g < graphs; g++) labels[g] = order.indexOf(rawInt[g]);

        int[] nodeLabel = ints(file(dir, name, "node_labels"), 0);
        if (nodeLabel.length != n) throw new InputException(file(dir, name, "node_labels") + ": " + nodeLabel.length
                + " lines for " + n + " nodes");
        int kinds = Arrays.stream(nodeLabel).max().orElse(0) + 1;
        double[][] attr = attributes ? attributes(file(dir, name, "node_attributes"), n) : new double[0][];
        int extra = attributes ? attr[0].length : 0;
        int width = kinds + extra;

        // nodes of graph g are [first[g], first[g + 1])
        int[] first = new int[graphs + 1];
        for (int i = 0; i < n; i++) first[graphOf[i]]++;
        for (int g = 0; g < graphs; g++) first[g + 1] += first[g];
        List<List<int[]>> edges = new ArrayList<>(graphs);
        for (int g = 0; g < graphs; g++) edges.add(new ArrayList<>());
        Path a = file(dir, name, "A");
        readEdges(a, n, graphOf, first, edges);

        List<GraphSample> out = new ArrayList<>(graphs);
        for (int g = 0; g < graphs; g++) {
            int lo = first[g], size = first[g + 1] - lo;
            Graph gr;
            try {
                List<int[]> e = edges.get(g);
                gr = Graph.fromEdges(size, e.stream().mapToInt(p -> p[0]).toArray(), e.stream().mapToInt(p -> p[1]).toArray());
            } catch (IllegalArgumentException e) {
                throw new InputException(a + ": graph " + (g + 1) + ": " + e.getMessage(), e);
            }
            Tensor x = Tensor.zeros(size, width);
            for (int i = 0; i < size; i++) {
                x.set(1, i, nodeLabel[lo + i]);
                for (int k = 0; k < extra; k++) x.set(attr[lo + i][k], i, kinds + k);
            }
            out.add(new GraphSample(gr, x, null, Tensor.full(labels[g], 1, 1)));
        }
        String[] classes = order.stream().map(String::valueOf).toArray(String[]::new);
        return new TuDataset(name, List.copyOf(out), labels, classes, width);
    }

    /** Number of graphs of each class. */
    public int[] classCounts() {
        int[] c = new int[classes.length];
        for (int l : labels) c[l]++;
        return c;
    }

    static Path file(Path dir, String name, String part) { return dir.resolve(name + "_" + part + ".txt"); }

    /** Reads the undirected edges, once per pair (TU lists both directions; a pair listed once is taken as undirected too). */
    private static void readEdges(Path a, int n, int[] graphOf, int[] first, List<List<int[]>> edges) {
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        int lineNo = 0;
        try (BufferedReader in = reader(a)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty()) continue;
                String[] t = s.split("\\s*,\\s*|\\s+");
                if (t.length != 2) throw new InputException(a + ":" + lineNo + ": expected 'row, col', got '" + clip(s) + "'");
                int u = parseInt(a, lineNo, t[0]) - 1, v = parseInt(a, lineNo, t[1]) - 1;
                if (u < 0 || u >= n || v < 0 || v >= n)
                    throw new InputException(a + ":" + lineNo + ": node id out of range 1.." + n + ": '" + clip(s) + "'");
                if (u == v) continue; // TU graphs have none; a self-loop carries no message
                int g = graphOf[u] - 1;
                if (graphOf[v] - 1 != g)
                    throw new InputException(a + ":" + lineNo + ": edge between graphs " + graphOf[u] + " and " + graphOf[v]);
                int lo = Math.min(u, v), hi = Math.max(u, v);
                if (seen.add((long) lo * n + hi)) edges.get(g).add(new int[] {lo - first[g], hi - first[g]});
            }
        } catch (IOException e) {
            throw new InputException(a + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static double[][] attributes(Path f, int n) {
        String[] lines = lines(f);
        if (lines.length != n) throw new InputException(f + ": " + lines.length + " lines for " + n + " nodes");
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            String[] t = lines[i].strip().split("\\s*,\\s*");
            a[i] = new double[t.length];
            if (i > 0 && t.length != a[0].length)
                throw new InputException(f + ":" + (i + 1) + ": " + t.length + " attributes, line 1 has " + a[0].length);
            for (int k = 0; k < t.length; k++) {
                try {
                    a[i][k] = Double.parseDouble(t[k]);
                } catch (NumberFormatException e) {
                    throw new InputException(f + ":" + (i + 1) + ": not a number: '" + clip(t[k]) + "'");
                }
                if (!Double.isFinite(a[i][k])) throw new InputException(f + ":" + (i + 1) + ": not finite: '" + clip(t[k]) + "'");
            }
        }
        return a;
    }

    /** One non-negative integer per line, at least {@code min}. */
    private static int[] ints(Path f, int min) {
        String[] t = tokens(f);
        int[] v = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = parseInt(f, i + 1, t[i]);
            if (v[i] < min) throw new InputException(f + ":" + (i + 1) + ": expected an integer ≥ " + min + ", got " + v[i]);
        }
        return v;
    }

    private static String[] tokens(Path f) {
        String[] l = lines(f);
        for (int i = 0; i < l.length; i++) {
            l[i] = l[i].strip();
            if (l[i].isEmpty()) throw new InputException(f + ":" + (i + 1) + ": empty line");
        }
        return l;
    }

    private static String[] lines(Path f) {
        List<String> out = new ArrayList<>();
        try (BufferedReader in = reader(f)) {
            String line;
            while ((line = in.readLine()) != null) out.add(line);
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")", e);
        }
        while (!out.isEmpty() && out.getLast().isBlank()) out.removeLast();
        return out.toArray(String[]::new);
    }

    private static BufferedReader reader(Path f) throws IOException {
        if (!Files.isRegularFile(f)) throw new InputException(f + ": missing (a TU data set needs _A, _graph_indicator, _graph_labels and _node_labels files)");
        return Files.newBufferedReader(f, StandardCharsets.UTF_8);
    }

    private static int parseInt(Path f, int line, String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new InputException(f + ":" + line + ": not an integer: '" + clip(s) + "'");
        }
    }

    private static String clip(String s) { return s.length() > 40 ? s.substring(0, 40) + "…" : s; }
}
