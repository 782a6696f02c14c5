package io.mycelium.net;

import io.mycelium.comm.Partition;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Scheme;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator: the cluster's first member. It admits hosts (run id and config hash), assigns
 * partitions in order of arrival, sends the one roster, prints progress and liveness, commits
 * checkpoints, ends asynchronous inference by the counter rule (no clock), collects the results,
 * and stops the run naming the partition it lost when a host dies (its launcher sees the child
 * exit at once; across machines the failure detector marks it unreachable). It prints every
 * connection refused at the TLS handshake ({@link TlsEngineProvider}).
 */
public final class CoordinatorProcess {
    private CoordinatorProcess() {}

    /** A child JVM exited (from the launcher). */
    record ChildExit(long pid, int code) {}

    /**
     * What a run produced; {@code failure} is null when it finished. {@code epochTimes}: when partition 0 reported
     * each epoch of the first scheme (s); {@code hostClocks}: per partition, its host's {CPU, JIT} nanoseconds at
     * each of those epochs' ends ({@link Wire.Progress}).
     */
    public record Outcome(String failure, Map<String, List<NetTraining.Share>> shares, Map<String, List<double[]>> trained, Tensor inferred,
                          List<Wire.Traffic> traffic, long steps, long sent, long received, double seconds, List<Double> epochTimes,
                          Map<Integer, List<long[]>> hostClocks) {}

    /**
     * @param procs     hosts (= partitions) to wait for
     * @param launcher  starts {@code children} of them on this machine (null: none)
     * @param hostArgs  a launched host's arguments after {@code net host --join .. --run-id ..}
     * @param listening told the coordinator's port once bound (null: print the host command)
     */
    public record Settings(int procs, Launcher launcher, int children, List<String> hostArgs, Path checkpoints, boolean resume, Duration joinTimeout,
                           java.util.function.IntConsumer listening) {}

    public static Outcome run(NetSystem.Options o, Job job, Settings s, PrintStream err) throws Exception {
        ActorSystem<Void> system = NetSystem.start(o);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        try {
            NetSystem.joinSelf(system);
            if (!NetSystem.awaitUp(system, Duration.ofSeconds(60))) return failed("the coordinator's cluster did not come up");
            system.systemActorOf(Behaviors.receive(Wire.ToCoordinator.class).onAnyMessage(m -> {
                events.add(m);
                return Behaviors.same();
            }).build(), "coordinator", Props.empty());
            ActorRef<ClusterEvent.ClusterDomainEvent> watch = system.systemActorOf(Behaviors.receive(ClusterEvent.ClusterDomainEvent.class).onAnyMessage(m -> {
                events.add(m);
                return Behaviors.same();
            }).build(), "cluster-watch", Props.empty());
            Cluster.get(system).subscriptions().tell(Subscribe.create(watch.<ClusterEvent.UnreachableMember>narrow(), ClusterEvent.UnreachableMember.class));
            Cluster.get(system).subscriptions().tell(Subscribe.create(watch.<ClusterEvent.MemberRemoved>narrow(), ClusterEvent.MemberRemoved.class));
            int port = NetSystem.port(system);
            if (s.listening() != null) s.listening().accept(port);
            if (s.launcher() != null) {
                for (int i = 0; i < s.children(); i++) {
                    List<String> args = new ArrayList<>(List.of("net", "host", "--join", o.host() + ":" + port, "--run-id", Long.toString(o.runId()), "--with-parent"));
                    args.addAll(s.hostArgs());
                    s.launcher().start(i, args, (pid, code) -> events.add(new ChildExit(pid, code)));
                }
            } else if (s.listening() == null) {
                err.printf(Locale.ROOT, "net coordinator: listening on %s:%d, run id %d, config hash %s; waiting for %d hosts:%n  ./mycelium net host --join %s:%d --run-id %d %s%n",
                        o.host(), port, o.runId(), job.hash(), s.procs(), o.host(), port, o.runId(), String.join(" ", s.hostArgs()));
            }
            return new Loop(system, job, s, o.runId(), events, err).run();
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
            if (s.launcher() != null) s.launcher().close();
        }
    }

    private static Outcome failed(String why) { return new Outcome(why, Map.of(), Map.of(), null, List.of(), 0, 0, 0, 0, List.of(), Map.of()); }

    /** The coordinator's event loop (on the calling thread). */
    private static final class Loop {
        final ActorSystem<Void> system;
        final Job job;
        final Settings s;
        final long run;
        final BlockingQueue<Object> events;
        final PrintStream err;
        final int procs;
        final List<ActorRef<Wire.ToHost>> hosts = new ArrayList<>();
        final List<Long> pids = new ArrayList<>();
        final List<ActorRef<Wire.ToPartition>> parts;
        final int[] partOf;
        final String partHash;
        final Map<String, NetTraining.Share[]> shares = new TreeMap<>();
        final Map<String, List<double[]>[]> trained = new TreeMap<>(); // per scheme and partition: the chunks so far
        final Map<String, Integer> progress = new HashMap<>();
        final Map<String, Integer> checkpointCounts = new HashMap<>();
        final List<Wire.Traffic> traffic = new ArrayList<>();
        final List<Double> epochTimes = new ArrayList<>();
        final Map<Integer, List<long[]>> hostClocks = new TreeMap<>();
        final Map<Integer, double[]> rows = new HashMap<>();
        final long t0 = System.nanoTime();
        long lastPrint, steps, sent, received;
        final Set<String> tlsSaid = new java.util.HashSet<>();
        int joined, tlsReported;
        boolean rosterSent, finishing;

        Loop(ActorSystem<Void> system, Job job, Settings s, long run, BlockingQueue<Object> events, PrintStream err) {
            this.system = system;
            this.job = job;
            this.s = s;
            this.run = run;
            this.events = events;
            this.err = err;
            this.procs = s.procs();
            this.parts = new ArrayList<>(java.util.Collections.nCopies(procs, null));
            this.partOf = Partitioner.split(job.graph(), procs);
            this.partHash = Partitioner.hash(job.graph(), partOf);
        }

        Outcome run() throws Exception {
            long joinEnd = System.nanoTime() + s.joinTimeout().toNanos();
            long pollSeq = 0, nextPoll = 0;
            Map<Integer, Wire.Status> statuses = new HashMap<>();
            long[] lastTotals = null;
            int calmPolls = 0;
            Map<String, Integer> resume = s.resume() ? Checkpoint.committed(s.checkpoints()) : Map.of();
            while (true) {
                if (!rosterSent && System.nanoTime() > joinEnd)
                    return stop("only " + joined + " of " + procs + " hosts joined within " + s.joinTimeout().toSeconds() + " s");
                if (rosterSent && job instanceof Job.Infer && System.nanoTime() > nextPoll) {
                    pollSeq++;
                    for (ActorRef<Wire.ToHost> h : hosts) h.tell(new Wire.Poll(run, pollSeq));
                    nextPoll = System.nanoTime() + 100_000_000L;
                }
                List<String> tls = TlsEngineProvider.failures(Adapter.toClassic(system)).all();
                for (; tlsReported < tls.size(); tlsReported++) // Artery retries a refused connection: say each reason once
                    if (tlsSaid.add(tls.get(tlsReported))) err.println("mycelium: net: " + tls.get(tlsReported));
                Object m = events.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) continue;
                switch (m) {
                    case Wire.Hello h -> {
                        String why = h.run() != run ? "run id " + h.run() + " is not this run's " + run
                                : !h.configHash().equals(job.hash()) ? "config hash " + h.configHash() + " is not this run's " + job.hash()
                                : hosts.size() >= procs ? "this run already has its " + procs + " hosts" : null;
                        if (why != null) {
                            err.println("mycelium: net: refused host pid " + h.pid() + " at " + h.host().path().address() + ": " + why);
                            h.host().tell(new Wire.Assign(run, -1, procs, why));
                        } else {
                            hosts.add(h.host());
                            pids.add(h.pid());
                            h.host().tell(new Wire.Assign(run, hosts.size() - 1, procs, null));
                        }
                    }
                    case Wire.Joined j -> {
                        if (!j.partitionHash().equals(partHash)) return stop("partition " + j.partition() + "'s host split the graph differently (" + j.partitionHash() + ", expected " + partHash + ")");
                        parts.set(j.partition(), j.ref());
                        if (++joined == procs) {
                            for (ActorRef<Wire.ToHost> h : hosts) h.tell(new Wire.Roster(run, parts, resume));
                            rosterSent = true;
                            err.printf(Locale.ROOT, "net: %d hosts joined in %.1f s; running%s%n", procs, seconds(), resume.isEmpty() ? "" : " from checkpoints " + resume);
                        }
                    }
                    case Wire.Progress p -> {
                        if (p.scheme().equals(((Job.Train) job).schemes().getFirst().id())) {
                            if (p.partition() == 0) epochTimes.add(seconds());
                            hostClocks.computeIfAbsent(p.partition(), k -> new ArrayList<>()).add(new long[] {p.cpuNanos(), p.jitNanos()});
                        }
                        progress.merge(p.scheme(), p.epoch(), Math::max);
                        if (System.nanoTime() - lastPrint > 1_000_000_000L) {
                            lastPrint = System.nanoTime();
                            err.printf(Locale.ROOT, "net: %s epoch %d  [%s]  %.0f s%n", p.scheme(), progress.get(p.scheme()), liveness(), seconds());
                        }
                    }
                    case Wire.CheckpointDone c -> {
                        String key = c.scheme() + " " + c.epoch();
                        int need = Scheme.parse(c.scheme()).centralized() ? 1 : procs;
                        if (checkpointCounts.merge(key, 1, Integer::sum) == need) Checkpoint.commit(s.checkpoints(), c.scheme(), c.epoch());
                    }
                    case Wire.Trained tr -> {
                        @SuppressWarnings("unchecked")
                        List<double[]>[] a = trained.computeIfAbsent(tr.scheme(), k -> new List[Scheme.parse(k).centralized() ? 1 : procs]);
                        if (a[tr.partition()] == null) a[tr.partition()] = new ArrayList<>();
                        a[tr.partition()].add(tr.data()); // in order: one sender, one receiver
                    }
                    case Wire.SchemeDone d -> {
                        Job.Train t = (Job.Train) job;
                        NetTraining.Share[] a = shares.computeIfAbsent(d.scheme(), k -> new NetTraining.Share[Scheme.parse(k).centralized() ? 1 : procs]);
                        a[d.partition()] = new NetTraining.Share(d.train0(), d.test(), d.batches());
                        err.printf(Locale.ROOT, "net: %s done on partition %d (%.1f s)%n", d.scheme(), d.partition(), seconds());
                        if (t.schemes().stream().allMatch(sc -> complete(shares.get(sc.id())))) finish();
                    }
                    case Wire.Status st -> {
                        statuses.put(st.partition(), st);
                        if (statuses.size() == procs && statuses.values().stream().allMatch(x -> x.seq() == st.seq())) {
                            long sentAll = 0, recvAll = 0, stepAll = 0;
                            boolean all = true;
                            for (Wire.Status x : statuses.values()) {
                                sentAll += x.sent();
                                recvAll += x.consumed();
                                stepAll += x.steps();
                                all &= x.quiet() && x.settled();
                            }
                            long[] totals = {sentAll, recvAll};
                            // four counters: everyone quiet and settled, sent = received, twice with no message in between
                            calmPolls = all && sentAll == recvAll && java.util.Arrays.equals(totals, lastTotals) ? calmPolls + 1 : 0;
                            lastTotals = totals;
                            steps = stepAll;
                            sent = sentAll;
                            received = recvAll;
                            if (calmPolls >= 1) for (ActorRef<Wire.ToHost> h : hosts) h.tell(new Wire.Finish(run));
                            if (System.nanoTime() - lastPrint > 1_000_000_000L) {
                                lastPrint = System.nanoTime();
                                err.printf(Locale.ROOT, "net: %d steps, %d messages  [%s]  %.0f s%n", stepAll, sentAll, liveness(), seconds());
                            }
                        }
                    }
                    case Wire.InferDone d -> {
                        rows.put(d.partition(), d.rows());
                        if (rows.size() == procs) finish();
                    }
                    case Wire.Traffic t -> {
                        traffic.add(t);
                        if (traffic.size() == procs) return done();
                    }
                    case Wire.Failed f -> { return stop("partition " + f.partition() + " failed: " + f.reason()); }
                    case ChildExit x -> {
                        int p = pids.indexOf(x.pid());
                        if (!finishing || x.code() != 0)
                            return stop(String.format(Locale.ROOT, "%s: its host process (pid %d) exited with code %d%s",
                                    p >= 0 ? "lost partition " + p : "a host that had not joined yet", x.pid(), x.code(), x.code() == 137 ? " (killed)" : ""));
                    }
                    case ClusterEvent.UnreachableMember u -> {
                        int p = partitionOf(u.member());
                        if (p >= 0 && !finishing) return stop("lost partition " + p + ": host " + u.member().address().hostPort() + " is unreachable (failure detector)");
                    }
                    case ClusterEvent.MemberRemoved r -> {
                        int p = partitionOf(r.member());
                        if (p >= 0 && !finishing) return stop("lost partition " + p + ": host " + r.member().address().hostPort() + " left the cluster");
                    }
                    default -> {}
                }
            }
        }

        /** Every result is in: the hosts report their traffic and exit. */
        private void finish() {
            finishing = true;
            for (ActorRef<Wire.ToHost> h : hosts) h.tell(new Wire.Stop(run, ""));
        }

        private boolean complete(NetTraining.Share[] a) { return a != null && java.util.Arrays.stream(a).allMatch(java.util.Objects::nonNull); }

        private int partitionOf(Member m) {
            for (int i = 0; i < hosts.size(); i++) if (hosts.get(i).path().address().equals(m.address())) return i;
            return -1;
        }

        private String liveness() {
            Set<Member> unreachable = Cluster.get(system).state().getUnreachable();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < hosts.size(); i++) {
                Address a = hosts.get(i).path().address();
                boolean down = unreachable.stream().anyMatch(mm -> mm.address().equals(a));
                b.append(i == 0 ? "" : ", ").append("host ").append(i).append(down ? " UNREACHABLE" : " up");
            }
            return b.toString();
        }

        private double seconds() { return (System.nanoTime() - t0) / 1e9; }

        private Outcome stop(String why) {
            err.printf(Locale.ROOT, "net: stopping the run after %.1f s: %s%n", seconds(), why);
            for (ActorRef<Wire.ToHost> h : hosts) h.tell(new Wire.Stop(run, why));
            if (s.launcher() != null) s.launcher().killAll();
            return failed(why);
        }

        private Outcome done() {
            Map<String, List<NetTraining.Share>> out = new TreeMap<>();
            shares.forEach((k, v) -> out.put(k, List.of(v)));
            Map<String, List<double[]>> params = new TreeMap<>();
            trained.forEach((k, v) -> params.put(k, java.util.Arrays.stream(v).map(chunks -> {
                double[] all = new double[chunks.stream().mapToInt(c -> c.length).sum()];
                int at = 0;
                for (double[] c : chunks) {
                    System.arraycopy(c, 0, all, at, c.length);
                    at += c.length;
                }
                return all;
            }).toList()));
            Tensor h = null;
            if (job instanceof Job.Infer inf) {
                List<Partition> ps = Partition.split(inf.graph(), partOf);
                h = Tensor.zeros(inf.graph().n(), inf.m().stateWidth());
                int w = inf.m().stateWidth();
                for (Partition p : ps) {
                    double[] r = rows.get(p.index());
                    for (int i = 0; i < p.size(); i++) System.arraycopy(r, i * w, h.data(), p.nodes()[i] * w, w);
                }
            }
            return new Outcome(null, out, params, h, List.copyOf(traffic), steps, sent, received, seconds(), List.copyOf(epochTimes), hostClocks);
        }
    }
}
