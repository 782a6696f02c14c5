package io.mycelium.model;

import io.mycelium.tensor.Params;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * What every trainable GNN has, whatever runs it: parameters it adds to a {@link Params} and the
 * constraints it restores after each optimizer step. A trainable module is either explicit
 * ({@link Model}: a forward pass, trained by backprop) or implicit ({@link ImplicitModel}: a fixed
 * point, trained by implicit differentiation), so a registry or runner that holds a
 * {@code Trainable} tells the two apart with an exhaustive {@code switch}, never by class.
 */
public sealed interface Trainable permits Model, ImplicitModel {
    /** Adds this model's parameters, one tied copy each ({@code [1, ...]}), drawn from {@code rng}. */
    void init(Params params, UniformRandomProvider rng);

    /**
     * Restores what keeps the model well posed after an optimizer step (IGNN's contraction bound,
     * the input-convex networks' non-negative weights), on tied or per-node copies alike.
     * Trainers call it after every step; most models have nothing to restore.
     */
    default void project(Params params) {}

    /** Fresh tied parameters drawn from {@code rng}, already projected. */
    default Params init(UniformRandomProvider rng) {
        Params p = new Params();
        init(p, rng);
        project(p);
        return p;
    }
}
