package io.mycelium.net;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Starting an actor system of the networked engine: one name ({@code Mycelium}) everywhere, Cluster
 * over Artery TCP, our serializers bound and Java serialization off, small dispatchers (several
 * JVMs share a few cores), the split-brain resolver keeping the coordinator's side, and the run
 * check that refuses a process with another run id or config hash at join ({@link RunCheck}).
 * Plain TCP binds to 127.0.0.1 only; any other address requires mutual TLS ({@link Tls}).
 *
 * <p>Threads: a halo crosses from a compute thread to a peer's compute thread, and every hand-off
 * between threads on the way costs a wake-up, which on a busy machine is a scheduler time slice.
 * Pekko's defaults spread a message's path over three pools (the remote streams on the remote
 * dispatcher, the TCP connection actors on the internal one, the recipient actor on the default
 * one), so a one-way trip took about seven hand-offs. Here the ordinary Artery streams, the TCP
 * connection actors and the actors share the default dispatcher with one thread, which runs a
 * message's next step itself instead of waking another: compute thread → dispatcher → (socket,
 * selector) → peer's dispatcher → peer's compute thread. None of our actors blocks. The control
 * stream (heartbeats, cluster gossip) keeps the internal dispatcher.
 *
 * <p>Writes: Pekko's TCP stage, handed a frame while no write is in flight, first sends the TCP
 * actor an empty write and waits for its reply (up to 10 times) in case more frames follow, to
 * merge them into one write. A training round is the opposite case: one frame per peer, then
 * nothing until the answer. {@code coalesce-writes = 0} writes at once; frames that come while a
 * write is in flight are still merged (up to the stage's 16 KiB write buffer), so streams of small
 * messages still go out in batches.
 */
public final class NetSystem {
    private NetSystem() {}

    public static final String NAME = "Mycelium";

    /**
     * Artery's largest frame (its default is 256 KiB), and the size of Pekko TCP's read and write
     * buffers (default 128 KiB). A training round sends each peer its halo rows, 300–500 KB in
     * Section IV-A's node regression (a row is 1000 doubles); in 256 KiB frames that is 3–4 frames,
     * each one more pass through the Artery stream, the TCP actor and the selector on both sides,
     * and in 128 KiB buffers several reads, each re-armed through the selector. With 2 MiB frames
     * and buffers a round's halo is one frame and usually one read. Buffers are pooled and taken
     * only when used, so idle links cost nothing.
     */
    public static final int FRAME_BYTES = 2 * 1024 * 1024;

    /**
     * @param role      {@code coordinator} or {@code host}
     * @param host      address to bind and announce (127.0.0.1 unless TLS is on)
     * @param port      0 for a free one
     * @param tls       directory made by {@code net keys}, or null (loopback only)
     */
    public record Options(String role, String host, int port, long runId, String configHash, Path tls) {
        public Options {
            if (tls == null && !host.equals("127.0.0.1"))
                throw new IllegalArgumentException("plain TCP is for 127.0.0.1 only; any other address needs mutual TLS (--tls DIR, made by 'net keys')");
            if (tls != null) Tls.check(tls);
        }
    }

    public static Config config(Options o) {
        String text = String.format(Locale.ROOT, """
                pekko {
                  loglevel = "ERROR"
                  stdout-loglevel = "ERROR"
                  log-dead-letters = off
                  log-dead-letters-during-shutdown = off
                  actor {
                    provider = cluster
                    allow-java-serialization = off
                    serializers { mycelium-rows = "io.mycelium.net.RowSerializer" }
                    serialization-bindings {
                      "io.mycelium.net.Wire$Hot" = mycelium-rows
                      "io.mycelium.net.Wire$Control" = jackson-cbor
                    }
                    # one thread runs the ordinary Artery streams, the TCP connections and our actors (see the class comment)
                    default-dispatcher.fork-join-executor { parallelism-min = 1, parallelism-max = 1 }
                    internal-dispatcher.fork-join-executor { parallelism-min = 2, parallelism-max = 2 }
                  }
                  io.tcp {
                    direct-buffer-size = %d
                    worker-dispatcher = "pekko.actor.default-dispatcher"
                    management-dispatcher = "pekko.actor.default-dispatcher"
                  }
                  remote.artery {
                    transport = %s
                    canonical.hostname = "%s"
                    canonical.port = %d
                    advanced {
                      maximum-frame-size = %d
                      # write at once when the link is idle (see the class comment)
                      materializer.io.tcp.coalesce-writes = 0
                      use-dispatcher = "pekko.actor.default-dispatcher"
                      inbound-lanes = 1
                      outbound-lanes = 1
                      compression.actor-refs.advertisement-interval = 2s
                      compression.manifests.advertisement-interval = 2s
                    }
                  }
                  cluster {
                    roles = ["%s"]
                    log-info = off
                    jmx.multi-mbeans-in-same-jvm = on
                    downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                    split-brain-resolver {
                      active-strategy = keep-oldest
                      stable-after = 7s
                      keep-oldest { down-if-alone = off, role = "coordinator" }
                    }
                    failure-detector.acceptable-heartbeat-pause = 3s
                    # a host waits for admission as long as its --join-timeout says (HostProcess), not a fixed 30 s:
                    # hosts starting together on a loaded machine can take longer than that to join over TLS
                    shutdown-after-unsuccessful-join-seed-nodes = off
                    configuration-compatibility-check.checkers { mycelium-run = "io.mycelium.net.RunCheck" }
                  }
                  coordinated-shutdown.exit-jvm = off
                  # a run's end is its cluster's end: every member leaves at once, so waiting up to 10 s for the
                  # others to see this one exiting (the default) only delays each process's exit
                  coordinated-shutdown.phases.cluster-leave.timeout = 2s
                  coordinated-shutdown.phases.cluster-exiting.timeout = 2s
                }
                mycelium.net { run-id = "%d", config-hash = "%s" }
                """, FRAME_BYTES, o.tls() == null ? "tcp" : "tls-tcp", o.host(), o.port(), FRAME_BYTES, o.role(), o.runId(), o.configHash());
        Config c = ConfigFactory.parseString(text);
        if (o.tls() != null) c = Tls.config(o.tls()).withFallback(c);
        return c.withFallback(ConfigFactory.load());
    }

    public static ActorSystem<Void> start(Options o) {
        // Pekko logs through SLF4J (slf4j-simple, on standard error): warnings and errors only, and SLF4J set up
        // here, before Pekko's threads race to do it (which makes SLF4J print a "replayed" notice)
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        org.slf4j.LoggerFactory.getILoggerFactory();
        return ActorSystem.create(Behaviors.empty(), NAME, config(o));
    }

    /** The address others join: {@code pekko://Mycelium@host:port}. */
    public static Address address(String host, int port) { return new Address("pekko", NAME, host, port); }

    /** Makes {@code system} the cluster's first member (the coordinator). */
    public static void joinSelf(ActorSystem<?> system) {
        Cluster c = Cluster.get(system);
        c.manager().tell(Join.create(c.selfMember().address()));
    }

    /** Joins the cluster whose first member is at {@code seed}. */
    public static void join(ActorSystem<?> system, Address seed) { Cluster.get(system).manager().tell(new JoinSeedNodes(List.of(seed))); }

    /** Waits until this member is Up; false at the deadline, when refused, or when a TLS handshake failed. */
    public static boolean awaitUp(ActorSystem<?> system, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Cluster.get(system).selfMember().status() == MemberStatus.up()) return true;
            if (system.getWhenTerminated().toCompletableFuture().isDone()) return false;
            if (!TlsEngineProvider.failures(Adapter.toClassic(system)).all().isEmpty()) return false;
            Thread.sleep(50);
        }
        return false;
    }

    /** This system's port (after binding port 0). */
    public static int port(ActorSystem<?> system) { return (Integer) system.address().getPort().get(); }
}
