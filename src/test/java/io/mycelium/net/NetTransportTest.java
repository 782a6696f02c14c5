package io.mycelium.net;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Counters;
import io.mycelium.comm.InMemoryTransport;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.comm.Accounting;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.train.Dataset;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three actor systems in this JVM, joined into one cluster on 127.0.0.1: every message between
 * partitions crosses Artery TCP and {@link RowSerializer}. Synchronous training over them must be
 * the in-process partitioned engine's, bit for bit (metrics, parameters, counters).
 */
@Timeout(120)
class NetTransportTest {
    static final List<ActorSystem<Void>> SYSTEMS = new ArrayList<>();
    static final long RUN = 42;

    @BeforeAll
    static void cluster() throws Exception {
        for (int s = 0; s < 3; s++) {
            ActorSystem<Void> sys = NetSystem.start(new NetSystem.Options(s == 0 ? "coordinator" : "host", "127.0.0.1", 0, RUN, "test", null));
            SYSTEMS.add(sys);
            if (s == 0) NetSystem.joinSelf(sys);
            else NetSystem.join(sys, SYSTEMS.getFirst().address());
        }
        for (ActorSystem<Void> sys : SYSTEMS) assertThat(NetSystem.awaitUp(sys, Duration.ofSeconds(60))).isTrue();
    }

    @AfterAll
    static void down() {
        for (ActorSystem<Void> s : SYSTEMS) s.terminate();
        for (ActorSystem<Void> s : SYSTEMS) s.getWhenTerminated().toCompletableFuture().join();
    }

    /** Partition p hosted in system p; every system sees the others' actors as remote refs. */
    static List<Comm> comms(List<Partition> parts, long run, Function<NetTransport, Function<Inbox, Comm>> kind) {
        List<Inbox> inboxes = new ArrayList<>();
        List<ActorRef<Wire.ToPartition>> refs = new ArrayList<>();
        for (Partition p : parts) {
            Inbox in = new Inbox(p, run);
            inboxes.add(in);
            refs.add(PartitionActor.spawn(SYSTEMS.get(p.index()), in));
        }
        List<Comm> out = new ArrayList<>();
        for (Partition p : parts) {
            ActorSystem<Void> here = SYSTEMS.get(p.index());
            List<ActorRef<Wire.ToPartition>> seen = refs.stream().map(r -> ActorRefResolver.get(here).<Wire.ToPartition>resolveActorRef(
                    ActorRefResolver.get(SYSTEMS.get(refs.indexOf(r))).toSerializationFormat(r))).toList();
            out.add(kind.apply(new NetTransport(run, seen, Faults.NONE)).apply(inboxes.get(p.index())));
        }
        return out;
    }

    static <R> List<R> onThreads(List<Engine> engines, Function<Engine, R> body) throws Exception {
        try (ExecutorService ex = Executors.newFixedThreadPool(engines.size())) {
            List<Future<R>> fs = engines.stream().map(e -> ex.submit(() -> body.apply(e))).toList();
            List<R> out = new ArrayList<>();
            for (Future<R> f : fs) out.add(f.get());
            return out;
        }
    }

    @Test
    void controlRecordsTravelAsJacksonCborAndJavaSerializationIsOff() throws Exception {
        var ser = org.apache.pekko.serialization.SerializationExtension.get(SYSTEMS.getFirst().classicSystem());
        ActorRef<Wire.ToHost> ref = SYSTEMS.getFirst().systemActorOf(org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "probe", org.apache.pekko.actor.typed.Props.empty());
        Wire.Hello hello = new Wire.Hello(7, "abc", ref, 123);
        var serializer = ser.findSerializerFor(hello);
        assertThat(serializer.getClass().getSimpleName()).isEqualTo("JacksonCborSerializer");
        byte[] bytes = ser.serialize(hello).get();
        Object back = ser.deserialize(bytes, serializer.identifier(), org.apache.pekko.serialization.Serializers.manifestFor(serializer, hello)).get();
        assertThat(back).isEqualTo(hello);
        assertThat(ser.findSerializerFor(new Wire.Latest(1, 2, 3, new double[1]))).isInstanceOf(RowSerializer.class);
        assertThat(SYSTEMS.getFirst().settings().config().getBoolean("pekko.actor.allow-java-serialization")).isFalse();
        // something bound to nothing but java.io.Serializable has no serializer at all
        assertThat(ser.serialize(new java.util.ArrayList<>(List.of(1))).isFailure()).isTrue();
    }

    @Test
    void aRoundLargerThanAChunkArrivesWholeAndInOrder() throws Exception {
        // two one-node partitions in two systems; one round carries a pull of 2.5 chunks and a push of 5 doubles,
        // so the sender flattens two transfers and sends windows of one array, and the receiver reassembles them
        Graph g = Graph.fromEdges(2, new int[] {0}, new int[] {1});
        List<Comm> comms = comms(Partition.split(g, new int[] {0, 1}), RUN + 100, t -> t::comm);
        int w = 2 * NetTransport.CHUNK + NetTransport.CHUNK / 2, v = 5;
        UniformRandomProvider r = Init.rng(3);
        double[][] local = new double[2][], halo = new double[2][], sums = new double[2][], own = new double[2][], before = new double[2][];
        for (int p = 0; p < 2; p++) {
            local[p] = Init.normal(r, 0, 1, 1, w).data();
            halo[p] = new double[w];
            sums[p] = Init.normal(r, 0, 1, 1, v).data();
            own[p] = Init.normal(r, 0, 1, 1, v).data();
            before[p] = own[p].clone();
        }
        try (ExecutorService ex = Executors.newFixedThreadPool(2)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int q = p;
                fs.add(ex.submit(() -> comms.get(q).round(new Transfer.Pull(local[q], halo[q], w, Accounting.UNICAST),
                        new Transfer.Push(sums[q], own[q], v, Accounting.UNICAST))));
            }
            for (Future<?> f : fs) f.get();
        }
        for (int p = 0; p < 2; p++) {
            int q = 1 - p;
            assertThat(halo[p]).as("partition %d's halo", p).isEqualTo(local[q]);
            double[] expected = new double[v];
            for (int i = 0; i < v; i++) expected[i] = before[p][i] + sums[q][i];
            assertThat(own[p]).as("partition %d's pushed sums", p).isEqualTo(expected);
        }
    }

    @Test
    void synchronousTrainingOverTheNetworkIsThePartitionedEngineBitForBit() throws Exception {
        UniformRandomProvider r = Init.rng(5);
        Graph g = TestGraphs.connected(15, 0.25, 9);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_LAPLACIAN.of(g), new int[] {3, 6, 1}, new Activation[] {Activation.TANH, Activation.SIGMOID}, Gcnn.GLOROT);
        Params init = new Params();
        model.init(init, r);
        Dataset all = new Dataset(Init.normal(r, 0, 1, g.n(), 14, 3), Init.uniform(r, 0, 1, g.n(), 14));
        TrainingRun.Setup s = new TrainingRun.Setup(g, ShiftOperator.NORMALIZED_LAPLACIAN, model, init, all.range(0, 10), all.range(10, 14), 4, 0.05, 3, 1, 7);
        int[] partOf = TestGraphs.randomParts(g.n(), 3, 3);
        long run = RUN;
        for (Scheme scheme : List.of(Scheme.D_AMSGRAD, Scheme.D_NAIVE_BATCH)) {
            Engine ref = Engine.partitioned(g, partOf, NetTraining.params(s, scheme));
            NetTraining.Share inProcess = NetTraining.run(s, scheme, ref, null);

            List<Partition> parts = Partition.split(g, partOf);
            List<Comm> comms = comms(parts, run, t -> t::comm);
            List<Engine> engines = new ArrayList<>();
            for (Partition p : parts) engines.add(Engine.hosting(g, List.of(p), List.of(comms.get(p.index())), NetTraining.params(s, scheme)));
            List<NetTraining.Share> shares = onThreads(engines, e -> NetTraining.run(s, scheme, e, null));

            TrainingRun.Result net = NetTraining.assemble(s, scheme, shares, TrainingRun.measureTraffic(s, scheme), 0);
            TrainingRun.Result mem = NetTraining.assemble(s, scheme, List.of(inProcess), TrainingRun.measureTraffic(s, scheme), 0);
            assertThat(net.epochs()).as(scheme.id()).isEqualTo(mem.epochs());
            // the loop is TrainingRun's: the synchronous engine's metrics to summation order
            TrainingRun.Result sync = TrainingRun.run(s, scheme, null);
            for (int e = 0; e < net.epochs().size(); e++) {
                assertThat(net.epochs().get(e).testMse()).isCloseTo(sync.epochs().get(e).testMse(), org.assertj.core.data.Offset.offset(1e-12));
                assertThat(net.epochs().get(e).trainMse()).isCloseTo(sync.epochs().get(e).trainMse(), org.assertj.core.data.Offset.offset(1e-12));
                assertThat(net.epochs().get(e).rounds()).isEqualTo(sync.epochs().get(e).rounds());
            }
            Params netParams = NetTraining.params(s, scheme);
            for (Engine e : engines) for (var h : e.hosts()) netParams.writeBack(h.partition().nodes(), h.params());
            assertThat(netParams.maxAbsDiff(ref.params())).as(scheme.id() + " parameters").isZero();
            Counters c = new Counters();
            for (Engine e : engines) c.add(e.counters());
            assertThat(c.toString()).isEqualTo(ref.counters().toString());
            assertThat(c.rounds()).isPositive();
            run++;
        }
    }
}
