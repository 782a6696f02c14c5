package io.mycelium.model;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;

/**
 * A GNN whose node embeddings are the fixed point {@code h* = f(h*, input)} of a local update
 * (IGNN, GSD/APPNP, energy GNNs' gradient steps). Because each node only iterates its own update
 * with whatever neighbour values it holds, the same fixed point is reached under partial
 * asynchrony; it is trained by implicit differentiation, never by unrolling.
 */
public non-sealed interface ImplicitModel extends Trainable {
    /** Embedding width per node. */
    int stateWidth();

    /**
     * One application of the update {@code f}: the new embeddings from {@code h} ({@code [nodes,
     * stateWidth]}). Takes exactly one round of message passing; a node's new row depends only on
     * its own row, its input and its neighbours' rows of {@code h}.
     */
    Var step(Tape tape, Var h, GraphInput input);

    /** Per-node output from the embedding and the node's input; no message passing. */
    Var readout(Tape tape, Var h, GraphInput input);
}
