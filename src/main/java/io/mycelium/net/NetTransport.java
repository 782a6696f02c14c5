package io.mycelium.net;

import io.mycelium.comm.Comm;
import io.mycelium.comm.InMemoryTransport;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * The networked transport behind {@link Comm}: partition actors (possibly in other processes) take
 * the place of {@link InMemoryTransport}'s queues, so model programs, optimizers and trainers run
 * unchanged.
 *
 * <p><b>Synchronous mode</b> ({@link #comm}): round k of partition p sends each peer, in the sorted
 * peer order, a {@link Wire.Halo} tagged (run, p, k), cut into chunks of at most {@link #CHUNK}
 * doubles (one Artery frame each, {@link NetSystem#FRAME_BYTES}); then it takes each peer's round-k message in the same fixed
 * order and scatters or adds it exactly as {@link InMemoryTransport} does. There is no global
 * barrier: a partition runs at most one round ahead of its neighbours, and the tags put early
 * messages in their round. Every addition happens in the in-process order, so the result is bit for
 * bit that of {@code Engine.partitioned} with the same partition map; {@link Comm#round} charges the
 * counters before {@code deliver}, so the counters are identical by construction.
 *
 * <p><b>Asynchronous mode</b> ({@link #asyncComm}): {@code deliver} never blocks. It sends the
 * partition's current rows as a {@link Wire.Latest} with the next version (unless the link already
 * has {@link #WINDOW} unconfirmed versions in flight, or the rows did not move since the last send
 * the peer confirmed) and fills the halo with the newest rows received from each peer (zeros before
 * the first). A receiver confirms what it consumed with a {@link Wire.Credit}; a sender whose newest
 * version is unconfirmed for {@link #RESEND_NANOS} sends again, so a lost message only delays.
 */
public final class NetTransport {
    /**
     * Doubles per halo chunk: a frame less 64 KiB for Artery's envelope and our header. A round's
     * halo to one peer is usually one chunk: every chunk is one more trip through the Artery stream,
     * the TCP actor and the selector on both sides (see {@link NetSystem}).
     */
    public static final int CHUNK = (NetSystem.FRAME_BYTES - 65_536) / Double.BYTES;
    /** Unconfirmed asynchronous versions allowed in flight per link. */
    public static final int WINDOW = 8;
    static final long RESEND_NANOS = 50_000_000L;

    private final long run;
    private final List<ActorRef<Wire.ToPartition>> refs;
    private final Faults faults;

    /**
     * @param refs every partition's actor in partition order (the roster)
     */
    public NetTransport(long run, List<ActorRef<Wire.ToPartition>> refs, Faults faults) {
        this.run = run;
        this.refs = List.copyOf(refs);
        this.faults = faults;
    }

    static int chunks(int doubles) { return Math.max(1, (doubles + CHUNK - 1) / CHUNK); }

    /** A synchronous-mode link for the partition whose arrivals {@code inbox} holds. */
    public Comm comm(Inbox inbox) {
        Partition p = inbox.partition();
        return new Comm(p) {
            @Override
            protected void deliver(Transfer[] ts) {
                long k0 = inbox.nextRound();
                NetTrace.mark(NetTrace.DELIVER, p.index(), k0, -1);
                int[] peers = p.peers();
                for (int k = 0; k < peers.length; k++) {
                    double[][] msg = InMemoryTransport.outgoing(p, k, ts);
                    int[] lengths = new int[msg.length];
                    int total = 0;
                    for (int t = 0; t < msg.length; t++) total += lengths[t] = msg[t].length;
                    double[] flat = msg.length == 1 ? msg[0] : new double[total];
                    if (msg.length > 1) for (int t = 0, o = 0; t < msg.length; o += lengths[t++]) System.arraycopy(msg[t], 0, flat, o, lengths[t]);
                    int chunks = chunks(total);
                    for (int c = 0; c < chunks; c++) {
                        int from = c * CHUNK, to = Math.min(total, from + CHUNK);
                        faults.send(refs.get(peers[k]), new Wire.Halo(run, p.index(), k0, c, chunks, lengths, flat, from, to - from), false);
                    }
                }
                NetTrace.mark(NetTrace.TOLD, p.index(), k0, -1);
                for (int k = 0; k < peers.length; k++) InMemoryTransport.incoming(p, k, ts, inbox.take(k, k0));
                NetTrace.mark(NetTrace.TAKEN, p.index(), k0, -1);
            }
        };
    }

    /**
     * An asynchronous-mode link (rounds must be single pulls, as an implicit model's step is).
     * {@code sendTol}: rows that moved by at most this much since the last send are not sent again.
     */
    public AsyncLink asyncComm(Inbox inbox, double sendTol) { return new AsyncLink(inbox, sendTol); }

    /** The asynchronous {@link Comm}: see the class comment. */
    public final class AsyncLink extends Comm {
        private final Inbox inbox;
        private final double sendTol;
        private final long[] sentVersion, sentAt, readVersion;
        private final double[][] lastSent;
        private long version, sent, consumed;

        AsyncLink(Inbox inbox, double sendTol) {
            super(inbox.partition());
            this.inbox = inbox;
            this.sendTol = sendTol;
            int peers = inbox.partition().peers().length;
            sentVersion = new long[peers];
            sentAt = new long[peers];
            readVersion = new long[peers];
            lastSent = new double[peers][];
        }

        @Override
        protected void deliver(Transfer[] ts) {
            if (ts.length != 1 || !(ts[0] instanceof Transfer.Pull pull))
                throw new IllegalArgumentException("asynchronous mode runs programs whose rounds are single pulls (an implicit model's step)");
            Partition p = partition();
            int[] peers = p.peers();
            version++;
            long now = System.nanoTime();
            for (int k = 0; k < peers.length; k++) {
                double[] rows = InMemoryTransport.outgoing(p, k, ts)[0];
                long confirmed = inbox.credited(k);
                boolean moved = lastSent[k] == null || maxAbsDiff(rows, lastSent[k]) > sendTol;
                boolean stale = confirmed < sentVersion[k] && now - sentAt[k] > RESEND_NANOS; // lost, or slow: send the newest again
                if ((moved && sentVersion[k] - confirmed < WINDOW) || stale) {
                    // a dropped message counts as sent for the window and the resend timer (the sender
                    // cannot know), but not in the counter the termination rule compares with arrivals
                    if (faults.send(refs.get(peers[k]), new Wire.Latest(run, p.index(), version, rows), true)) sent++;
                    sentVersion[k] = version;
                    sentAt[k] = now;
                    lastSent[k] = rows;
                }
            }
            for (int k = 0; k < peers.length; k++) {
                Wire.Latest l = inbox.latest(k);
                double[] rows = l == null ? new double[p.recvHalo(k).length * pull.width()] : l.data();
                InMemoryTransport.incoming(p, k, ts, new double[][] {rows});
                if (l != null && l.version() > readVersion[k]) {
                    readVersion[k] = l.version();
                    consumed++;
                    refs.get(peers[k]).tell(new Wire.Credit(run, p.index(), l.version()));
                }
            }
        }

        /** Latest messages that left (not counting those the fault injector dropped: the termination rule compares this with arrivals). */
        public long sent() { return sent; }

        /** New versions read from peers. */
        public long consumed() { return consumed; }

        /** Steps taken. */
        public long version() { return version; }

        /** Every peer has confirmed our newest send, and we have read every peer's newest arrival. */
        public boolean settled() {
            for (int k = 0; k < sentVersion.length; k++) {
                if (inbox.credited(k) < sentVersion[k]) return false;
                Wire.Latest l = inbox.latest(k);
                if (l != null && l.version() > readVersion[k]) return false;
            }
            return true;
        }
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
