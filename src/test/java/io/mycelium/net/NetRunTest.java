package io.mycelium.net;

import io.mycelium.TestGraphs;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.train.Dataset;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator and its hosts as actor systems in this JVM (each its own cluster member on
 * 127.0.0.1, every message through Artery TCP and the serializers): the whole protocol, from join
 * to results.
 */
@Timeout(300)
class NetRunTest {
    @TempDir
    Path tmp;

    /** A host to start: its run id, config hash, faults, TLS material (null: plain TCP) and how long it waits to be admitted. */
    record HostSpec(long run, String hash, Faults faults, Job job, Path tls, Duration join) {
        HostSpec(long run, String hash, Faults faults, Job job) { this(run, hash, faults, job, null, Duration.ofSeconds(120)); }

        HostSpec tls(Path dir, Duration wait) { return new HostSpec(run, hash, faults, job, dir, wait); }
    }

    record Ran(CoordinatorProcess.Outcome outcome, List<Integer> exits, List<String> errs, String coordinatorErr) {}

    static Ran run(Job job, long run, int procs, Path tls, List<HostSpec> hosts, Path ck, int every, boolean resume) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        ByteArrayOutputStream coordErr = new ByteArrayOutputStream();
        try (ExecutorService ex = Executors.newCachedThreadPool()) {
            Future<CoordinatorProcess.Outcome> coord = ex.submit(() -> CoordinatorProcess.run(
                    new NetSystem.Options("coordinator", "127.0.0.1", 0, run, job.hash(), tls), job,
                    new CoordinatorProcess.Settings(procs, null, 0, List.of(), ck, resume, Duration.ofSeconds(240), port::complete),
                    new PrintStream(new java.io.OutputStream() {
                        @Override
                        public void write(int b) {
                            coordErr.write(b);
                            System.out.write(b);
                        }
                    }, true)));
            int p = port.get(120, TimeUnit.SECONDS);
            List<Future<Integer>> exits = new ArrayList<>();
            List<ByteArrayOutputStream> errs = new ArrayList<>();
            for (HostSpec h : hosts) {
                ByteArrayOutputStream e = new ByteArrayOutputStream();
                errs.add(e);
                exits.add(ex.submit(() -> HostProcess.run(new NetSystem.Options("host", "127.0.0.1", 0, h.run(), h.hash(), h.tls()),
                        NetSystem.address("127.0.0.1", p), h.job(), new HostProcess.Checkpoints(ck, every), h.faults(), h.join(), new PrintStream(e, true))));
            }
            CoordinatorProcess.Outcome o = coord.get(280, TimeUnit.SECONDS);
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : exits) codes.add(f.get(120, TimeUnit.SECONDS));
            return new Ran(o, codes, errs.stream().map(ByteArrayOutputStream::toString).toList(), coordErr.toString());
        }
    }

    static Job.Train trainJob() {
        UniformRandomProvider r = Init.rng(21);
        Graph g = TestGraphs.connected(14, 0.25, 4);
        Gcnn model = new Gcnn(ShiftOperator.NORMALIZED_ADJACENCY.of(g), new int[] {2, 5, 1}, new Activation[] {Activation.TANH, Activation.SIGMOID}, Gcnn.GLOROT);
        Params init = new Params();
        model.init(init, r);
        Dataset all = new Dataset(Init.normal(r, 0, 1, g.n(), 12, 2), Init.uniform(r, 0, 1, g.n(), 12));
        TrainingRun.Setup s = new TrainingRun.Setup(g, ShiftOperator.NORMALIZED_ADJACENCY, model, init, all.range(0, 9), all.range(9, 12), 3, 0.05, 4, 1, 3);
        return new Job.Train(s, List.of(Scheme.SGD, Scheme.D_SGD), "train-test");
    }

    /**
     * Under mutual TLS with material made by {@code net keys}: the run's hosts are admitted; a host
     * with another run id, another config hash, a certificate from another CA, or no TLS at all is
     * refused at join with a message on both sides; the run's numbers are the in-process run's.
     */
    @Test
    void aTlsRunAdmitsOnlyItsHostsAndEqualsTheInProcessRunBitForBit() throws Exception {
        Path keys = tmp.resolve("tls"), otherCa = tmp.resolve("other-ca");
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> { // keytool JVMs: two at once on two cores
            try {
                TlsKeys.make(otherCa, 1);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertThat(io.mycelium.cli.Main.execute("net", "keys", "--out", keys.toString())).isZero();
        other.get(120, TimeUnit.SECONDS);
        Job.Train job = trainJob();
        Job.Train otherConfig = new Job.Train(job.setup(), job.schemes(), "another-hash");
        Duration quick = Duration.ofSeconds(20);
        List<HostSpec> hosts = List.of(new HostSpec(7, job.hash(), Faults.NONE, job).tls(keys, Duration.ofSeconds(120)),
                new HostSpec(8, job.hash(), Faults.NONE, job).tls(keys, quick),
                new HostSpec(7, job.hash(), Faults.NONE, job).tls(keys, Duration.ofSeconds(120)),
                new HostSpec(7, otherConfig.hash(), Faults.NONE, otherConfig).tls(keys, quick),
                new HostSpec(7, job.hash(), Faults.NONE, job).tls(otherCa, quick),
                new HostSpec(7, job.hash(), Faults.NONE, job).tls(null, Duration.ofSeconds(5)),
                new HostSpec(7, job.hash(), Faults.NONE, job).tls(keys, Duration.ofSeconds(120)));
        // the join check runs inside Pekko on the coordinator's side and prints there (System.err)
        PrintStream stderr = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        System.setErr(new PrintStream(seen, true));
        Ran ran;
        try {
            ran = run(job, 7, 3, keys, hosts, tmp, 0, false);
        } finally {
            System.setErr(stderr);
        }
        assertThat(seen.toString()).contains("refused at join: run id 8 is not this run's 7").contains("refused at join: config hash another-hash");
        assertThat(ran.outcome().failure()).isNull();
        assertThat(ran.exits()).containsExactly(0, 1, 0, 1, 1, 1, 0);
        assertThat(ran.errs().get(1)).contains("refused at join");
        assertThat(ran.errs().get(3)).contains("refused at join");
        assertThat(ran.errs().get(4)).as("host with another CA's certificate").contains("could not join", "the TLS handshake with 127.0.0.1:", "failed",
                "same 'net keys' material");
        assertThat(ran.errs().get(5)).as("host without TLS").contains("could not join", "no answer within 5 s");
        assertThat(ran.coordinatorErr()).as("coordinator").contains("refused a connection at the TLS handshake", "without --tls");
        assertThat(ran.coordinatorErr().lines().filter(l -> l.contains("refused a connection at the TLS handshake"))
                .anyMatch(l -> l.contains("certificate"))).as("coordinator names the bad certificate: " + ran.coordinatorErr()).isTrue();

        TrainingRun.Setup s = job.setup();
        for (Scheme scheme : job.schemes()) {
            TrainingRun.Result net = NetTraining.assemble(s, scheme, ran.outcome().shares().get(scheme.id()), TrainingRun.measureTraffic(s, scheme), 0);
            Engine ref = scheme.centralized() ? Engine.synchronous(s.graph(), NetTraining.params(s, scheme))
                    : Engine.partitioned(s.graph(), Partitioner.split(s.graph(), 3), NetTraining.params(s, scheme));
            TrainingRun.Result mem = NetTraining.assemble(s, scheme, List.of(NetTraining.run(s, scheme, ref, null)), TrainingRun.measureTraffic(s, scheme), 0);
            assertThat(net.epochs()).as(scheme.id()).isEqualTo(mem.epochs());
            // the trained parameters the hosts send back (model.myc): the in-process run's, bit for bit
            var trained = NetTraining.trained(s, scheme, io.mycelium.comm.Partition.split(s.graph(), Partitioner.split(s.graph(), 3)),
                    ran.outcome().trained().get(scheme.id()));
            assertThat(trained.names()).isEqualTo(ref.params().names());
            for (String name : trained.names())
                assertThat(trained.get(name).data()).as(scheme.id() + " " + name).isEqualTo(ref.params().get(name).data());
            if (scheme.centralized()) {
                TrainingRun.Result train = TrainingRun.run(s, scheme, null);
                assertThat(net.epochs()).as("sgd: the train command's bits").isEqualTo(train.epochs());
                for (String name : trained.names()) assertThat(trained.get(name).data()).as("sgd: train's " + name).isEqualTo(train.params().get(name).data());
            }
        }
        long sent = ran.outcome().traffic().stream().mapToLong(Wire.Traffic::sentBytes).sum();
        long received = ran.outcome().traffic().stream().mapToLong(Wire.Traffic::receivedBytes).sum();
        assertThat(sent).as("every halo byte written is read by a peer").isPositive().isEqualTo(received);
    }

    @Test
    void asynchronousInferenceReachesTheSynchronousFixedPointAlsoWithLoss() throws Exception {
        for (double loss : new double[] {0.1, 0}) {
            Job.Infer job = Job.Infer.of("ignn", 2000, 0.05, 4, 1, 1e-10);
            List<HostSpec> hosts = new ArrayList<>();
            for (int i = 0; i < 3; i++) hosts.add(new HostSpec(9, job.hash(), new Faults(i + 1, loss, 0), job));
            Ran ran = run(job, 9, 3, null, hosts, tmp, 0, false);
            assertThat(ran.outcome().failure()).isNull();
            assertThat(ran.outcome().inferred().maxAbsDiff(job.fixedPoint())).as("loss " + loss).isLessThan(1e-6);
            assertThat(ran.outcome().sent()).isPositive();
        }
        Job.Infer gsd = Job.Infer.of("gsdgnn", 300, 0.12, 3, 2, 1e-10);
        List<HostSpec> hosts = new ArrayList<>();
        for (int i = 0; i < 3; i++) hosts.add(new HostSpec(10, gsd.hash(), new Faults(i + 7, 0.1, 2), gsd));
        Ran ran = run(gsd, 10, 3, null, hosts, tmp, 0, false);
        assertThat(ran.outcome().failure()).isNull();
        assertThat(ran.outcome().inferred().maxAbsDiff(gsd.fixedPoint())).as("gsdgnn, 10% loss, delays").isLessThan(1e-6);
    }
}
