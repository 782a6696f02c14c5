package io.mycelium.graph;

import io.mycelium.tensor.Init;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.commons.rng.UniformRandomProvider;
import org.jgrapht.generate.BarabasiAlbertGraphGenerator;
import org.jgrapht.generate.GnpRandomGraphGenerator;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleGraph;
import org.jgrapht.util.SupplierUtil;

/**
 * Random and regular graph families used by the experiments. Every random graph is a pure function
 * of its parameters and seed.
 */
public final class Generators {
    private Generators() {}

    public static final String SPEC_FORMS =
            "ba:N:M (Barabasi-Albert), er:N:P (Erdos-Renyi G(n,p)), er-deg:N:D (Erdos-Renyi with average degree D), "
                    + "rgg:N:R (random geometric in the unit square, radius R), path:N, grid:RxC";

    /**
     * Barabási–Albert preferential attachment as JGraphT defines it: a complete graph on m0 = m
     * nodes, then n - m nodes each attached to m distinct earlier nodes, so the graph has
     * m(m-1)/2 + (n-m)m edges and is connected.
     */
    public static Graph barabasiAlbert(int n, int m, long seed) {
        if (m < 1) throw new IllegalArgumentException("Barabasi-Albert needs m >= 1 edges per new node, got m=" + m);
        if (n < m) throw new IllegalArgumentException("Barabasi-Albert needs n >= m, got n=" + n + ", m=" + m);
        var target = new SimpleGraph<Integer, DefaultEdge>(
                SupplierUtil.createIntegerSupplier(), SupplierUtil.DEFAULT_EDGE_SUPPLIER, false);
        new BarabasiAlbertGraphGenerator<Integer, DefaultEdge>(m, m, n, javaRandom(seed)).generateGraph(target);
        return fromJGraphT(target);
    }

    /**
     * Above this many nodes G(n,p) is drawn by skipping over absent pairs, since JGraphT's generator
     * flips a coin for each of the n(n-1)/2 pairs (2.3 s at n = 20000, hours at 10^6).
     */
    static final int GNP_JGRAPHT_MAX_NODES = 10_000;

    /**
     * G(n,p): every pair independently with probability p. JGraphT's generator up to
     * {@value #GNP_JGRAPHT_MAX_NODES} nodes; beyond that a geometric-skip sampler of the same
     * distribution in O(n + edges).
     */
    public static Graph erdosRenyi(int n, double p, long seed) {
        requireNodes(n);
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("edge probability must be in [0,1], got " + p);
        if (n > GNP_JGRAPHT_MAX_NODES) return erdosRenyiSkipping(n, p, seed);
        var target = new SimpleGraph<Integer, DefaultEdge>(
                SupplierUtil.createIntegerSupplier(), SupplierUtil.DEFAULT_EDGE_SUPPLIER, false);
        new GnpRandomGraphGenerator<Integer, DefaultEdge>(n, p, javaRandom(seed), false).generateGraph(target);
        return fromJGraphT(target);
    }

    /**
     * G(n,p) in O(n + edges) (Batagelj and Brandes, 2005): walks the pairs (v, w), w < v, in order
     * and jumps over the geometrically distributed run of absent pairs before each present one.
     */
    static Graph erdosRenyiSkipping(int n, double p, long seed) {
        double expected = p * n * ((n - 1) / 2.0);
        if (expected > Integer.MAX_VALUE / 2.0)
            throw new IllegalArgumentException("G(" + n + ", " + p + ") would have about " + (long) expected + " edges, too many for one graph");
        EdgeBuffer edges = new EdgeBuffer((int) Math.min(1 << 24, Math.max(16, expected * 1.05)));
        if (p > 0) {
            UniformRandomProvider rng = Init.rng(seed);
            double logQ = Math.log1p(-p);
            long v = 1, w = -1;
            while (v < n) {
                // p = 1 makes logQ infinite and the skip zero: every pair is taken.
                w += 1 + (long) Math.floor(Math.log1p(-rng.nextDouble()) / logQ);
                while (w >= v && v < n) {
                    w -= v;
                    v++;
                }
                if (v < n) edges.add((int) v, (int) w);
            }
        }
        return Graph.fromEdges(n, edges.u(), edges.v());
    }

    /** G(n,p) with p = avgDegree/(n-1), so the expected degree is avgDegree. */
    public static Graph erdosRenyiAverageDegree(int n, double avgDegree, long seed) {
        requireNodes(n);
        if (!(avgDegree >= 0) || (n > 1 && avgDegree > n - 1))
            throw new IllegalArgumentException("average degree must be in [0, n-1], got " + avgDegree + " for n=" + n);
        return erdosRenyi(n, n == 1 ? 0 : avgDegree / (n - 1), seed);
    }

    /** n points uniform in the unit square, as rows {x, y}. */
    public static double[][] uniformPoints(int n, long seed) {
        requireNodes(n);
        UniformRandomProvider rng = Init.rng(seed);
        double[][] pts = new double[n][2];
        for (double[] p : pts) {
            p[0] = rng.nextDouble();
            p[1] = rng.nextDouble();
        }
        return pts;
    }

    /** Random geometric graph: an edge between every two points at euclidean distance at most radius. */
    public static Graph randomGeometric(double[][] points, double radius) {
        return GeometricGraphs.build(points, radius);
    }

    public static Graph randomGeometric(int n, double radius, long seed) {
        return randomGeometric(uniformPoints(n, seed), radius);
    }

    /** The chain 0-1-2-...-(n-1). */
    public static Graph path(int n) {
        requireNodes(n);
        int[] u = new int[n - 1], v = new int[n - 1];
        for (int i = 0; i + 1 < n; i++) {
            u[i] = i;
            v[i] = i + 1;
        }
        return Graph.fromEdges(n, u, v);
    }

    /** The rows x cols lattice; node (r, c) has id r*cols + c. */
    public static Graph grid(int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("grid needs rows, cols >= 1, got " + rows + "x" + cols);
        long n = (long) rows * cols;
        long edges = (long) rows * (cols - 1) + (long) cols * (rows - 1);
        if (n > Integer.MAX_VALUE || 2 * edges > Integer.MAX_VALUE)
            throw new IllegalArgumentException("grid " + rows + "x" + cols + " is too large");
        int[] u = new int[(int) edges], v = new int[(int) edges];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int id = r * cols + c;
                if (c + 1 < cols) { u[k] = id; v[k++] = id + 1; }
                if (r + 1 < rows) { u[k] = id; v[k++] = id + cols; }
            }
        }
        return Graph.fromEdges((int) n, u, v);
    }

    /**
     * Converts a JGraphT graph. Vertices {0..n-1} keep their ids; any other vertex set is numbered
     * in the graph's iteration order. Parallel edges merge; self-loops are rejected.
     */
    public static Graph fromJGraphT(org.jgrapht.Graph<Integer, ?> g) {
        return convert(g);
    }

    private static <E> Graph convert(org.jgrapht.Graph<Integer, E> g) {
        int n = g.vertexSet().size();
        boolean identity = true;
        for (Integer x : g.vertexSet()) if (x == null || x < 0 || x >= n) { identity = false; break; }
        Map<Integer, Integer> ids = null;
        if (!identity) {
            ids = new HashMap<>(2 * n);
            for (Integer x : g.vertexSet()) ids.put(x, ids.size());
        }
        int m = g.edgeSet().size();
        int[] u = new int[m], v = new int[m];
        int k = 0;
        for (E e : g.edgeSet()) {
            Integer s = g.getEdgeSource(e), t = g.getEdgeTarget(e);
            u[k] = identity ? s : ids.get(s);
            v[k++] = identity ? t : ids.get(t);
        }
        return Graph.fromEdges(n, u, v);
    }

    /**
     * Builds a graph from a spec such as {@code ba:1000:2}, {@code er-deg:2000:8} or {@code grid:10x20}.
     * Counts accept plain integers or scientific notation ({@code 1e6}).
     */
    public static Graph parse(String spec, long seed) {
        if (spec == null) throw bad(null, "no graph given");
        String[] f = spec.trim().split(":", -1);
        String kind = f[0].toLowerCase(java.util.Locale.ROOT);
        try {
            return switch (kind) {
                case "ba" -> { arity(spec, f, 3); yield barabasiAlbert(count(f[1]), count(f[2]), seed); }
                case "er" -> { arity(spec, f, 3); yield erdosRenyi(count(f[1]), real(f[2]), seed); }
                case "er-deg" -> { arity(spec, f, 3); yield erdosRenyiAverageDegree(count(f[1]), real(f[2]), seed); }
                case "rgg" -> { arity(spec, f, 3); yield randomGeometric(count(f[1]), real(f[2]), seed); }
                case "path" -> { arity(spec, f, 2); yield path(count(f[1])); }
                case "grid" -> {
                    arity(spec, f, 2);
                    String[] rc = f[1].toLowerCase(java.util.Locale.ROOT).split("x", -1);
                    if (rc.length != 2) throw bad(spec, "grid size must be RxC");
                    yield grid(count(rc[0]), count(rc[1]));
                }
                default -> throw bad(spec, "unknown graph kind '" + f[0] + "'");
            };
        } catch (BadSpec e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // Out-of-range parameters from the generators (and NumberFormatException) get the spec forms too.
            throw bad(spec, e.getMessage());
        }
    }

    private static void arity(String spec, String[] f, int expected) {
        if (f.length != expected) throw bad(spec, "wrong number of ':'-separated fields");
    }

    private static final class BadSpec extends io.mycelium.util.InputException {
        BadSpec(String message) { super(message); }
    }

    private static BadSpec bad(String spec, String why) {
        return new BadSpec("bad graph spec '" + spec + "': " + why + "; expected one of " + SPEC_FORMS);
    }

    private static int count(String s) {
        String t = s.trim();
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            double d;
            try {
                d = io.mycelium.util.TextFiles.parseDouble(t);
            } catch (NumberFormatException e2) {
                throw new NumberFormatException("'" + s + "' is not an integer");
            }
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE)
                throw new NumberFormatException("'" + s + "' is not an integer");
            return (int) d;
        }
    }

    private static double real(String s) {
        try {
            double d = io.mycelium.util.TextFiles.parseDouble(s.trim());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + s + "' is not a number");
        }
    }

    private static void requireNodes(int n) {
        if (n < 1) throw new IllegalArgumentException("a graph needs at least one node, got n=" + n);
        if (n > Graph.MAX_NODES) throw new IllegalArgumentException("n=" + n + " is more than the " + Graph.MAX_NODES + " nodes a graph may have");
    }

    /** JGraphT draws from java.util.Random; seed it from the project's generator so one seed fixes everything. */
    private static Random javaRandom(long seed) {
        return new Random(Init.rng(seed).nextLong());
    }
}
