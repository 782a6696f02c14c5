package io.mycelium.net;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seeded message loss and delay at the transport, for experiments over real sockets. Whether a
 * message is dropped, and how long it is held, is a hash of (seed, sender, receiver, message tag),
 * so a run's faults do not depend on timing. Loss applies only to asynchronous messages (a
 * synchronous round cannot proceed without its halo; there, faults are delays).
 */
public final class Faults {
    public static final Faults NONE = new Faults(0, 0, 0);

    private final long seed;
    private final double loss;
    private final int maxDelayMillis;
    private final AtomicLong dropped = new AtomicLong();
    private ScheduledExecutorService timer;

    /**
     * @param loss           probability in [0, 1) that an asynchronous message is dropped
     * @param maxDelayMillis each message is held for a uniform 0..max milliseconds (0: none)
     */
    public Faults(long seed, double loss, int maxDelayMillis) {
        if (!(loss >= 0 && loss < 1)) throw new IllegalArgumentException("loss must be in [0, 1), got " + loss);
        if (maxDelayMillis < 0) throw new IllegalArgumentException("delay must be >= 0 ms, got " + maxDelayMillis);
        this.seed = seed;
        this.loss = loss;
        this.maxDelayMillis = maxDelayMillis;
    }

    public boolean any() { return loss > 0 || maxDelayMillis > 0; }

    /** Messages dropped so far. */
    public long dropped() { return dropped.get(); }

    /** Sends {@code msg} (later, if delayed); false if it was dropped. */
    <T> boolean send(ActorRef<T> to, T msg, boolean lossy) {
        if (!any()) {
            to.tell(msg);
            return true;
        }
        long h = mix(seed ^ mix(to.path().name().hashCode() * 0x9E3779B97F4A7C15L ^ tag(msg)));
        if (lossy && (h >>> 11) * 0x1.0p-53 < loss) {
            dropped.incrementAndGet();
            return false;
        }
        int delay = maxDelayMillis == 0 ? 0 : (int) Long.remainderUnsigned(mix(h), maxDelayMillis + 1L);
        if (delay == 0) to.tell(msg);
        else timer().schedule(() -> to.tell(msg), delay, TimeUnit.MILLISECONDS);
        return true;
    }

    private synchronized ScheduledExecutorService timer() {
        if (timer == null) timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mycelium-net-delay");
            t.setDaemon(true);
            return t;
        });
        return timer;
    }

    private static long tag(Object msg) {
        return switch (msg) {
            case Wire.Halo h -> mix(h.from() + 31L * h.round()) + h.chunk();
            case Wire.Latest l -> mix(l.from() + 31L * l.version());
            default -> msg.hashCode();
        };
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
