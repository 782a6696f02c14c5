package io.mycelium.model;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;

/**
 * A GNN written once as a program over all nodes of a partition. The same instance runs on every
 * engine: it reads its parameters through {@link Tape#param} and talks to neighbours only through
 * the tape's message-passing ops.
 */
public non-sealed interface Model extends Trainable {
    /** Records the forward pass: {@code x} is {@code [nodes, ...features]}, the result one row per node. */
    Var forward(Tape tape, Var x);

    /** Rounds of message passing one forward pass takes. */
    int rounds();
}
