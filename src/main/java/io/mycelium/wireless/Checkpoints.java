package io.mycelium.wireless;

import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.core.RandomProviderDefaultState;

/**
 * Where a long wireless run saves its state and continues from. {@link #resume} gives the state to
 * continue from (null: start afresh); {@link #save} is called after every unit of progress (an epoch,
 * a mini-batch) with everything the rest of the run depends on, and decides itself whether to write
 * it. A run continued from a saved state ends with the same bits as one that never stopped.
 */
public interface Checkpoints<S> {
    S resume();

    void save(S state);

    /** The state of a generator made by {@link io.mycelium.tensor.Init#rng}, for {@link #restore}. */
    static byte[] stateOf(UniformRandomProvider r) {
        return ((RandomProviderDefaultState) ((RestorableUniformRandomProvider) r).saveState()).getState();
    }

    /** Puts {@code r} back where {@link #stateOf} found it. */
    static void restore(UniformRandomProvider r, byte[] state) {
        ((RestorableUniformRandomProvider) r).restoreState(new RandomProviderDefaultState(state));
    }
}
