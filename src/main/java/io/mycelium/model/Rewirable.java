package io.mycelium.model;

import io.mycelium.graph.Operator;

/**
 * A capability: a model that can be rebuilt, with the same architecture and parameter names, on
 * another graph's shift operator. Training with a dynamic topology (Algorithm 1, lines 3–4) moves
 * the model to each new graph through this; a static graph needs nothing.
 */
public interface Rewirable {
    /** The same model on {@code shift} (another graph over the same nodes). */
    Model on(Operator shift);
}
