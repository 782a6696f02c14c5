package io.mycelium.task;

import io.mycelium.graph.Graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Planetoid citation graph (Cora, CiteSeer, PubMed) read from the original {@code ind.NAME.*} files
 * of Yang et al. (2016), with the standard public split: train = the {@code x} rows (20 per class),
 * val = the next 500 nodes, test = the 1000 nodes of {@code test.index}.
 *
 * <p>Node order follows the common loaders (Kipf's GCN code, PyG): nodes 0..|allx|-1 carry the
 * {@code allx}/{@code ally} rows, node {@code test.index[i]} carries row i of {@code tx}/{@code ty}.
 * Nodes in the test range that {@code test.index} omits (CiteSeer's 15 isolated nodes) get all-zero
 * features and label −1, and belong to no split. Edges are the {@code graph} adjacency lists, made
 * undirected, without self-loops and duplicates.
 *
 * @param features CSR rows of the (binary) bag-of-words features, values as stored
 * @param labels class of each node, −1 when it has none
 */
public record Planetoid(String name, Graph graph, int featureCount, int[] featOffsets, int[] featIndices, double[] featValues,
                        int[] labels, int classes, int[] train, int[] val, int[] test) {

    public static final String[] SUFFIXES = {"x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"};

    /** Loads {@code dir/ind.NAME.*}; a missing or malformed file is an {@link IOException} naming it. */
    public static Planetoid load(Path dir, String name) throws IOException {
        for (String s : SUFFIXES) {
            Path f = dir.resolve("ind." + name + "." + s);
            if (!Files.isRegularFile(f))
                throw new IOException("missing " + f + " (Planetoid needs ind." + name + ".{" + String.join(",", SUFFIXES) + "} in " + dir + ")");
        }
        Pickle.Csr x = csr(dir, name, "x"), tx = csr(dir, name, "tx"), allx = csr(dir, name, "allx");
        Pickle.NdArray y = array(dir, name, "y"), ty = array(dir, name, "ty"), ally = array(dir, name, "ally");
        int[] testIndex = testIndex(dir.resolve("ind." + name + ".test.index"));
        Object g = Pickle.read(dir.resolve("ind." + name + ".graph"));

        int f = allx.cols(), classes = ally.cols();
        check(x.cols() == f && tx.cols() == f, dir, name, "x, tx and allx differ in their number of columns");
        check(y.cols() == classes && ty.cols() == classes, dir, name, "y, ty and ally differ in their number of classes");
        check(x.rows() == y.rows() && tx.rows() == ty.rows() && allx.rows() == ally.rows(), dir, name, "feature and label row counts differ");
        check(tx.rows() == testIndex.length, dir, name, "tx has " + tx.rows() + " rows but test.index " + testIndex.length + " ids");
        int[] sorted = testIndex.clone();
        Arrays.sort(sorted);
        check(sorted[0] >= allx.rows(), dir, name, "test.index overlaps the allx rows");
        int n = sorted[sorted.length - 1] + 1;
        check(y.rows() + 500 <= allx.rows(), dir, name, "allx has fewer than |y| + 500 rows, no room for the validation split");

        // rows of every node: allx rows first, then tx row i at node testIndex[i]
        Pickle.Csr[] src = new Pickle.Csr[n];
        int[] row = new int[n];
        double[][] lab = {ally.values(), ty.values()};
        int[] labSrc = new int[n];
        Arrays.fill(labSrc, -1);
        for (int i = 0; i < allx.rows(); i++) { src[i] = allx; row[i] = i; labSrc[i] = 0; }
        for (int i = 0; i < testIndex.length; i++) {
            int v = testIndex[i];
            check(src[v] != allx && src[v] != tx, dir, name, "test.index lists node " + v + " twice");
            src[v] = tx;
            row[v] = i;
            labSrc[v] = 1;
        }
        int[] off = new int[n + 1];
        for (int v = 0; v < n; v++) off[v + 1] = off[v] + (src[v] == null ? 0 : src[v].indptr()[row[v] + 1] - src[v].indptr()[row[v]]);
        int[] idx = new int[off[n]];
        double[] val = new double[off[n]];
        int[] labels = new int[n];
        for (int v = 0; v < n; v++) {
            labels[v] = -1;
            if (src[v] == null) continue;
            int a = src[v].indptr()[row[v]], len = off[v + 1] - off[v];
            System.arraycopy(src[v].indices(), a, idx, off[v], len);
            System.arraycopy(src[v].data(), a, val, off[v], len);
            double[] l = lab[labSrc[v]];
            int best = -1;
            for (int c = 0; c < classes; c++) if (l[row[v] * classes + c] > 0 && (best < 0 || l[row[v] * classes + c] > l[row[v] * classes + best])) best = c;
            labels[v] = best;
        }
        Graph graph = graph(g, n, dir, name);
        int[] train = range(0, y.rows()), valid = range(y.rows(), y.rows() + 500);
        for (int[] split : new int[][] {train, valid, sorted})
            for (int v : split) check(labels[v] >= 0, dir, name, "node " + v + " of a split has no label");
        return new Planetoid(name, graph, f, off, idx, val, labels, classes, train, valid, sorted);
    }

    public int n() { return labels.length; }

    /** Dense features as the files hold them (binary bags of words), {@code n × featureCount} row-major. */
    public double[] denseFeatures() {
        double[] d = new double[n() * featureCount];
        for (int v = 0; v < n(); v++)
            for (int p = featOffsets[v]; p < featOffsets[v + 1]; p++) d[v * featureCount + featIndices[p]] = featValues[p];
        return d;
    }

    /** Dense row-normalized features (each row sums to 1; empty rows stay zero), {@code n × featureCount} row-major. */
    public double[] rowNormalizedFeatures() {
        double[] d = new double[n() * featureCount];
        for (int v = 0; v < n(); v++) {
            double s = 0;
            for (int p = featOffsets[v]; p < featOffsets[v + 1]; p++) s += featValues[p];
            for (int p = featOffsets[v]; p < featOffsets[v + 1]; p++) d[v * featureCount + featIndices[p]] = s == 0 ? 0 : featValues[p] / s;
        }
        return d;
    }

    private static Graph graph(Object g, int n, Path dir, String name) throws IOException {
        if (!(g instanceof Pickle.Obj o) || !o.cls.equals("collections defaultdict"))
            throw new IOException(dir.resolve("ind." + name + ".graph") + ": expected a defaultdict of neighbour lists, found " + Pickle.describe(g));
        List<Integer> us = new ArrayList<>(), vs = new ArrayList<>();
        int max = n - 1;
        for (Map.Entry<Object, Object> e : o.items.entrySet()) {
            int u = Math.toIntExact((Long) e.getKey());
            max = Math.max(max, u);
            for (Object w : (List<?>) e.getValue()) {
                int v = Math.toIntExact((Long) w);
                max = Math.max(max, v);
                if (u != v) { us.add(u); vs.add(v); }
            }
        }
        check(max < n, dir, name, "the graph names node " + max + " but there are " + n + " nodes");
        return Graph.fromEdges(n, us.stream().mapToInt(Integer::intValue).toArray(), vs.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Pickle.Csr csr(Path dir, String name, String s) throws IOException {
        Path f = dir.resolve("ind." + name + "." + s);
        try {
            return Pickle.csr(Pickle.read(f));
        } catch (RuntimeException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    private static Pickle.NdArray array(Path dir, String name, String s) throws IOException {
        Path f = dir.resolve("ind." + name + "." + s);
        try {
            Pickle.NdArray a = Pickle.ndarray(Pickle.read(f));
            if (a.shape().length != 2) throw new IllegalStateException("expected a 2-d one-hot label array, found " + a.shape().length + "-d");
            return a;
        } catch (RuntimeException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    private static int[] testIndex(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f);
        int[] r = new int[(int) lines.stream().filter(l -> !l.isBlank()).count()];
        int k = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) continue;
            try {
                r[k++] = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                throw new IOException(f + " line " + (i + 1) + ": not a node id: '" + l + "'");
            }
            if (r[k - 1] < 0) throw new IOException(f + " line " + (i + 1) + ": negative node id");
        }
        if (r.length == 0) throw new IOException(f + ": no node ids");
        return r;
    }

    private static void check(boolean ok, Path dir, String name, String what) throws IOException {
        if (!ok) throw new IOException(dir + " (" + name + "): " + what);
    }

    private static int[] range(int a, int b) {
        int[] r = new int[b - a];
        for (int i = 0; i < r.length; i++) r[i] = a + i;
        return r;
    }
}
