package io.mycelium.cli;

import io.mycelium.net.CoordinatorProcess;
import io.mycelium.net.Faults;
import io.mycelium.net.HostProcess;
import io.mycelium.net.Job;
import io.mycelium.net.Launcher;
import io.mycelium.net.NetSystem;
import io.mycelium.net.NetTraining;
import io.mycelium.net.TlsKeys;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "net", mixinStandardHelpOptions = true,
        description = {"Runs the same programs with graph partitions in separate JVMs, here or on other machines.",
                "The networked engine talks over Pekko Cluster / Artery TCP. See docs/networked.md."},
        subcommands = {NetCommand.Run.class, NetCommand.Infer.class, NetCommand.Coordinator.class, NetCommand.HostCmd.class, NetCommand.Keys.class,
                NetCommand.BenchPeer.class})
final class NetCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** A job's words on a host's command line: a train config, or infer:MODEL:NODES:RADIUS:FEATURES:SEED:TOL. */
    static Job job(String words) {
        if (words.startsWith("nodereg:")) { // bench net: Section IV-A's node regression, D-SGD
            String[] f = words.split(":");
            var c = io.mycelium.task.NodeRegression.Config.paper().withEpochs(Integer.parseInt(f[1])).withSeed(Long.parseLong(f[2]));
            var p = io.mycelium.task.NodeRegression.build(c);
            return new Job.Train(new TrainingRun.Setup(p.graph(), io.mycelium.graph.ShiftOperator.NORMALIZED_LAPLACIAN, p.student(), p.init(), p.train(),
                    p.test(), c.batch(), c.lr(), c.epochs(), c.consensusRounds(), c.seed()), List.of(Scheme.D_SGD), words);
        }
        if (words.startsWith("infer:")) {
            String[] f = words.split(":");
            if (f.length != 7) throw new Main.UserError("JOB: expected infer:MODEL:NODES:RADIUS:FEATURES:SEED:TOL, got '" + words + "'");
            try {
                return Job.Infer.of(f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), Integer.parseInt(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6]));
            } catch (NumberFormatException e) {
                throw new Main.UserError("JOB: bad number in '" + words + "': " + e.getMessage());
            }
        }
        TrainConfig cfg = TrainConfig.load(Path.of(words));
        if (cfg.gcnnPath() && cfg.graph().moving() != null) // other models and tasks: refused by prepare, naming them
            throw new Main.UserError(cfg.file() + ": graph.moving: a new graph every mini-batch needs the synchronous engine; 'net run' trains on a static graph");
        TrainCommand.Prepared p = TrainCommand.prepare(cfg);
        return new Job.Train(p.setup(), cfg.training().schemes(), configHash(cfg));
    }

    static String inferWords(Job.Infer j) {
        return String.join(":", "infer", j.model(), Integer.toString(j.nodes()), Double.toString(j.radius()), Integer.toString(j.features()),
                Long.toString(j.seed()), Double.toString(j.tol()));
    }

    /** SHA-256 of the config file and every file it reads (graph, features, labels). */
    static String configHash(TrainConfig cfg) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            List<Path> files = new ArrayList<>(List.of(cfg.file(), cfg.data().features(), cfg.data().labels()));
            if (cfg.graph().file() != null) files.add(cfg.graph().file());
            for (Path f : files) d.update(Files.readAllBytes(f));
            return HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (Exception e) {
            throw new Main.UserError("cannot hash the config's files: " + e.getMessage());
        }
    }

    /** Fault injection and the join timeout (every command that runs a job). */
    static final class Common {
        @Option(names = "--loss", description = "probability that an asynchronous message is dropped (seeded; default 0)")
        double loss;
        @Option(names = "--delay-ms", description = "hold every message for a seeded 0..D ms (default 0)")
        int delayMs;
        @Option(names = "--fault-seed", description = "seed of the injected loss and delay (default 1)")
        long faultSeed = 1;
        @Option(names = "--join-timeout", description = "seconds to wait for the hosts to join, and a host for its admission (default 180)")
        int joinTimeout = 180;

        Faults faults() {
            if (joinTimeout < 1) throw new Main.UserError("--join-timeout: must be at least 1 s, got " + joinTimeout);
            try {
                return new Faults(faultSeed, loss, delayMs);
            } catch (IllegalArgumentException e) {
                throw new Main.UserError("--loss/--delay-ms: " + e.getMessage());
            }
        }

        List<String> words() {
            return List.of("--loss", Double.toString(loss), "--delay-ms", Integer.toString(delayMs), "--fault-seed", Long.toString(faultSeed),
                    "--join-timeout", Integer.toString(joinTimeout));
        }
    }

    /** Where results go (net run, net infer, net coordinator). */
    static final class Output {
        @Option(names = "--out", description = "output directory ('net run': default the config's 'output'; 'net infer': summary.json only)")
        Path out;
        @Option(names = "--force", description = "replace a non-empty output directory")
        boolean force;
    }

    /** Where a host writes its checkpoints and how often (net run, net coordinator, net host). */
    static final class Checkpoints {
        @Option(names = "--checkpoint-every", description = "epochs between checkpoints (default 0: none)")
        int every;
        @Option(names = "--checkpoint-dir", description = "where checkpoints go, on every machine (default: 'net run' <out>.checkpoints, else net-checkpoints)")
        Path dir;

        Path dir(Path otherwise) { return dir != null ? dir : otherwise; }
    }

    /** Checkpoints, and continuing from them (net run, net coordinator). */
    static final class Restart {
        @Mixin
        Checkpoints ck;
        @Option(names = "--resume", description = "continue from the last committed checkpoint")
        boolean resume;
    }

    /** The address a process binds and announces, and its TLS material (net coordinator, net host). */
    static final class Endpoint {
        @Option(names = "--listen", paramLabel = "HOST[:PORT]", description = "address to bind and announce (default 127.0.0.1; port: coordinator 25520, host any free one)")
        String listen = "127.0.0.1";
        @Option(names = "--tls", paramLabel = "DIR", description = "directory made by 'net keys' (mutual TLS; required beyond 127.0.0.1)")
        Path tls;

        /** {@code [host, port]}, the port {@code otherwise} when not given. */
        String[] hostPort(int otherwise) { return listen.contains(":") ? NetCommand.hostPort(listen, "--listen") : new String[] {listen, Integer.toString(otherwise)}; }
    }

    /** Runs a job as coordinator (with local children when {@code launch}) and writes/prints its results. */
    static int coordinate(Job job, String jobWords, int procs, boolean launch, String host, int port, Path tls, Common c, Path out, boolean force,
                          Path ckDir, Restart restart) throws Exception {
        int ckEvery = restart == null ? 0 : restart.ck.every;
        boolean resume = restart != null && restart.resume;
        if (procs < 1 || procs > job.graph().n()) throw new Main.UserError("--procs: must be in 1.." + job.graph().n() + ", got " + procs);
        if (ckEvery < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + ckEvery);
        if (resume && !Files.isRegularFile(ckDir.resolve("committed")))
            throw new Main.UserError("--resume: no committed checkpoint in " + ckDir + " (run with --checkpoint-every K first)");
        if (out != null) OutputDir.validate(out, force);
        c.faults();
        long runId = new SecureRandom().nextLong() & Long.MAX_VALUE;
        List<String> hostArgs = new ArrayList<>(c.words());
        if (job instanceof Job.Train) hostArgs.addAll(List.of("--checkpoint-dir", ckDir.toAbsolutePath().toString(), "--checkpoint-every", Integer.toString(ckEvery)));
        if (tls != null) hostArgs.addAll(List.of("--tls", tls.toString()));
        hostArgs.add(jobWords);
        Launcher launcher = launch ? new Launcher(Files.createTempDirectory("mycelium-net-"), procs) : null;
        NetSystem.Options o;
        try {
            o = new NetSystem.Options("coordinator", host, port, runId, job.hash(), tls);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        long t0 = System.nanoTime();
        CoordinatorProcess.Outcome r = CoordinatorProcess.run(o, job, new CoordinatorProcess.Settings(procs, launcher, launch ? procs : 0, hostArgs, ckDir, resume,
                Duration.ofSeconds(c.joinTimeout), null), System.err);
        double wall = (System.nanoTime() - t0) / 1e9;
        if (r.failure() != null) {
            System.err.println("mycelium: net: " + r.failure() + (launcher != null ? " (host logs: " + launcher.logs() + ")" : "")
                    + (ckEvery > 0 && job instanceof Job.Train ? "; continue from the last checkpoint with --resume" : ""));
            return 1;
        }
        if (launcher != null) launcher.deleteLogs();
        List<Map<String, Object>> traffic = new ArrayList<>();
        for (var t : r.traffic()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("partition", t.partition());
            m.put("pid", t.pid());
            m.put("sentMessages", t.sentMessages());
            m.put("sentBytes", t.sentBytes());
            m.put("receivedMessages", t.receivedMessages());
            m.put("receivedBytes", t.receivedBytes());
            traffic.add(m);
        }
        traffic.sort(java.util.Comparator.comparing(m -> (Integer) m.get("partition")));
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("procs", procs);
        net.put("partitioner", "breadth-first blocks refined for communication volume (Partitioner.split)");
        net.put("faults", RunFiles.ordered("loss", c.loss, "delayMs", c.delayMs, "seed", c.faultSeed));
        net.put("trafficMeasuredAt", "RowSerializer (halo rows, latest values, credits; Artery's envelope and control traffic not included)");
        net.put("perProcess", traffic);
        switch (job) {
            case Job.Train t -> {
                List<TrainingRun.Result> results = new ArrayList<>();
                List<io.mycelium.comm.Partition> parts = io.mycelium.comm.Partition.split(t.graph(), io.mycelium.net.Partitioner.split(t.graph(), procs));
                for (Scheme s : t.schemes()) {
                    TrainingRun.Result m = NetTraining.assemble(t.setup(), s, r.shares().get(s.id()), TrainingRun.measureTraffic(t.setup(), s), r.seconds());
                    // with the trained model, so that model.myc is written as 'train' writes it
                    results.add(new TrainingRun.Result(m.scheme(), m.epochs(), m.perMinibatch(), m.seconds(), m.topologies(), t.setup().model(),
                            NetTraining.trained(t.setup(), s, parts, r.trained().get(s.id()))));
                }
                if (out != null) {
                    TrainCommand.Prepared p = new TrainCommand.Prepared(TrainConfig.load(Path.of(jobWords)), t.graph(), t.setup().train(), t.setup().test(), t.setup());
                    TrainCommand.write(out, p, "net run", results, wall, Map.of("net", net));
                } else {
                    for (TrainingRun.Result res : results)
                        System.out.printf(Locale.ROOT, "%-11s train MSE %.8g  test MSE %.8g%n", res.scheme().id(), res.last().trainMse(), res.last().testMse());
                }
            }
            case Job.Infer inf -> {
                double diff = r.inferred().maxAbsDiff(inf.fixedPoint());
                System.out.printf(Locale.ROOT, "async %s on %d nodes over %d processes: %d steps, %d messages, %.1f s; max |h - h_sync| = %.3e%n",
                        inf.model(), inf.nodes(), procs, r.steps(), r.sent(), r.seconds(), diff);
                if (out != null) {
                    net.put("maxAbsDiffToSynchronousFixedPoint", diff);
                    net.put("steps", r.steps());
                    net.put("messages", r.sent());
                    net.put("seconds", r.seconds());
                    net.put("job", jobWords);
                    try (OutputDir dir = OutputDir.open(out)) {
                        new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                                .writeValue(dir.dir().resolve("summary.json").toFile(), net);
                        dir.commit();
                    }
                }
            }
        }
        System.out.printf("%-9s %8s %14s %14s %14s %14s%n", "partition", "pid", "sent msgs", "sent bytes", "recv msgs", "recv bytes");
        for (var t : traffic)
            System.out.printf(Locale.ROOT, "%-9d %8d %14d %14d %14d %14d%n", t.get("partition"), t.get("pid"), t.get("sentMessages"), t.get("sentBytes"),
                    t.get("receivedMessages"), t.get("receivedBytes"));
        return 0;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Trains a 'train' config with its graph split over N host JVMs on this machine.",
                    "The hosts listen on 127.0.0.1 (free ports) and this JVM coordinates; writes what 'train' writes plus per-process traffic (summary.json 'net')."})
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CONFIG.yaml", description = "a 'train' configuration (docs/train-config.md)")
        Path config;
        @Option(names = "--procs", required = true, description = "host processes (= partitions)")
        int procs;
        @Mixin
        Output output;
        @Mixin
        Restart restart;
        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            Job job = job(config.toString());
            Path target = output.out != null ? output.out : TrainConfig.load(config).output();
            Path ck = restart.ck.dir(target.toAbsolutePath().resolveSibling(target.getFileName() + ".checkpoints"));
            return coordinate(job, config.toAbsolutePath().toString(), procs, true, "127.0.0.1", 0, null, common, target, output.force, ck, restart);
        }
    }

    @Command(name = "infer", mixinStandardHelpOptions = true,
            description = {"Runs asynchronous inference of an implicit GNN with its graph split over N host JVMs on this machine.",
                    "Parameters and features are seeded, the graph is a random geometric graph; prints the distance to the synchronous fixed point."})
    static final class Infer implements Callable<Integer> {
        @Option(names = "--procs", description = "host processes (default 3)")
        int procs = 3;
        @Option(names = "--model", description = "ignn or gsdgnn (default ignn)")
        String model = "ignn";
        @Option(names = "--nodes", description = "nodes of the random geometric graph (default 2000)")
        int nodes = 2000;
        @Option(names = "--radius", description = "its connection radius in the unit square (default 0.05)")
        double radius = 0.05;
        @Option(names = "--features", description = "input features per node (default 4)")
        int features = 4;
        @Option(names = "--seed", description = "graph, features and parameters (default 1)")
        long seed = 1;
        @Option(names = "--tol", description = "a partition is quiet once its steps change no entry by more than this (default 1e-10)")
        double tol = 1e-10;
        @Mixin
        Output output;
        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            Job.Infer j;
            try {
                j = Job.Infer.of(model, nodes, radius, features, seed, tol);
            } catch (IllegalArgumentException e) {
                throw new Main.UserError(e.getMessage());
            }
            return coordinate(j, inferWords(j), procs, true, "127.0.0.1", 0, null, common, output.out, output.force, Path.of("."), null);
        }
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true,
            description = {"Coordinates a run whose hosts start on other machines ('net host --join'); prints the host command.",
                    "JOB: a train config, or infer:MODEL:NODES:RADIUS:FEATURES:SEED:TOL. Beyond 127.0.0.1, --tls is required."})
    static final class Coordinator implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB", description = "a train config, or infer:MODEL:NODES:RADIUS:FEATURES:SEED:TOL")
        String job;
        @Option(names = "--expect", required = true, description = "host processes to wait for (= partitions)")
        int expect;
        @Mixin
        Endpoint endpoint;
        @Mixin
        Output output;
        @Mixin
        Restart restart;
        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            Job j = job(job);
            String[] hp = endpoint.hostPort(25520);
            String words = j instanceof Job.Infer inf ? inferWords(inf) : Path.of(job).toAbsolutePath().toString();
            return coordinate(j, words, expect, false, hp[0], Integer.parseInt(hp[1]), endpoint.tls, common, output.out, output.force,
                    restart.ck.dir(Path.of("net-checkpoints")), restart);
        }
    }

    @Command(name = "host", mixinStandardHelpOptions = true,
            description = {"Runs one partition of a coordinator's run.",
                    "JOB must be the coordinator's (same config files: the hash is checked at join), as must --run-id and the TLS material."})
    static final class HostCmd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "JOB", description = "the coordinator's JOB, exactly as given there")
        String job;
        @Option(names = "--join", required = true, description = "the coordinator's HOST:PORT")
        String join;
        @Option(names = "--run-id", required = true, description = "the run id the coordinator printed")
        long runId;
        @Mixin
        Endpoint endpoint;
        @Mixin
        Checkpoints ck;
        @Option(names = "--with-parent", hidden = true, description = "exit when stdin closes (set by the local launcher)")
        boolean withParent;
        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            if (withParent) Launcher.exitWithParent();
            if (ck.every < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + ck.every);
            Job j = job(job);
            String[] hp = hostPort(join, "--join"), me = endpoint.hostPort(0);
            NetSystem.Options o;
            try {
                o = new NetSystem.Options("host", me[0], Integer.parseInt(me[1]), runId, j.hash(), endpoint.tls);
            } catch (IllegalArgumentException e) {
                throw new Main.UserError(e.getMessage());
            }
            return HostProcess.run(o, NetSystem.address(hp[0], Integer.parseInt(hp[1])), j, new HostProcess.Checkpoints(ck.dir(Path.of("net-checkpoints")), ck.every), common.faults(),
                    Duration.ofSeconds(common.joinTimeout), System.err);
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = {"Makes the TLS material for a run across machines, with the JDK's keytool.",
                    "A run CA, one certificate it signs that every process presents, and a trust store holding only that CA. Copy DIR (without DIR/ca) to every machine."})
    static final class Keys implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "directory to create")
        Path out;
        @Option(names = "--days", description = "validity (default 30)")
        int days = 30;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out) && (!Files.isDirectory(out) || Files.list(out).findAny().isPresent()))
                throw new Main.UserError("--out: " + out + " exists and is not empty");
            if (days < 1) throw new Main.UserError("--days: must be at least 1, got " + days);
            TlsKeys.make(out, days);
            System.out.println("TLS material in " + out + " (the CA's key is in " + out.resolve("ca") + ": keep it off the hosts)");
            return 0;
        }
    }

    @Command(name = "bench-peer", hidden = true, description = "The sending JVM of 'bench net'.")
    static final class BenchPeer implements Callable<Integer> {
        @Option(names = "--join", required = true, description = "HOST:PORT of the measuring JVM")
        String join;
        @Option(names = "--widths", split = ",", required = true, description = "row widths to send, in doubles")
        List<Integer> widths;
        @Option(names = "--warmup", required = true, description = "untimed seconds per stream, first")
        double warmup;
        @Option(names = "--seconds", required = true, description = "timed seconds per stream")
        double seconds;
        @Option(names = "--rounds", required = true, description = "synchronous rounds after the streams (warm-up included)")
        int rounds;
        @Option(names = "--round-width", required = true, description = "doubles each way per round")
        int roundWidth;

        @Override
        public Integer call() throws Exception {
            Launcher.exitWithParent();
            String[] hp = hostPort(join, "--join");
            var system = NetSystem.start(new NetSystem.Options("host", "127.0.0.1", 0, io.mycelium.net.NetBench.RUN_ID, "bench", null));
            try {
                NetSystem.join(system, NetSystem.address(hp[0], Integer.parseInt(hp[1])));
                if (!NetSystem.awaitUp(system, Duration.ofSeconds(120))) return 1;
                var sink = NetSystem.address(hp[0], Integer.parseInt(hp[1]));
                var peer = new io.mycelium.net.NetBench.Peer(system);
                io.mycelium.net.NetBench.stream(system, sink, widths, warmup, seconds);
                peer.rounds(sink, roundWidth, rounds);
                Thread.sleep(1000);
                return 0;
            } finally {
                system.terminate();
            }
        }
    }

    static String[] hostPort(String s, String option) {
        int c = s.lastIndexOf(':');
        if (c <= 0 || c == s.length() - 1) throw new Main.UserError(option + ": expected HOST:PORT, got '" + s + "'");
        try {
            int port = Integer.parseInt(s.substring(c + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException("out of range");
        } catch (NumberFormatException e) {
            throw new Main.UserError(option + ": bad port in '" + s + "'");
        }
        return new String[] {s.substring(0, c), s.substring(c + 1)};
    }
}
