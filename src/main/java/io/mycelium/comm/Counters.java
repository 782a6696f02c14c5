package io.mycelium.comm;

import java.util.ArrayList;
import java.util.List;

/**
 * Communication counted by the engine that performed it. Rounds are synchronous steps of message
 * passing; messages and floats are summed over sending nodes. Counters of several partitions
 * combine with {@link #add}: rounds are shared (every partition takes part in every round), the rest
 * adds up.
 */
public final class Counters {
    private long rounds;
    private long broadcasts;
    private long unicasts;
    private long floats;
    private List<Integer> widths; // floats per node message for each round, when recording

    /** Starts keeping the per-node message width of every round (for Table I). */
    public Counters recordWidths() {
        widths = new ArrayList<>();
        return this;
    }

    /**
     * Charges one round in which {@code senders} nodes broadcast / send over {@code edges} edges.
     * Synchronized: the two halves of a split mini-batch run their rounds on one host's Comm at the
     * same time, and unguarded increments (and the widths list) lost updates to each other.
     */
    synchronized void chargeRound(Transfer[] transfers, int senders, long outEdges) {
        rounds++;
        int width = 0;
        for (Transfer t : transfers) {
            width += t.width();
            if (t.accounting() == Accounting.BROADCAST) {
                broadcasts += senders;
                floats += (long) senders * t.width();
            } else {
                unicasts += outEdges;
                floats += outEdges * t.width();
            }
        }
        if (widths != null) widths.add(width);
    }

    public long rounds() { return rounds; }

    public long broadcasts() { return broadcasts; }

    public long unicasts() { return unicasts; }

    /** Messages sent: broadcasts plus unicasts. */
    public long messages() { return broadcasts + unicasts; }

    public long floats() { return floats; }

    /** Payload bytes: 8 per double. */
    public long bytes() { return floats * Double.BYTES; }

    /** Per-round message widths, if {@link #recordWidths()} was called. */
    public List<Integer> widths() { return widths == null ? List.of() : List.copyOf(widths); }

    public void reset() {
        rounds = broadcasts = unicasts = floats = 0;
        if (widths != null) widths.clear();
    }

    public Counters snapshot() {
        Counters c = new Counters();
        c.add(this);
        if (widths != null) c.widths = new ArrayList<>(widths);
        return c;
    }

    /** Combines another partition's counters into this one. */
    public void add(Counters o) {
        rounds = Math.max(rounds, o.rounds);
        broadcasts += o.broadcasts;
        unicasts += o.unicasts;
        floats += o.floats;
    }

    /** The difference {@code this - earlier} for the same partition(s). */
    public Counters since(Counters earlier) {
        Counters c = new Counters();
        c.rounds = rounds - earlier.rounds;
        c.broadcasts = broadcasts - earlier.broadcasts;
        c.unicasts = unicasts - earlier.unicasts;
        c.floats = floats - earlier.floats;
        return c;
    }

    @Override
    public String toString() {
        return "rounds=" + rounds + " messages=" + messages() + " (broadcast " + broadcasts + ", unicast " + unicasts
                + ") floats=" + floats + " bytes=" + bytes();
    }
}
