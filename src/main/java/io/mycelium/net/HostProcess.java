package io.mycelium.net;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Scheme;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A host process: joins the coordinator's cluster, is assigned a partition, starts the partition's
 * actor, and once the roster arrives runs the job's program for its partition on this (the compute)
 * thread, reporting shares, checkpoints and traffic to the coordinator.
 */
public final class HostProcess {
    private HostProcess() {}

    /** Where checkpoints go and how often ({@code every} 0: never). */
    public record Checkpoints(Path dir, int every) {}

    /**
     * Runs the host until the coordinator stops it; returns the exit code.
     *
     * @param join how long to wait for the cluster to admit this host, and then for the coordinator's assignment and roster
     */
    public static int run(NetSystem.Options o, Address coordinator, Job job, Checkpoints ck, Faults faults, Duration join, PrintStream err) throws Exception {
        ActorSystem<Void> system = NetSystem.start(o);
        try {
            NetSystem.join(system, coordinator);
            if (!NetSystem.awaitUp(system, join)) {
                List<String> tls = TlsEngineProvider.failures(Adapter.toClassic(system)).all();
                err.println("mycelium: net host: could not join " + coordinator.hostPort() + ": "
                        + (!tls.isEmpty() ? tls.getFirst()
                        : system.getWhenTerminated().toCompletableFuture().isDone() ? "refused at join: another run id or config hash than the coordinator's (its console says which)"
                        : "no answer within " + join.toSeconds() + " s: is the coordinator up, and do both sides use the same TLS material (--tls)?"));
                return 1;
            }
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            AtomicReference<Inbox> inboxRef = new AtomicReference<>();
            ActorRef<Wire.ToHost> me = system.systemActorOf(hostActor(events, inboxRef), "host", Props.empty());
            ActorRef<Wire.ToCoordinator> coord = Adapter.toTyped(Adapter.toClassic(system)
                    .actorSelection(coordinator + "/system/coordinator").resolveOne(Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            long run = o.runId();
            coord.tell(new Wire.Hello(run, job.hash(), me, ProcessHandle.current().pid()));
            Wire.Assign a = expect(events, Wire.Assign.class, join);
            if (a.partition() < 0) {
                err.println("mycelium: net host: refused by the coordinator: " + a.refused());
                return 1;
            }
            int[] partOf = Partitioner.split(job.graph(), a.partitions());
            List<Partition> parts = Partition.split(job.graph(), partOf);
            Partition part = parts.get(a.partition());
            Inbox inbox = new Inbox(part, run);
            inboxRef.set(inbox);
            ActorRef<Wire.ToPartition> partRef = PartitionActor.spawn(system, inbox);
            coord.tell(new Wire.Joined(run, part.index(), partRef, Partitioner.hash(job.graph(), partOf)));
            Wire.Roster roster = expect(events, Wire.Roster.class, join);
            NetTransport transport = new NetTransport(run, roster.partitions(), faults);
            try {
                switch (job) {
                    case Job.Train t -> train(t, part, inbox, transport, roster.resume(), ck, coord, run);
                    case Job.Infer i -> infer(i, part, inbox, transport, events, coord, run);
                }
            } catch (java.io.IOException | RuntimeException e) {
                String why = e instanceof NetFailure ? e.getMessage() : e.toString();
                coord.tell(new Wire.Failed(run, part.index(), why));
                err.println("mycelium: net host: partition " + part.index() + " failed: " + why);
                return 1;
            }
            NetTrace.dump("host-" + part.index());
            // the coordinator stops the run once every partition is done, so every halo sent has been
            // read (and so written out by the sender's Artery stream, where the serializer counts it)
            Wire.Stop stop = expect(events, Wire.Stop.class, Duration.ofSeconds(120));
            long[] tr = RowSerializer.of(system).traffic();
            coord.tell(new Wire.Traffic(run, part.index(), ProcessHandle.current().pid(), tr[0], tr[1], tr[2], tr[3]));
            return stop.reason() == null || stop.reason().isEmpty() ? 0 : 1;
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    /** Hands control messages to the compute thread; a Stop with a reason also wakes it if it waits for a halo. */
    private static Behavior<Wire.ToHost> hostActor(BlockingQueue<Object> events, AtomicReference<Inbox> inbox) {
        return Behaviors.receive(Wire.ToHost.class).onAnyMessage(m -> {
            if (m instanceof Wire.Stop s && s.reason() != null && !s.reason().isEmpty() && inbox.get() != null) inbox.get().abort(s.reason());
            events.add(m);
            return Behaviors.same();
        }).build();
    }

    static <T> T expect(BlockingQueue<Object> events, Class<T> type, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Object m = events.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) throw new NetFailure("no " + type.getSimpleName() + " from the coordinator within " + timeout.toSeconds() + " s");
            if (type.isInstance(m)) return type.cast(m);
            if (m instanceof Wire.Stop s && s.reason() != null && !s.reason().isEmpty()) throw new NetFailure("stopped by the coordinator: " + s.reason());
        }
    }

    private static void train(Job.Train t, Partition part, Inbox inbox, NetTransport transport, Map<String, Integer> resume,
                              Checkpoints ck, ActorRef<Wire.ToCoordinator> coord, long run) throws java.io.IOException {
        for (Scheme scheme : t.schemes()) {
            // a centralized scheme trains tied parameters on one machine holding every node: partition 0's host
            if (scheme.centralized() && part.index() != 0) continue;
            Engine engine = scheme.centralized() ? Engine.synchronous(t.graph(), NetTraining.params(t.setup(), scheme))
                    : Engine.hosting(t.graph(), List.of(part), List.<Comm>of(transport.comm(inbox)), NetTraining.params(t.setup(), scheme));
            Host h = engine.hosts().getFirst();
            int from = resume.getOrDefault(scheme.id(), 0);
            NetTraining.Share start = from > 0 ? Checkpoint.load(ck.dir(), scheme.id(), part.index(), from, h) : null;
            int epochs = t.setup().epochs();
            NetTraining.Share sh = from >= epochs ? start : NetTraining.run(t.setup(), scheme, engine, start, from, (e, so) -> {
                NetTrace.mark(NetTrace.EPOCH, part.index(), e, -1);
                coord.tell(new Wire.Progress(run, part.index(), scheme.id(), e, NetBench.processCpuNanos(), jitNanos()));
                if (ck.every() > 0 && (e % ck.every() == 0 || e == epochs)) {
                    try {
                        Checkpoint.save(ck.dir(), scheme.id(), part.index(), e, so, h);
                    } catch (java.io.IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                    coord.tell(new Wire.CheckpointDone(run, part.index(), scheme.id(), e));
                }
            });
            double[] trained = NetTraining.flatten(h.params());
            int chunks = Math.max(1, (trained.length + NetTraining.CHUNK - 1) / NetTraining.CHUNK);
            for (int c = 0; c < chunks; c++)
                coord.tell(new Wire.Trained(run, part.index(), scheme.id(), c, chunks,
                        java.util.Arrays.copyOfRange(trained, c * NetTraining.CHUNK, Math.min(trained.length, (c + 1) * NetTraining.CHUNK))));
            coord.tell(new Wire.SchemeDone(run, part.index(), scheme.id(), sh.train0(), sh.test(), sh.batches()));
        }
    }

    /** The JIT compilers' total compilation time so far (elapsed, summed over compiler threads), in nanoseconds; -1 if not monitored. */
    static long jitNanos() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() * 1_000_000L : -1;
    }

    /** Steps the partition until the coordinator's Finish; answers its polls between steps. */
    private static void infer(Job.Infer job, Partition part, Inbox inbox, NetTransport transport, BlockingQueue<Object> events,
                              ActorRef<Wire.ToCoordinator> coord, long run) throws InterruptedException {
        NetTransport.AsyncLink link = transport.asyncComm(inbox, job.tol() / 10);
        Engine engine = Engine.hosting(job.graph(), List.of(part), List.<Comm>of(link), job.params().perNode(job.graph().n()));
        Host host = engine.hosts().getFirst();
        Tensor x = part.rows(job.x()), h = Tensor.zeros(part.size(), job.m().stateWidth());
        int calm = 0;
        while (true) {
            Tensor next = job.step(host, h, x);
            double change = next.maxAbsDiff(h);
            h.copyFrom(next);
            calm = change <= job.tol() ? calm + 1 : 0;
            boolean quiet = calm >= 3;
            Object m;
            while ((m = events.poll()) != null) {
                switch (m) {
                    case Wire.Poll p -> coord.tell(new Wire.Status(run, part.index(), p.seq(), quiet, link.settled(), link.sent(), inbox.received(), link.version()));
                    case Wire.Finish f -> {
                        coord.tell(new Wire.InferDone(run, part.index(), h.data().clone(), link.version(), link.sent(), inbox.received(), 0));
                        return;
                    }
                    case Wire.Stop s -> throw new NetFailure("stopped by the coordinator: " + s.reason());
                    default -> {}
                }
            }
            if (inbox.aborted() != null) throw new NetFailure(inbox.aborted());
            if (quiet) Thread.sleep(1); // nothing moves here: leave the cores to the partitions still converging
        }
    }
}
