package io.mycelium.cli;

import io.mycelium.engine.Engine;
import io.mycelium.task.NodeRegression;
import io.mycelium.train.Scheme;
import io.mycelium.train.TableI;
import io.mycelium.train.Trainer;
import io.mycelium.train.TrainingDiverged;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The main job: a small node-regression GCNN trained fully distributed (one parameter copy per
 * node, consensus with Metropolis–Hastings weights) with the paper's per-sample, piggybacked
 * schedule, so the printed message counts are what real devices would send.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Trains a small GCNN fully distributed on a 20-node Barabási–Albert graph.",
                "Writes metrics.csv (step, rounds, messages, bytes, train and test MSE) and loss.png to --out, replaced on every run."})
final class DemoCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--nodes", defaultValue = "20", description = "graph size (default ${DEFAULT-VALUE})")
    int nodes;
    @Option(names = "--steps", defaultValue = "300", description = "mini-batch steps (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--batch", defaultValue = "10", description = "samples per mini-batch (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--scheme", defaultValue = "d-amsgrad", description = "training scheme: sgd, adam, d-naive, d-naive-batch, d-naive-pb, d-sgd, d-adam, d-amsgrad or d-amsgrad-tracker-first (default ${DEFAULT-VALUE})")
    String schemeName;
    @Option(names = "--lr", defaultValue = "0.01", description = "learning rate (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--engine", defaultValue = "synchronous", description = "synchronous (all nodes in one host) or per-node (one host per node) (default ${DEFAULT-VALUE})")
    String engine;
    @Option(names = "--seed", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "results/demo", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        Scheme scheme;
        try {
            scheme = Scheme.parse(schemeName);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--scheme: " + e.getMessage());
        }
        if (nodes < 3) throw new Main.UserError("--nodes must be at least 3");
        if (steps < 1) throw new Main.UserError("--steps must be at least 1");
        if (batch < 1) throw new Main.UserError("--batch must be at least 1");
        if (!(lr > 0)) throw new Main.UserError("--lr must be positive");
        if (!engine.equals("synchronous") && !engine.equals("per-node"))
            throw new Main.UserError("--engine must be 'synchronous' or 'per-node', got '" + engine + "'");
        OutputDir.Target target = OutputDir.Target.of(spec, out);
        OutputDir.validate(target, true);  // the demo replaces its own earlier results

        int train = Math.max(batch, 200);
        NodeRegression.Config cfg = new NodeRegression.Config(nodes, 2, 8, train, 100, batch, lr, 1, 0.1, 1, seed);
        NodeRegression.Problem p = NodeRegression.build(cfg);
        var params = scheme.centralized() ? p.init().copy() : p.init().perNode(p.graph().n());
        if (scheme.centralized() && engine.equals("per-node"))
            throw new Main.UserError(scheme.id() + " is centralized training; it runs on the synchronous engine only");
        Engine e = engine.equals("per-node") ? Engine.perNode(p.graph(), params) : Engine.synchronous(p.graph(), params);
        Trainer trainer = new Trainer(e, p.student(), scheme, lr, p.consensus(), 1);

        System.out.printf(Locale.ROOT, "demo: %s on %s (%d nodes, %d edges), GCNN 10->8->1, %s engine, B=%d, lr=%g, %d steps%n",
                scheme.id(), "BA(m=2)", p.graph().n(), p.graph().edgeCount(), engine, batch, lr, steps);
        List<double[]> rows = new ArrayList<>();
        double first = trainer.meanSquaredError(p.test());
        rows.add(new double[] {0, 0, 0, 0, trainer.meanSquaredError(p.train()), first});
        int[] order = new int[train];
        for (int q = 0; q < train; q++) order[q] = q;
        var shuffle = io.mycelium.tensor.Init.rng(seed * 31 + 7);
        long t0 = System.nanoTime();
        long rounds = 0, messages = 0, bytes = 0;
        try (ProgressBar bar = Progress.bar("demo", steps)) {
            int pos = train, epoch = 0, perEpoch = train / batch;
            for (int s = 1; s <= steps; s++) {
                if (pos + batch > train) {
                    epoch++;
                    for (int q = train - 1; q > 0; q--) {
                        int r = shuffle.nextInt(q + 1), tmp = order[q];
                        order[q] = order[r];
                        order[r] = tmp;
                    }
                    pos = 0;
                }
                int[] mb = java.util.Arrays.copyOfRange(order, pos, pos + batch);
                pos += batch;
                Trainer.Step st = trainer.perSample(p.train(), mb);
                // training traffic only: evaluating the test set below sends messages too
                rounds += st.traffic().rounds();
                messages += st.traffic().messages();
                bytes += st.traffic().bytes();
                if (!Double.isFinite(st.sumSquaredError()))
                    throw new TrainingDiverged(scheme.id(), epoch, pos / batch, perEpoch, "training loss", st.sumSquaredError(), lr);
                double trainMse = st.sumSquaredError() / ((double) batch * p.graph().n());
                boolean tested = s % 10 == 0 || s == steps;
                double testMse = tested ? trainer.meanSquaredError(p.test()) : Double.NaN;
                if (tested && !Double.isFinite(testMse))
                    throw new TrainingDiverged(scheme.id(), epoch, pos / batch, perEpoch, "test MSE", testMse, lr);
                rows.add(new double[] {s, rounds, messages, bytes, trainMse, testMse});
                bar.step();
                if (!Double.isNaN(testMse)) bar.setExtraMessage(String.format(Locale.ROOT, " test MSE %.4f", testMse));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double last = rows.getLast()[5];

        try (OutputDir dir = OutputDir.open(target, true)) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.dir().resolve("metrics.csv")))) {
                w.println("step,rounds,messages,bytes,train_mse,test_mse");
                for (double[] r : rows)
                    w.printf(Locale.ROOT, "%d,%d,%d,%d,%.8g,%s%n", (long) r[0], (long) r[1], (long) r[2], (long) r[3], r[4],
                            Double.isNaN(r[5]) ? "" : String.format(Locale.ROOT, "%.8g", r[5]));
            }
            List<double[]> tested = rows.stream().filter(r -> !Double.isNaN(r[5])).toList();
            Charts.lines(dir.dir().resolve("loss.png"), "Demo: " + scheme.id() + " on BA(" + nodes + ", 2), per-node parameter copies",
                    "mini-batch step", "MSE", true, List.of(
                            new Charts.Series("train (mini-batch)", rows.stream().mapToDouble(r -> r[0]).toArray(), rows.stream().mapToDouble(r -> r[4]).toArray()),
                            new Charts.Series("test", tested.stream().mapToDouble(r -> r[0]).toArray(), tested.stream().mapToDouble(r -> r[5]).toArray())));
            dir.commit();
        }
        System.out.printf(Locale.ROOT, "test MSE %.5f -> %.5f (noise floor 0.01) in %.1f s%n", first, last, seconds);
        TableI.Row row = switch (scheme) {
            case SGD, ADAM -> TableI.Row.FWD_ONLY; // centralized training: only the forward passes are charged, as in Fig. 2(a)
            case D_NAIVE -> TableI.Row.D_NAIVE;
            case D_NAIVE_BATCH -> TableI.Row.PER_BATCH;
            case D_NAIVE_PB -> TableI.Row.PIGGYBACK;
            case D_SGD, D_ADAM, D_AMSGRAD, D_AMSGRAD_TRACKER_FIRST -> TableI.Row.DIST_OPT;
        };
        System.out.printf(Locale.ROOT, "training communication: %d rounds (%.1f per mini-batch; Table I: %s = %d), %d messages, %d bytes%n",
                rounds, rounds / (double) steps, row.roundsFormula, row.rounds(2, batch, 1), messages, bytes);
        System.out.println("wrote " + out.resolve("metrics.csv") + " and " + out.resolve("loss.png"));
        return 0;
    }
}
