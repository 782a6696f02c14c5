package io.mycelium.comm;

import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A subset of the graph's nodes that one host computes. Rows of a partition's tensors are its
 * nodes in increasing global id; neighbours outside it form the halo, whose rows arrive in
 * messages. Incoming edges of local nodes are kept in CSR order (the graph's order restricted to
 * local rows), so per-edge tensors of a partition are {@code [edgeCount(), ...]}.
 *
 * <p>The whole graph is the partition with an empty halo (the synchronous simulator); partitions of
 * one node are devices.
 */
public final class Partition {
    private final Graph graph;
    private final int index;
    private final int[] nodes;      // global ids, sorted
    private final int[] halo;       // global ids of outside neighbours, sorted
    private final int[] rowPtr;     // local CSR over incoming edges
    private final int[] cols;       // source of each edge: < nodes.length local row, else nodes.length + halo row
    private final int[] globalEdges;// CSR position of each local edge in the graph
    private final int[] peers;      // partitions owning halo nodes, sorted
    private final int[][] sendRows; // per peer: local rows it needs, by global id
    private final int[][] recvHalo; // per peer: halo rows it owns, by global id
    private final int senders;      // local nodes with at least one neighbour
    private final long outEdges;    // directed edges leaving local nodes
    private final boolean whole;
    private final Map<Operator, double[]> edgeWeightCache = new IdentityHashMap<>();

    private Partition(Graph graph, int index, int[] nodes, int[] halo, int[] rowPtr, int[] cols, int[] globalEdges,
                      int[] peers, int[][] sendRows, int[][] recvHalo) {
        this.graph = graph;
        this.index = index;
        this.nodes = nodes;
        this.halo = halo;
        this.rowPtr = rowPtr;
        this.cols = cols;
        this.globalEdges = globalEdges;
        this.peers = peers;
        this.sendRows = sendRows;
        this.recvHalo = recvHalo;
        int s = 0;
        long o = 0;
        for (int v : nodes) {
            if (graph.degree(v) > 0) s++;
            o += graph.degree(v);
        }
        this.senders = s;
        this.outEdges = o;
        this.whole = nodes.length == graph.n();
    }

    /** The partition holding every node: edges are local gathers, nothing crosses a boundary. */
    public static Partition whole(Graph g) {
        int n = g.n();
        int[] nodes = new int[n];
        int[] ge = new int[g.directedEdgeCount()];
        for (int i = 0; i < n; i++) nodes[i] = i;
        for (int p = 0; p < ge.length; p++) ge[p] = p;
        return new Partition(g, 0, nodes, new int[0], g.offsets(), g.neighbours(), ge, new int[0], new int[0][], new int[0][]);
    }

    /**
     * Every node, with one halo slot per directed edge: edge e (CSR position, i ← j) reads its source
     * row from halo row e ({@code cols[e] = n + e}), so each receiver can be handed its own version
     * of a neighbour's row. This is how the asynchronous engine runs unchanged model programs while
     * giving every edge a possibly stale value. {@code halo()[e]} is the global id of e's source.
     */
    public static Partition perEdgeHalo(Graph g) {
        int n = g.n(), m = g.directedEdgeCount();
        int[] nodes = new int[n], cols = new int[m], ge = new int[m];
        for (int i = 0; i < n; i++) nodes[i] = i;
        for (int e = 0; e < m; e++) {
            cols[e] = n + e;
            ge[e] = e;
        }
        return new Partition(g, 0, nodes, g.neighbours().clone(), g.offsets(), cols, ge, new int[0], new int[0][], new int[0][]);
    }

    /** Splits the graph by {@code partOf[v]} (values 0..P-1, every value used). */
    public static List<Partition> split(Graph g, int[] partOf) {
        int n = g.n();
        if (partOf.length != n) throw new IllegalArgumentException("partOf needs one entry per node");
        int parts = 0;
        for (int v : partOf) {
            if (v < 0) throw new IllegalArgumentException("negative partition id");
            parts = Math.max(parts, v + 1);
        }
        int[] count = new int[parts];
        for (int v : partOf) count[v]++;
        int[][] members = new int[parts][];
        for (int p = 0; p < parts; p++) {
            if (count[p] == 0) throw new IllegalArgumentException("partition " + p + " is empty");
            members[p] = new int[count[p]];
        }
        int[] fill = new int[parts];
        for (int v = 0; v < n; v++) members[partOf[v]][fill[partOf[v]]++] = v;
        int[] off = g.offsets(), nb = g.neighbours();
        List<Partition> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int[] mine = members[p];
            // halo: outside neighbours, sorted and unique
            int[] tmp = new int[16];
            int h = 0;
            int edges = 0;
            for (int v : mine) {
                edges += off[v + 1] - off[v];
                for (int e = off[v]; e < off[v + 1]; e++)
                    if (partOf[nb[e]] != p) {
                        if (h == tmp.length) tmp = Arrays.copyOf(tmp, h * 2);
                        tmp[h++] = nb[e];
                    }
            }
            int[] halo = Arrays.stream(tmp, 0, h).sorted().distinct().toArray();
            int[] rowPtr = new int[mine.length + 1];
            int[] cols = new int[edges];
            int[] ge = new int[edges];
            int w = 0;
            for (int r = 0; r < mine.length; r++) {
                int v = mine[r];
                for (int e = off[v]; e < off[v + 1]; e++) {
                    int u = nb[e];
                    cols[w] = partOf[u] == p ? Arrays.binarySearch(mine, u) : mine.length + Arrays.binarySearch(halo, u);
                    ge[w++] = e;
                }
                rowPtr[r + 1] = w;
            }
            int[] peers = Arrays.stream(halo).map(u -> partOf[u]).sorted().distinct().toArray();
            int[][] recv = new int[peers.length][];
            int[][] send = new int[peers.length][];
            for (int k = 0; k < peers.length; k++) {
                int q = peers[k];
                recv[k] = java.util.stream.IntStream.range(0, halo.length).filter(x -> partOf[halo[x]] == q).toArray();
                send[k] = java.util.stream.IntStream.range(0, mine.length).filter(r -> {
                    int v = mine[r];
                    for (int e = off[v]; e < off[v + 1]; e++) if (partOf[nb[e]] == q) return true;
                    return false;
                }).toArray();
            }
            out.add(new Partition(g, p, mine, halo, rowPtr, cols, ge, peers, send, recv));
        }
        return out;
    }

    public Graph graph() { return graph; }

    public int index() { return index; }

    /** Global ids of the local nodes, in row order. Do not modify. */
    public int[] nodes() { return nodes; }

    public int size() { return nodes.length; }

    public int haloSize() { return halo.length; }

    public int[] halo() { return halo; }

    public boolean isWhole() { return whole; }

    /** Local incoming-edge CSR offsets (length size()+1). Do not modify. */
    public int[] rowPtr() { return rowPtr; }

    /** Source row of each local edge: {@code < size()} local, otherwise {@code size() + haloRow}. */
    public int[] cols() { return cols; }

    public int edgeCount() { return rowPtr[nodes.length]; }

    public int[] globalEdges() { return globalEdges; }

    public int[] peers() { return peers; }

    public int[] sendRows(int peer) { return sendRows[peer]; }

    public int[] recvHalo(int peer) { return recvHalo[peer]; }

    /** Local nodes that have neighbours, i.e. that send in a broadcast round. */
    public int senders() { return senders; }

    /** Directed edges leaving local nodes: the messages of a unicast round. */
    public long outEdges() { return outEdges; }

    /** This partition's rows of a global node tensor (the tensor itself for the whole graph). */
    public Tensor rows(Tensor global) {
        if (global.rows() != graph.n())
            throw new IllegalArgumentException("expected a node tensor with " + graph.n() + " rows, got " + global.rows());
        return whole ? global : global.rows(nodes);
    }

    /** This partition's rows of a global per-edge tensor (one row per directed edge, CSR order). */
    public Tensor edgeRows(Tensor globalEdgeTensor) {
        if (globalEdgeTensor.rows() != graph.directedEdgeCount())
            throw new IllegalArgumentException("expected an edge tensor with " + graph.directedEdgeCount() + " rows");
        return whole ? globalEdgeTensor : globalEdgeTensor.rows(globalEdges);
    }

    /** The operator's weights on local edges, in local edge order. */
    public synchronized double[] edgeWeights(Operator op) {
        if (op.graph() != graph) throw new IllegalArgumentException("operator '" + op.name() + "' belongs to another graph");
        return edgeWeightCache.computeIfAbsent(op, o -> {
            if (whole) return o.weights();
            double[] w = new double[globalEdges.length];
            for (int e = 0; e < w.length; e++) w[e] = o.weights()[globalEdges[e]];
            return w;
        });
    }

    /** The operator's self weights of local nodes. */
    public double[] selfWeights(Operator op) {
        if (whole) return op.self();
        double[] s = new double[nodes.length];
        for (int r = 0; r < s.length; r++) s[r] = op.self()[nodes[r]];
        return s;
    }
}
