package io.mycelium.model;

import io.mycelium.autodiff.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A GNN written once as a program over all nodes of a partition. The same instance runs on every
 * engine: it reads its parameters through {@link Tape#param} and talks to neighbours only through
 * the tape's message-passing ops.
 */
public interface Model {
    /** Adds this model's parameters, one tied copy each ({@code [1, ...]}), drawn from {@code rng}. */
    void init(Params params, UniformRandomProvider rng);

    /** Records the forward pass: {@code x} is {@code [nodes, ...features]}, the result one row per node. */
    Var forward(Tape tape, Var x);

    /** Rounds of message passing one forward pass takes. */
    int rounds();
}
