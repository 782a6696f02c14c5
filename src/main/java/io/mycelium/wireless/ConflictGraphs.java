package io.mycelium.wireless;

import io.mycelium.comm.Partition;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Init;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * The Erdős–Rényi conflict graphs that link-scheduling training draws its samples on (wireless spec
 * C.8), in one of two protocols: the paper's (one new graph per mini-batch) or the authors' code's
 * (a fixed pool, a different graph for every sample, the pool visited in a fresh random order each
 * epoch). Each graph comes with what a sample needs: the actor's and critic's shift operator, the
 * Metropolis–Hastings matrix of the gradient consensus, and the partition the message passing runs on.
 */
public final class ConflictGraphs {
    /** One conflict graph and its operators. */
    public record Sample(Graph graph, Operator laplacian, Operator mh, Partition partition) {
        static Sample of(Graph g) {
            return new Sample(g, ShiftOperator.NORMALIZED_LAPLACIAN.of(g), ShiftOperator.metropolisHastings(g), Partition.whole(g));
        }
    }

    public enum Protocol {
        /** The paper: one G(n, d/(n−1)) per mini-batch, d uniform in the configured degree range. */
        PER_MINIBATCH("per-minibatch"),
        /** The authors' code: a fixed pool of {@link #POOL_SIZE} graphs, one per sample, each epoch a random permutation. */
        POOL("pool");

        private final String id;

        Protocol(String id) { this.id = id; }

        public String id() { return id; }

        public static Protocol parse(String s) {
            for (Protocol p : values()) if (p.id.equals(s)) return p;
            throw new IllegalArgumentException("unknown graph protocol '" + s + "' (per-minibatch or pool)");
        }
    }

    /**
     * The authors' training pool (spec C.8, data/ER_Graph_Uniform_mixN_mixp_train0 filtered to 100
     * nodes): 200 graphs for each sparse p and 20 for each dense one.
     */
    static final double[] POOL_SPARSE_P = {0.02, 0.05, 0.075, 0.10, 0.15}, POOL_DENSE_P = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    static final int POOL_SPARSE_COUNT = 200, POOL_DENSE_COUNT = 20;
    public static final int POOL_SIZE = POOL_SPARSE_P.length * POOL_SPARSE_COUNT + POOL_DENSE_P.length * POOL_DENSE_COUNT;

    private final Protocol protocol;
    private final int nodes, minDegree, maxDegree;
    private final UniformRandomProvider rng;
    private final List<Sample> pool;
    private final int[] order;
    private int next;
    private Sample current;

    /**
     * {@code rng} draws the per-mini-batch graphs or the pool's visiting order; the pool itself is drawn
     * from {@code poolSeed}, so it is the same whatever the order.
     */
    public ConflictGraphs(Protocol protocol, int nodes, int minDegree, int maxDegree, UniformRandomProvider rng, long poolSeed) {
        this.protocol = protocol;
        this.nodes = nodes;
        this.minDegree = minDegree;
        this.maxDegree = maxDegree;
        this.rng = rng;
        this.pool = protocol == Protocol.POOL ? pool(nodes, poolSeed) : List.of();
        this.order = new int[pool.size()];
        this.next = order.length;
    }

    /** The graph of the next sample; {@code firstOfMiniBatch} starts a new mini-batch. */
    public Sample next(boolean firstOfMiniBatch) {
        if (protocol == Protocol.PER_MINIBATCH) {
            if (firstOfMiniBatch || current == null) {
                int degree = minDegree + rng.nextInt(maxDegree - minDegree + 1);
                current = Sample.of(Generators.erdosRenyi(nodes, (double) degree / (nodes - 1), rng.nextLong()));
            }
            return current;
        }
        if (next == order.length) {
            for (int i = 0; i < order.length; i++) order[i] = i;
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            next = 0;
        }
        return current = pool.get(order[next++]);
    }

    /** Where the visit of the pool stands: this epoch's order and the next position in it (empty for the paper's protocol). */
    public record Position(int[] order, int next) {}

    public Position position() { return new Position(order.clone(), next); }

    /** Continues the visit from {@code p} (a {@link #position} of a sequence of the same protocol and pool). */
    public void seek(Position p) {
        if (p.order().length != order.length) throw new IllegalArgumentException("a position in a pool of " + p.order().length + " graphs, this one has " + order.length);
        System.arraycopy(p.order(), 0, order, 0, order.length);
        next = p.next();
    }

    /** The pool of the authors' protocol, in the order p, then graph. */
    static List<Sample> pool(int nodes, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        List<Sample> out = new ArrayList<>(POOL_SIZE);
        for (double p : POOL_SPARSE_P) for (int k = 0; k < POOL_SPARSE_COUNT; k++) out.add(Sample.of(Generators.erdosRenyi(nodes, p, r.nextLong())));
        for (double p : POOL_DENSE_P) for (int k = 0; k < POOL_DENSE_COUNT; k++) out.add(Sample.of(Generators.erdosRenyi(nodes, p, r.nextLong())));
        return out;
    }
}
