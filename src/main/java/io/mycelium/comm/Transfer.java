package io.mycelium.comm;

/**
 * One payload carried in a round of message passing. Several transfers may share a round: that is
 * piggybacking, and the counters charge one round whose messages are the sum of the widths.
 */
public sealed interface Transfer {

    /** Floats each sending node puts in its message(s) for this payload. */
    int width();

    Accounting accounting();

    /**
     * Every node sends its own row of {@code local} ({@code [nLocal x width]}, from {@code local[offset]})
     * to its neighbours; afterwards {@code halo} ({@code [nHalo x width]}, from 0) holds the rows of
     * neighbours outside the partition.
     */
    record Pull(double[] local, int offset, double[] halo, int width, Accounting accounting) implements Transfer {
        /** Local rows from {@code local[0]}. */
        public Pull(double[] local, double[] halo, int width, Accounting accounting) { this(local, 0, halo, width, accounting); }
    }

    /**
     * The transpose of a pull: {@code haloSums} ({@code [nHalo x width]}) holds this partition's
     * contributions to nodes it does not own; afterwards each owner has added the contributions it
     * received into its rows of {@code local} ({@code [nLocal x width]}).
     */
    record Push(double[] haloSums, double[] local, int width, Accounting accounting) implements Transfer {}
}
