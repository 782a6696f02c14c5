package io.mycelium.net;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One-way throughput between two JVMs on loopback: a peer process streams {@link Wire.Latest}
 * rows of a given width to a sink here as fast as a credit window allows (the sink confirms every
 * {@link #CREDIT_EVERY} messages; at most {@link #WINDOW} unconfirmed, so Artery's send queue never
 * drops), through {@link RowSerializer} and Artery TCP. The sink times the stream from its first
 * to its last message.
 */
public final class NetBench {
    private NetBench() {}

    static final int WINDOW = 2048, CREDIT_EVERY = 256;
    public static final long RUN_ID = 0x5EED;
    static final long RUN = RUN_ID;

    /** Messages, payload bytes (8 a double) and seconds of one stream. */
    public record Stream(int width, long messages, long bytes, double seconds) {
        public double messagesPerSecond() { return messages / seconds; }

        public double megabytesPerSecond() { return bytes / seconds / 1e6; }
    }

    /** The receiving side: a sink actor in {@code system}; {@link #result} completes per width. */
    public static final class Sink {
        final Map<Integer, CompletableFuture<Stream>> results = new ConcurrentHashMap<>();

        public Sink(ActorSystem<?> system) {
            AtomicReference<ActorRef<Wire.ToPartition>> peer = new AtomicReference<>();
            long[] count = new long[1], bytes = new long[1], t0 = new long[1];
            system.systemActorOf(Behaviors.receive(Object.class)
                    .onMessage(Wire.Hello.class, h -> {
                        peer.set(h.host().unsafeUpcast().narrow());
                        return Behaviors.same();
                    })
                    .onMessage(Wire.Latest.class, l -> {
                        int width = l.from();
                        if (l.version() < 0) {
                            results.computeIfAbsent(width, w -> new CompletableFuture<>())
                                    .complete(new Stream(width, count[0], bytes[0], (System.nanoTime() - t0[0]) / 1e9));
                            count[0] = bytes[0] = 0;
                            return Behaviors.same();
                        }
                        if (count[0]++ == 0) t0[0] = System.nanoTime();
                        bytes[0] += 8L * l.data().length;
                        if (l.version() % CREDIT_EVERY == 0) peer.get().tell(new Wire.Credit(RUN, 0, l.version()));
                        return Behaviors.same();
                    }).build(), "bench-sink", Props.empty());
        }

        public Stream result(int width, Duration timeout) throws Exception {
            return results.computeIfAbsent(width, w -> new CompletableFuture<>()).get(timeout.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The sending side (the peer process): streams each width for {@code seconds} to the sink at {@code sinkSystem}. */
    public static void stream(ActorSystem<?> system, Address sinkSystem, List<Integer> widths, double seconds) throws Exception {
        AtomicLong credited = new AtomicLong();
        ActorRef<Wire.ToPartition> me = system.systemActorOf(Behaviors.receive(Wire.ToPartition.class).onMessage(Wire.Credit.class, c -> {
            credited.accumulateAndGet(c.version(), Math::max);
            return Behaviors.same();
        }).build(), "bench-source", Props.empty());
        ActorRef<Object> sink = Adapter.toTyped(Adapter.toClassic(system).actorSelection(sinkSystem + "/system/bench-sink")
                .resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS));
        sink.tell(new Wire.Hello(RUN, "bench", me.unsafeUpcast().narrow(), ProcessHandle.current().pid()));
        for (int w : widths) {
            credited.set(0);
            double[] row = new double[w];
            for (int i = 0; i < w; i++) row[i] = i * 0.5;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long seq = 0;
            while (System.nanoTime() < end) {
                if (seq - credited.get() >= WINDOW) {
                    LockSupport.parkNanos(20_000);
                    continue;
                }
                sink.tell(new Wire.Latest(RUN, w, ++seq, row));
            }
            while (credited.get() < seq - seq % CREDIT_EVERY && System.nanoTime() < end + 30_000_000_000L) LockSupport.parkNanos(100_000);
            sink.tell(new Wire.Latest(RUN, w, -1, new double[0]));
        }
    }
}
