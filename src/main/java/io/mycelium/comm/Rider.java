package io.mycelium.comm;

/**
 * Payloads that ride along with the next rounds of message passing: the piggybacking of Section
 * III-C (backward messages of sample b-1 inside the forward messages of sample b, or slices of
 * the consensus exchange). {@link Comm#round} asks the rider for transfers before each round and
 * tells it when they have arrived.
 */
public interface Rider {
    /** Transfers to add to the round about to happen (empty when nothing rides). */
    Transfer[] board();

    /** The boarded transfers have been delivered. */
    void arrived();
}
