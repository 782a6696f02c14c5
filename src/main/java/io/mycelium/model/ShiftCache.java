package io.mycelium.model;

import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;

/**
 * The shift operator of the graph a tape runs on, built once per graph. Models take the operator
 * from the tape's partition instead of holding one, so one model instance runs on every graph of
 * a data set (and on every engine, whose partitions all refer to the same graph object).
 */
final class ShiftCache {
    private final ShiftOperator kind;
    private volatile Operator last; // one entry: runs go graph by graph; a racy rebuild is harmless

    ShiftCache(ShiftOperator kind) { this.kind = kind; }

    ShiftOperator kind() { return kind; }

    Operator on(Graph g) {
        Operator o = last;
        if (o == null || o.graph() != g) {
            o = kind.of(g);
            last = o;
        }
        return o;
    }
}
