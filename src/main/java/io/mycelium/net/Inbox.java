package io.mycelium.net;

import io.mycelium.comm.Partition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * What has arrived for one partition, filled by its actor and read by its compute thread.
 * Synchronous mode: per peer, the rounds' messages (assembled from chunks), taken in round order.
 * Asynchronous mode: per peer, only the newest {@link Wire.Latest} (by version).
 */
final class Inbox {
    private final Partition part;
    private final long run;
    private final Map<Long, Assembly>[] rounds;
    private final AtomicReference<Wire.Latest>[] latest;
    private final AtomicLong[] credited;
    private final AtomicLong dropped = new AtomicLong(), received = new AtomicLong();
    private volatile String abort;

    private static final class Assembly {
        double[] flat;
        int[] lengths;
        int chunks;
    }

    @SuppressWarnings("unchecked")
    Inbox(Partition part, long run) {
        this.part = part;
        this.run = run;
        int peers = part.peers().length;
        rounds = new Map[peers];
        latest = new AtomicReference[peers];
        credited = new AtomicLong[peers];
        for (int k = 0; k < peers; k++) {
            rounds[k] = new HashMap<>();
            latest[k] = new AtomicReference<>();
            credited[k] = new AtomicLong();
        }
    }

    Partition partition() { return part; }

    long run() { return run; }

    private long round;

    /** The next synchronous round's number (rounds count on across the run's programs). */
    synchronized long nextRound() { return ++round; }

    /** The peer slot of partition {@code from}, or -1 (a sender that is not a neighbour: dropped, counted). */
    private int slot(long msgRun, int from) {
        int k = msgRun == run ? Arrays.binarySearch(part.peers(), from) : -1;
        if (k < 0) dropped.incrementAndGet();
        return k;
    }

    /** Messages dropped for another run id or a sender outside the partition's peers. */
    long dropped() { return dropped.get(); }

    /**
     * Files a halo chunk. A compute thread waiting for the round is woken after the lock is released:
     * woken inside it (notifyAll), on a host's one core it would preempt this thread only to block on
     * the lock this thread still held, two more switches per round.
     */
    void put(Wire.Halo h) {
        boolean complete;
        synchronized (this) {
            int k = slot(h.run(), h.from());
            if (k < 0) return;
            Assembly a = rounds[k].computeIfAbsent(h.round(), r -> new Assembly());
            boolean whole = h.chunks() == 1 && h.offset() == 0 && h.length() == h.data().length;
            if (a.flat == null) {
                a.lengths = h.lengths();
                a.flat = whole ? h.data() : new double[Arrays.stream(h.lengths()).sum()];
            }
            if (!whole) System.arraycopy(h.data(), h.offset(), a.flat, h.chunk() * NetTransport.CHUNK, h.length());
            a.chunks++;
            NetTrace.mark(NetTrace.PUT, h.from(), h.round(), h.chunk());
            complete = a.chunks == h.chunks();
        }
        if (complete) wake();
    }

    /** The compute thread, once it has waited in {@link #take} (set under the lock, so a later {@link #put} sees it). */
    private volatile Thread waiter;

    private void wake() {
        Thread w = waiter;
        if (w != null) LockSupport.unpark(w);
    }

    /** Blocks until peer {@code k}'s round {@code round} has fully arrived, and removes it. */
    double[][] take(int k, long round) {
        while (true) {
            synchronized (this) {
                if (abort != null) throw new NetFailure(abort);
                Assembly a = rounds[k].get(round);
                if (a != null && a.flat != null && a.chunks == chunksOf(a)) {
                    rounds[k].remove(round);
                    double[][] msg = new double[a.lengths.length][];
                    int o = 0;
                    for (int t = 0; t < msg.length; t++) {
                        msg[t] = a.lengths.length == 1 ? a.flat : Arrays.copyOfRange(a.flat, o, o + a.lengths[t]);
                        o += a.lengths[t];
                    }
                    return msg;
                }
                waiter = Thread.currentThread();
            }
            // an unpark between the check above and this park makes it return at once; spurious returns loop
            LockSupport.parkNanos(this, 1_000_000_000L);
            if (Thread.currentThread().isInterrupted())
                throw new NetFailure("partition " + part.index() + " interrupted while waiting for partition " + part.peers()[k]);
        }
    }

    private static int chunksOf(Assembly a) { return NetTransport.chunks(Arrays.stream(a.lengths).sum()); }

    /** Asynchronous mode: keeps {@code l} if it is newer than what peer's slot holds. */
    void offer(Wire.Latest l) {
        int k = slot(l.run(), l.from());
        if (k < 0) return;
        received.incrementAndGet();
        latest[k].accumulateAndGet(l, (old, now) -> old == null || now.version() > old.version() ? now : old);
    }

    /** Asynchronous messages that arrived (newest or not). */
    long received() { return received.get(); }

    /** The newest value from peer {@code k} (null before the first). */
    Wire.Latest latest(int k) { return latest[k].get(); }

    void credit(Wire.Credit c) {
        int k = slot(c.run(), c.from());
        if (k >= 0) credited[k].accumulateAndGet(c.version(), Math::max);
    }

    /** The newest version peer {@code k} has confirmed reading from us. */
    long credited(int k) { return credited[k].get(); }

    /** Makes every current and later {@link #take} throw (a peer is lost, or the run stops). */
    void abort(String reason) {
        synchronized (this) {
            if (abort == null) abort = reason;
        }
        wake();
    }

    String aborted() { return abort; }
}
