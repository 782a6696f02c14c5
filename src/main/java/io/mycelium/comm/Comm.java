package io.mycelium.comm;

import java.util.Arrays;

/**
 * A partition's access to the network: the one way data moves between nodes. Every call of
 * {@link #round} is one synchronous round of message passing and is charged to {@link #counters()}.
 */
public abstract class Comm {
    private final Partition partition;
    private final Counters counters = new Counters();
    private Rider rider;

    protected Comm(Partition partition) { this.partition = partition; }

    public Partition partition() { return partition; }

    public Counters counters() { return counters; }

    /** Sets (or clears, with null) the payloads that piggyback on the following rounds. */
    public void setRider(Rider r) { this.rider = r; }

    public Rider rider() { return rider; }

    /** Performs one round carrying all the transfers (and whatever the rider boards). */
    public final void round(Transfer... transfers) {
        Rider r = rider;
        Transfer[] all = transfers;
        Transfer[] extra = r == null ? null : r.board();
        if (extra != null && extra.length > 0) {
            all = Arrays.copyOf(transfers, transfers.length + extra.length);
            System.arraycopy(extra, 0, all, transfers.length, extra.length);
        }
        if (all.length == 0) return;
        counters.chargeRound(all, partition.senders(), partition.outEdges());
        deliver(all);
        if (extra != null && extra.length > 0) r.arrived();
    }

    /** Moves the transfers' halo rows between partitions. */
    protected abstract void deliver(Transfer[] transfers);

    /** For a partition without halo (the whole graph): nothing crosses a boundary. */
    public static Comm local(Partition p) {
        if (p.haloSize() != 0) throw new IllegalArgumentException("partition " + p.index() + " has a halo; it needs a transport");
        return new Comm(p) {
            @Override
            protected void deliver(Transfer[] transfers) {}
        };
    }
}
