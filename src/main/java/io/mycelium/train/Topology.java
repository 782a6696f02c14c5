package io.mycelium.train;

import io.mycelium.graph.Graph;
import io.mycelium.graph.MovingNodes;

/**
 * Algorithm 1, line 3: where the graph G(t) of each mini-batch comes from, always on the same node
 * set. Returning the same {@link Graph} object means "unchanged"; any other object is a new
 * topology, for which the shift operator and the Metropolis–Hastings weights are recomputed.
 */
@FunctionalInterface
public interface Topology {
    /** The graph of the next mini-batch. */
    Graph next();

    /** The static case: one graph throughout. */
    static Topology fixed(Graph g) { return () -> g; }

    /** Nodes walking in the unit square; a random geometric graph of their positions every mini-batch. */
    static Topology moving(MovingNodes nodes) { return nodes::step; }
}
