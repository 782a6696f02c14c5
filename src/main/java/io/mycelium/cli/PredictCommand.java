package io.mycelium.cli;

import io.mycelium.engine.AsyncSchedule;
import io.mycelium.task.Inference;
import io.mycelium.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Runs a saved model (a .myc file written by train or a reproduction) synchronously on a graph and node features.",
                "Every node uses its own parameter copy when the model has one per node (then the graph must be the one it was trained on); a model with tied parameters runs on any graph. Writes the outputs as CSV lines 'sample,node,y1,...' (a graph-level model: 'sample,y1,...') to --out or to standard output. The file format is described in docs/model-files.md."})
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.myc", description = "The model file.")
    Path model;
    @Option(names = "--graph", required = true, paramLabel = "EDGES", description = "The graph as an edge-list file (lines 'u v' or 'u v weight', as train reads it).")
    Path graph;
    @Option(names = "--features", required = true, paramLabel = "CSV", description = "Node features: lines 'sample,node,x1,...,xg', one per sample and node (as train reads them).")
    Path features;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the outputs to this CSV file instead of standard output.")
    Path out;
    @Option(names = "--force", description = "Replace an earlier --out file of Mycelium's (never any other file).")
    boolean force;
    @Option(names = "--tol", defaultValue = "1e-10", description = "Implicit models iterate until no node changes by this much (max-abs; default ${DEFAULT-VALUE}).")
    double tol;
    @Option(names = "--max-ticks", defaultValue = "100000", description = "Implicit models stop after this many synchronous iterations even when not converged (default ${DEFAULT-VALUE}).")
    int maxTicks;

    @Override
    public Integer call() throws Exception {
        checkSolver(tol, maxTicks);
        ModelRun.checkOut(out, force);
        ModelRun run = ModelRun.load(model, graph, features);
        Inference.Result r = Inference.run(run.trainable(), run.graph(), run.model().params(), run.features(), AsyncSchedule.synchronous(), tol, maxTicks);
        Tensor y = run.outputs(r);
        run.write(y, out, "predict");
        String what = String.format(Locale.ROOT, "%s: %d samples x %d nodes, %d outputs per %s", model, run.features().dim(1),
                run.graph().n(), y.dim(-1), y.rank() == 2 ? "sample (graph readout)" : "node");
        if (r.residuals().length > 0)
            what += String.format(Locale.ROOT, "; fixed point in at most %d iterations, residual %.2e%s", r.maxTicks(), r.maxResidual(),
                    r.unconverged() > 0 ? " (" + r.unconverged() + " samples did not converge within --max-ticks " + maxTicks + ")" : "");
        (out == null ? System.err : System.out).println(what + (out == null ? "" : " -> " + out));
        return 0;
    }

    static void checkSolver(double tol, int maxTicks) {
        if (!(tol > 0)) throw new Main.UserError("--tol must be positive, got " + tol);
        if (maxTicks < 1) throw new Main.UserError("--max-ticks must be at least 1, got " + maxTicks);
    }
}
