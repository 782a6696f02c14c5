package io.mycelium.cli;

import io.mycelium.engine.Engine;
import io.mycelium.net.CoordinatorProcess;
import io.mycelium.net.Faults;
import io.mycelium.net.HostProcess;
import io.mycelium.net.Job;
import io.mycelium.net.Launcher;
import io.mycelium.net.NetSystem;
import io.mycelium.net.NetTraining;
import io.mycelium.net.Partitioner;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hosts lost mid-training, killed (SIGKILL) or paused (SIGSTOP) past the failure detector's
 * threshold, and paused briefly. Each run has one host in a child JVM on 127.0.0.1 (the one
 * killed or paused) and one an actor system in this JVM.
 */
@Timeout(300)
class NetFailureTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noOrphans() { ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly); }

    Path config() throws Exception {
        for (String f : List.of("example-edges.txt", "example-features.csv", "example-labels.csv"))
            Files.copy(TrainCommandTest.EXAMPLES.resolve(f), tmp.resolve(f));
        Path cfg = tmp.resolve("config.yaml");
        Files.writeString(cfg, """
                graph:
                  file: example-edges.txt
                data:
                  features: example-features.csv
                  labels: example-labels.csv
                  test: 0.2
                model:
                  widths: [3, 8, 1]
                  activations: [tanh, sigmoid]
                  shift: normalized-laplacian
                training:
                  schemes: [d-amsgrad]
                  lr: 0.01
                  batch: 30
                  epochs: 60
                  seed: 1
                """);
        return cfg;
    }

    static NetSystem.Options opts(String role, long run, Job job) { return new NetSystem.Options(role, "127.0.0.1", 0, run, job.hash(), null); }

    /** A coordinator in this JVM with one host a child JVM (from {@code launcher}) and one an actor system here. */
    record Started(Future<CoordinatorProcess.Outcome> coordinator, Future<Integer> local, ByteArrayOutputStream err, ByteArrayOutputStream localErr) {}

    static Started start(ExecutorService ex, Job job, long run, Launcher launcher, List<String> hostArgs, Path ck, int every, boolean resume) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Future<CoordinatorProcess.Outcome> coord = ex.submit(() -> CoordinatorProcess.run(opts("coordinator", run, job), job,
                new CoordinatorProcess.Settings(2, launcher, 1, hostArgs, ck, resume, Duration.ofSeconds(200), port::complete), new PrintStream(err, true)));
        int p = port.get(120, TimeUnit.SECONDS);
        ByteArrayOutputStream localErr = new ByteArrayOutputStream();
        Future<Integer> local = ex.submit(() -> HostProcess.run(opts("host", run, job), NetSystem.address("127.0.0.1", p), job,
                new HostProcess.Checkpoints(ck, every), Faults.NONE, Duration.ofSeconds(120), new PrintStream(localErr, true)));
        return new Started(coord, local, err, localErr);
    }

    static void signal(String sig, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor()).as("kill -" + sig).isZero();
    }

    static void await(java.util.function.BooleanSupplier done, int seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean() && System.nanoTime() < end) Thread.sleep(10);
        assertThat(done.getAsBoolean()).as(what).isTrue();
    }

    /**
     * SIGKILL one host after a checkpoint: the coordinator names the lost partition within 10 s and
     * fails. Then resume from the last committed checkpoint with the host JVM paused (SIGSTOP) for
     * less than the failure detector's threshold: the pause only slows the run, which ends on the
     * uninterrupted run's bits.
     */
    @Test
    void aKilledHostStopsTheRunNamingItsPartitionAndResumeEndsOnTheSameBitsThroughAShortPause() throws Exception {
        Path cfg = config(), ck = tmp.resolve("ck");
        Job.Train job = (Job.Train) NetCommand.job(cfg.toString());
        List<String> hostArgs = List.of("--checkpoint-dir", ck.toString(), "--checkpoint-every", "3", cfg.toString());
        Launcher launcher = new Launcher(tmp.resolve("logs")), again = new Launcher(tmp.resolve("logs-resumed"));
        try (ExecutorService ex = Executors.newCachedThreadPool()) {
            Started a = start(ex, job, 5, launcher, hostArgs, ck, 3, false);
            await(() -> Files.exists(ck.resolve("committed")) || a.coordinator().isDone(), 200, "a checkpoint was committed");
            assertThat(Files.exists(ck.resolve("committed"))).as("a checkpoint was committed; coordinator said: " + a.err()).isTrue();
            Process child = launcher.children().getFirst();
            long pid = child.pid();
            child.destroyForcibly(); // SIGKILL
            long killed = System.nanoTime();
            await(() -> a.err().toString().contains("stopping the run"), 60, "the coordinator stops the run");
            double seconds = (System.nanoTime() - killed) / 1e9;
            CoordinatorProcess.Outcome o = a.coordinator().get(60, TimeUnit.SECONDS);
            assertThat(o.failure()).as("coordinator: " + a.err()).matches("lost partition [01]: its host process \\(pid " + pid + "\\) exited with code 137 \\(killed\\)");
            assertThat(seconds).as("reported after").isLessThan(10);
            System.out.printf(java.util.Locale.ROOT, "NetFailureTest: the coordinator named the killed host's partition %.1f s after SIGKILL%n", seconds);
            assertThat(a.local().get(60, TimeUnit.SECONDS)).as("the surviving host stops too").isEqualTo(1);
            int from = Checkpoint_committed(ck);
            assertThat(from).isLessThan(60);

            // resume; the host JVM is paused for 1.5 s, under the failure detector's threshold (3 s heartbeat pause)
            Started b = start(ex, job, 6, again, hostArgs, ck, 3, true);
            await(() -> b.err().toString().contains("running from checkpoints") || b.coordinator().isDone(), 200, "the resumed run starts");
            long paused = again.children().getFirst().pid();
            signal("STOP", paused);
            Thread.sleep(1500);
            signal("CONT", paused);
            assertThat(b.coordinator().isDone()).as("the run was still going when the host was paused").isFalse();
            CoordinatorProcess.Outcome r = b.coordinator().get(200, TimeUnit.SECONDS);
            assertThat(r.failure()).as("resumed run: " + b.err()).isNull();
            assertThat(Checkpoint_committed(ck)).as("the resumed run checkpointed past " + from).isEqualTo(60);
            TrainingRun.Setup s = job.setup();
            Scheme scheme = Scheme.D_AMSGRAD;
            TrainingRun.Result resumed = NetTraining.assemble(s, scheme, r.shares().get(scheme.id()), TrainingRun.measureTraffic(s, scheme), 0);
            Engine ref = Engine.partitioned(s.graph(), Partitioner.split(s.graph(), 2), NetTraining.params(s, scheme));
            TrainingRun.Result whole = NetTraining.assemble(s, scheme, List.of(NetTraining.run(s, scheme, ref, null)), TrainingRun.measureTraffic(s, scheme), 0);
            assertThat(resumed.epochs()).isEqualTo(whole.epochs());
        } finally {
            launcher.killAll();
            again.killAll();
        }
    }

    /** A host JVM paused (SIGSTOP) past the failure detector's threshold is a lost host: the coordinator names its partition and fails. */
    @Test
    void aHostPausedPastTheFailureDetectorsThresholdIsLost() throws Exception {
        Path cfg = config();
        Job.Train job = (Job.Train) NetCommand.job(cfg.toString());
        Launcher launcher = new Launcher(tmp.resolve("logs"));
        try (ExecutorService ex = Executors.newCachedThreadPool()) {
            Started a = start(ex, job, 11, launcher, List.of(cfg.toString()), tmp.resolve("ck"), 0, false);
            await(() -> a.err().toString().contains("running") || a.coordinator().isDone(), 200, "the run starts");
            long pid = launcher.children().getFirst().pid();
            signal("STOP", pid);
            long paused = System.nanoTime();
            try {
                CoordinatorProcess.Outcome o = a.coordinator().get(60, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - paused) / 1e9;
                assertThat(o.failure()).as("coordinator: " + a.err()).matches("lost partition [01]: host Mycelium@127\\.0\\.0\\.1:\\d+ is unreachable \\(failure detector\\)");
                assertThat(seconds).as("detected after").isLessThan(45); // about 5 s; more on a loaded machine, where heartbeats are late too
                System.out.printf(java.util.Locale.ROOT, "NetFailureTest: the coordinator named the paused host's partition %.1f s after SIGSTOP%n", seconds);
                assertThat(a.local().get(60, TimeUnit.SECONDS)).as("the other host stops too").isEqualTo(1);
                int lost = Integer.parseInt(o.failure().substring("lost partition ".length(), "lost partition ".length() + 1));
                assertThat(a.localErr().toString()).as("the paused host's partition is the one named").contains("partition " + (1 - lost) + " failed");
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor(); // if the coordinator has not killed it yet
            }
        } finally {
            launcher.killAll();
        }
    }

    static int Checkpoint_committed(Path ck) throws Exception {
        String line = Files.readAllLines(ck.resolve("committed")).getFirst();
        return Integer.parseInt(line.split(" ")[1]);
    }
}
