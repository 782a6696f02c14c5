package io.mycelium.net;

import io.mycelium.comm.Accounting;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.graph.Graph;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
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
 * drops), through {@link RowSerializer} and Artery TCP. After an untimed warm-up the sink counts
 * the rows' payload (8 bytes a double, no headers) between a start and an end marker.
 *
 * <p>Then synchronous rounds, the latency a training round pays: two one-node partitions, one in
 * each JVM, exchange a halo row per round through {@link NetTransport}'s synchronous {@link Comm}
 * exactly as training partitions do (thread → actor → Artery → actor → {@link Inbox} → thread).
 * Both run in lockstep, so a round takes one one-way trip plus the hand-offs at both ends.
 */
public final class NetBench {
    private NetBench() {}

    static final int WINDOW = 2048, CREDIT_EVERY = 256;
    /** Versions of a stream's markers: the timed part starts, the stream ends. */
    private static final long START = -2, END = -1;
    public static final long RUN_ID = 0x5EED;
    static final long RUN = RUN_ID;

    /**
     * Messages, payload bytes (8 a double) and seconds of one stream's timed part, and the CPU seconds
     * both processes used meanwhile (a measure of the work per message that other load on the machine
     * does not inflate, unlike the wall-clock rates).
     */
    public record Stream(int width, long messages, long bytes, double seconds, double cpuSeconds) {
        public double messagesPerSecond() { return messages / seconds; }

        public double megabytesPerSecond() { return bytes / seconds / 1e6; }

        /** CPU microseconds (sender and receiver processes together) per message. */
        public double cpuMicrosPerMessage() { return cpuSeconds / messages * 1e6; }
    }

    /** This process's CPU time so far (all threads), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The receiving side: a sink actor in {@code system}; {@link #result} completes per width. */
    public static final class Sink {
        final Map<Integer, CompletableFuture<Stream>> results = new ConcurrentHashMap<>();
        private final ActorSystem<?> system;
        private final AtomicReference<ActorRef<Wire.ToPartition>> peer = new AtomicReference<>();
        private final Inbox inbox = pairInbox(0);
        private final ActorRef<Wire.ToPartition> part;

        public Sink(ActorSystem<?> system) {
            this.system = system;
            part = PartitionActor.spawn(system, inbox);
            long[] count = new long[1], bytes = new long[1], t0 = new long[1], cpu0 = new long[1];
            boolean[] measuring = new boolean[1];
            system.systemActorOf(Behaviors.receive(Object.class)
                    .onMessage(Wire.Hello.class, h -> {
                        peer.set(h.host().unsafeUpcast().narrow());
                        return Behaviors.same();
                    })
                    .onMessage(Wire.Latest.class, l -> {
                        int width = l.from();
                        if (l.version() == START) { // the warm-up is over: time from here
                            measuring[0] = true;
                            count[0] = bytes[0] = 0;
                            t0[0] = System.nanoTime();
                            cpu0[0] = processCpuNanos();
                        } else if (l.version() == END) { // after the stream's last message (one sender, one receiver: in order); carries the sender's CPU seconds
                            measuring[0] = false;
                            double cpu = (processCpuNanos() - cpu0[0]) / 1e9 + l.data()[0];
                            results.computeIfAbsent(width, w -> new CompletableFuture<>())
                                    .complete(new Stream(width, count[0], bytes[0], (System.nanoTime() - t0[0]) / 1e9, cpu));
                        } else {
                            if (measuring[0]) {
                                count[0]++;
                                bytes[0] += 8L * l.data().length;
                            }
                            if (l.version() % CREDIT_EVERY == 0) peer.get().tell(new Wire.Credit(RUN, 0, l.version()));
                        }
                        return Behaviors.same();
                    }).build(), "bench-sink", Props.empty());
        }

        public Stream result(int width, Duration timeout) throws Exception {
            return results.computeIfAbsent(width, w -> new CompletableFuture<>()).get(timeout.toSeconds(), TimeUnit.SECONDS);
        }

        /** Runs {@code warmup + rounds} synchronous rounds against the peer (which runs as many) and times the last {@code rounds}. */
        public Rounds rounds(int width, int warmup, int rounds) throws Exception {
            Address at = peer.get().path().address();
            long[] nanos = exchange(inbox, List.of(part, partitionAt(system, at, 1)), width, warmup + rounds);
            return new Rounds(width, Arrays.copyOfRange(nanos, warmup, nanos.length));
        }

        /** Makes a pending or later {@link #rounds} fail (the peer process exited). */
        public void abort(String reason) { inbox.abort(reason); }
    }

    /** Times of synchronous rounds of {@code width} doubles each way. */
    public record Rounds(int width, long[] nanos) {
        public double roundsPerSecond() { return nanos.length / (Arrays.stream(nanos).sum() / 1e9); }

        /** The {@code q}-quantile of a round's time, in microseconds. */
        public double micros(double q) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return s[Math.min(s.length - 1, (int) (q * s.length))] / 1e3;
        }
    }

    private static final Graph PAIR = Graph.fromEdges(2, new int[] {0}, new int[] {1});

    /** One of the two one-node partitions of the rounds benchmark. */
    static Inbox pairInbox(int index) { return new Inbox(Partition.split(PAIR, new int[] {0, 1}).get(index), RUN); }

    private static ActorRef<Wire.ToPartition> partitionAt(ActorSystem<?> system, Address at, int index) throws Exception {
        return Adapter.toTyped(Adapter.toClassic(system).actorSelection(at + "/system/" + PartitionActor.name(RUN, index))
                .resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS));
    }

    /** Runs {@code rounds} synchronous rounds of one row of {@code width} doubles; each round's nanoseconds. */
    static long[] exchange(Inbox inbox, List<ActorRef<Wire.ToPartition>> refs, int width, int rounds) {
        Comm comm = new NetTransport(RUN, refs, Faults.NONE).comm(inbox);
        double[] local = new double[width], halo = new double[width];
        long[] nanos = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            local[0] = r;
            long t = System.nanoTime();
            comm.round(new Transfer.Pull(local, halo, width, Accounting.UNICAST));
            nanos[r] = System.nanoTime() - t;
            if (halo[0] != r) throw new IllegalStateException("round " + r + " received the peer's round " + halo[0]);
        }
        return nanos;
    }

    /**
     * The sending side (the peer process): streams each width to the sink at {@code sinkSystem}, first
     * for {@code warmup} seconds that are not timed (JIT, and Artery's compression tables, which replace
     * the recipient's path and the manifest by numbers only after their first advertisement interval),
     * then for {@code seconds} that are.
     */
    public static void stream(ActorSystem<?> system, Address sinkSystem, List<Integer> widths, double warmup, double seconds) throws Exception {
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
            long seq = send(sink, row, 0, credited, warmup);
            sink.tell(new Wire.Latest(RUN, w, START, new double[0]));
            long cpu0 = processCpuNanos();
            seq = send(sink, row, seq, credited, seconds);
            sink.tell(new Wire.Latest(RUN, w, END, new double[] {(processCpuNanos() - cpu0) / 1e9}));
            // let the pipe drain before the next width
            long drainEnd = System.nanoTime() + 30_000_000_000L;
            while (credited.get() < seq - seq % CREDIT_EVERY && System.nanoTime() < drainEnd) LockSupport.parkNanos(100_000);
        }
    }

    /** Sends rows numbered from {@code seq + 1} for {@code seconds}, at most {@link #WINDOW} unconfirmed; the last number sent. */
    private static long send(ActorRef<Object> sink, double[] row, long seq, AtomicLong credited, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (seq - credited.get() >= WINDOW) {
                LockSupport.parkNanos(20_000);
                continue;
            }
            sink.tell(new Wire.Latest(RUN, row.length, ++seq, row));
        }
        return seq;
    }

    /**
     * {@code bench net}'s steady-state rule, fixed before any ratio was measured with it: the first epoch
     * {@code k} in {@code [first, last]} such that over the {@code span} epochs before it ({@code k - span
     * .. k - 1}) every host's JIT compilation time is at most {@code jitShare} of its CPU time (JMH-style:
     * time a JVM once its compilers have gone quiet); -1 when none is. {@code clocks}: per host, its
     * {CPU, JIT} nanoseconds at the end of epoch i + 1 at index i ({@link Wire.Progress}); a host whose
     * JIT time is unknown (-1) never qualifies.
     */
    public static int steadyEpoch(Collection<List<long[]>> clocks, int first, int last, int span, double jitShare) {
        if (first - span < 2) throw new IllegalArgumentException("the rule needs the clock at the end of epoch " + (first - span - 1) + " (>= 1)");
        for (int k = first; k <= last; k++) {
            boolean quiet = true;
            for (List<long[]> c : clocks) {
                if (c.size() < k - 1) return -1;
                long[] a = c.get(k - span - 2), b = c.get(k - 2); // the ends of epochs k - span - 1 and k - 1
                if (a[1] < 0 || b[1] < 0 || b[1] - a[1] > jitShare * (b[0] - a[0])) {
                    quiet = false;
                    break;
                }
            }
            if (quiet) return k;
        }
        return -1;
    }

    /** The peer's side of {@link Sink#rounds}: its partition's actor is up before it calls {@link #stream}, so the sink finds it. */
    public static final class Peer {
        private final ActorSystem<?> system;
        private final Inbox inbox = pairInbox(1);
        private final ActorRef<Wire.ToPartition> part;

        public Peer(ActorSystem<?> system) {
            this.system = system;
            part = PartitionActor.spawn(system, inbox);
        }

        /** Runs as many rounds as the sink does ({@code warmup + rounds}). */
        public void rounds(Address sinkSystem, int width, int rounds) throws Exception {
            exchange(inbox, List.of(partitionAt(system, sinkSystem, 0), part), width, rounds);
        }
    }
}
