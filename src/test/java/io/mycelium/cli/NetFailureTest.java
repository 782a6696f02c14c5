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
 * A host JVM killed with SIGKILL mid-training: the coordinator names the lost partition within 10 s
 * and fails; a resumed run from the last committed checkpoint ends on the uninterrupted run's bits.
 * One host is a child JVM on 127.0.0.1 (the one killed); the other and the resumed run's hosts are
 * actor systems in this JVM.
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

    @Test
    void aKilledHostStopsTheRunNamingItsPartitionAndResumeEndsOnTheSameBits() throws Exception {
        Path cfg = config(), ck = tmp.resolve("ck");
        Job.Train job = (Job.Train) NetCommand.job(cfg.toString());
        List<String> hostArgs = List.of("--checkpoint-dir", ck.toString(), "--checkpoint-every", "3", cfg.toString());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Launcher launcher = new Launcher(tmp.resolve("logs"));
        try (ExecutorService ex = Executors.newCachedThreadPool()) {
            Future<CoordinatorProcess.Outcome> coord = ex.submit(() -> CoordinatorProcess.run(opts("coordinator", 5, job), job,
                    new CoordinatorProcess.Settings(2, launcher, 1, hostArgs, ck, false, Duration.ofSeconds(200), port::complete), new PrintStream(err, true)));
            int p = port.get(120, TimeUnit.SECONDS);
            Future<Integer> local = ex.submit(() -> HostProcess.run(opts("host", 5, job), NetSystem.address("127.0.0.1", p), job,
                    new HostProcess.Checkpoints(ck, 3), Faults.NONE, Duration.ofSeconds(120), new PrintStream(new ByteArrayOutputStream(), true)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(200);
            while (!Files.exists(ck.resolve("committed")) && System.nanoTime() < end && !coord.isDone()) Thread.sleep(20);
            assertThat(Files.exists(ck.resolve("committed"))).as("a checkpoint was committed; coordinator said: " + err).isTrue();
            Process child = launcher.children().getFirst();
            long pid = child.pid();
            child.destroyForcibly(); // SIGKILL
            long killed = System.nanoTime();
            while (!err.toString().contains("stopping the run") && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(60)) Thread.sleep(10);
            double seconds = (System.nanoTime() - killed) / 1e9;
            CoordinatorProcess.Outcome o = coord.get(60, TimeUnit.SECONDS);
            assertThat(o.failure()).as("coordinator: " + err).matches("lost partition [01]: its host process \\(pid " + pid + "\\) exited with code 137 \\(killed\\)");
            assertThat(seconds).as("reported after").isLessThan(10);
            assertThat(err.toString()).contains("stopping the run", "lost partition");
            assertThat(local.get(60, TimeUnit.SECONDS)).as("the surviving host stops too").isEqualTo(1);
            assertThat(Checkpoint_committed(ck)).isLessThan(60);

            // resume with two hosts in this JVM: the uninterrupted run's bits
            CompletableFuture<Integer> port2 = new CompletableFuture<>();
            Future<CoordinatorProcess.Outcome> again = ex.submit(() -> CoordinatorProcess.run(opts("coordinator", 6, job), job,
                    new CoordinatorProcess.Settings(2, null, 0, List.of(), ck, true, Duration.ofSeconds(200), port2::complete), new PrintStream(err, true)));
            int p2 = port2.get(120, TimeUnit.SECONDS);
            for (int h = 0; h < 2; h++)
                ex.submit(() -> HostProcess.run(opts("host", 6, job), NetSystem.address("127.0.0.1", p2), job, new HostProcess.Checkpoints(ck, 3), Faults.NONE,
                        Duration.ofSeconds(120), new PrintStream(new ByteArrayOutputStream(), true)));
            CoordinatorProcess.Outcome r = again.get(200, TimeUnit.SECONDS);
            assertThat(r.failure()).as("resumed run: " + err).isNull();
            TrainingRun.Setup s = job.setup();
            Scheme scheme = Scheme.D_AMSGRAD;
            TrainingRun.Result resumed = NetTraining.assemble(s, scheme, r.shares().get(scheme.id()), TrainingRun.measureTraffic(s, scheme), 0);
            Engine ref = Engine.partitioned(s.graph(), Partitioner.bfs(s.graph(), 2), NetTraining.params(s, scheme));
            TrainingRun.Result whole = NetTraining.assemble(s, scheme, List.of(NetTraining.run(s, scheme, ref, null)), TrainingRun.measureTraffic(s, scheme), 0);
            assertThat(resumed.epochs()).isEqualTo(whole.epochs());
        } finally {
            launcher.killAll();
        }
    }

    static int Checkpoint_committed(Path ck) throws Exception {
        String line = Files.readAllLines(ck.resolve("committed")).getFirst();
        return Integer.parseInt(line.split(" ")[1]);
    }
}
