package io.mycelium.cli;

import io.mycelium.engine.AsyncSchedule;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.LayeredModel;
import io.mycelium.task.CsvDataset;
import io.mycelium.task.Inference;
import io.mycelium.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Runs a saved model with hogwild (partially asynchronous) inference and reports its convergence and how far its outputs move from synchronous inference.",
                "Each node updates 1..S ticks after its last update and views each neighbour as of at most D ticks back (the hogwild paper's Algorithm 1), optionally losing messages. Implicit models (IGNN, GSDGNN, energy GNNs) iterate to their fixed point and should reach the synchronous answer; explicit ones (GCNN, GCN, GAT) run their layers once with whatever their neighbours last sent, and their outputs change. With --labels the change of the metric (MSE for one output, error rate for class scores) is reported too."})
final class InferCommand implements Callable<Integer> {
    @Mixin
    ModelRunOptions in;
    @Option(names = "--labels", paramLabel = "CSV", description = "Node labels 'sample,node,y' for the same samples: report the metric under both inferences.")
    Path labels;
    @Option(names = "--stagger", defaultValue = "4", description = "S: a node's next update comes 1..S ticks after its last (default ${DEFAULT-VALUE}).")
    int stagger;
    @Option(names = "--history", defaultValue = "3", description = "D: an update views each neighbour as of a tick at most D back (default ${DEFAULT-VALUE}).")
    int history;
    @Option(names = "--loss", defaultValue = "0", paramLabel = "P", description = "Probability that a message is lost (default ${DEFAULT-VALUE}).")
    double loss;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the asynchronous schedule; sample s uses seed + s (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", paramLabel = "FILE", description = "Also write the asynchronous outputs as CSV lines 'sample,node,y1,...' to this file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (stagger < 1) throw new Main.UserError("--stagger must be at least 1, got " + stagger);
        if (history < 0) throw new Main.UserError("--history must be at least 0, got " + history);
        if (!(loss >= 0 && loss < 1)) throw new Main.UserError("--loss must be in [0, 1), got " + loss);
        ModelRun run = in.load(out);
        if (labels != null && run.model().graphReadout() != null)
            throw new Main.UserError("--labels: " + in.model + " predicts one row per graph (a graph readout); --labels takes node labels");
        Tensor y = labels == null ? null : CsvDataset.read(in.features, labels, run.graph().n()).y();
        boolean implicit = run.trainable() instanceof ImplicitModel;
        String mode = implicit ? "implicit: iterated to its fixed point"
                : run.trainable() instanceof LayeredModel ? "explicit: one layer per update, Algorithm 1"
                : "explicit, layer-matched: its layers differ in width, so each update runs every layer on the neighbours' values of that layer";
        AsyncSchedule async = AsyncSchedule.of(stagger, history, seed).withLoss(loss);
        Inference.Result sync = Inference.run(run.trainable(), run.graph(), run.model().params(), run.features(), AsyncSchedule.synchronous(), in.tol, in.maxTicks);
        Inference.Result hog = Inference.run(run.trainable(), run.graph(), run.model().params(), run.features(), async, in.tol, in.maxTicks);
        Tensor syncOut = run.outputs(sync), hogOut = run.outputs(hog);
        if (out != null) run.write(hogOut, out, "infer");

        int samples = run.features().dim(1);
        System.out.printf(Locale.ROOT, "%s: %s model (%s), %d samples x %d nodes; S = %d, D = %d, loss %.3g, seed %d%n", in.model,
                run.model().spec().toJson().get("type").asText(), mode, samples, run.graph().n(), stagger, history, loss, seed);
        System.out.printf(Locale.ROOT, "%-13s %12s %12s %12s %13s%n", "inference", "ticks(mean)", "ticks(max)", "unconverged", implicit ? "residual" : "");
        for (var row : new Object[][] {{"synchronous", sync}, {"asynchronous", hog}}) {
            Inference.Result r = (Inference.Result) row[1];
            System.out.printf(Locale.ROOT, "%-13s %12.1f %12d %12d %13s%n", row[0], r.meanTicks(), r.maxTicks(), r.unconverged(),
                    implicit ? String.format(Locale.ROOT, "%.3e", r.maxResidual()) : "");
        }
        double[] d = absDiff(hogOut, syncOut);
        System.out.printf(Locale.ROOT, (run.model().graphReadout() == null ? "" : "graph-level ") + "change of the outputs from synchronous: max |diff| %.3e, mean |diff| %.3e%n", d[0], d[1]);
        System.out.printf(Locale.ROOT, "staleness of the values read: mean %.2f ticks, max %d%n", hog.meanStaleness(), hog.maxStaleness());
        if (y != null) {
            String name = syncOut.dim(2) == 1 ? "MSE" : "error rate";
            double ms = metric(syncOut, y), ma = metric(hogOut, y);
            System.out.printf(Locale.ROOT, "%s: synchronous %.6g, asynchronous %.6g, change %+.3g%n", name, ms, ma, ma - ms);
        }
        if (hog.unconverged() > 0 && implicit)
            System.out.println("note: " + hog.unconverged() + " asynchronous runs used the whole --max-ticks " + in.maxTicks + " without converging");
        if (out != null) System.out.println("asynchronous outputs -> " + out);
        return 0;
    }

    /** Largest and mean absolute difference. */
    static double[] absDiff(Tensor a, Tensor b) {
        double max = 0, sum = 0;
        for (int q = 0; q < a.size(); q++) {
            double d = Math.abs(a.data()[q] - b.data()[q]);
            max = Math.max(max, d);
            sum += d;
        }
        return new double[] {max, sum / a.size()};
    }

    /**
     * MSE of one output per node against {@code y} ({@code [nodes, samples]}); with several outputs,
     * the error rate of the arg-max class against the label as a class index.
     */
    static double metric(Tensor out, Tensor y) {
        int n = out.dim(0), samples = out.dim(1), k = out.dim(2);
        double s = 0;
        for (int i = 0; i < n; i++)
            for (int q = 0; q < samples; q++) {
                int row = i * samples + q;
                double t = y.data()[row];
                if (k == 1) s += (out.data()[row] - t) * (out.data()[row] - t);
                else {
                    int best = 0;
                    for (int c = 1; c < k; c++) if (out.data()[row * k + c] > out.data()[row * k + best]) best = c;
                    s += best == (int) t ? 0 : 1;
                }
            }
        return s / ((double) n * samples);
    }
}
