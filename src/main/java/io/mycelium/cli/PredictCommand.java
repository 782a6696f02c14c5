package io.mycelium.cli;

import io.mycelium.engine.AsyncSchedule;
import io.mycelium.task.Inference;
import io.mycelium.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Runs a saved model (a .myc file written by train or a reproduction) synchronously on a graph and node features.",
                "Every node uses its own parameter copy when the model has one per node (then the graph must be the one it was trained on); a model with tied parameters runs on any graph. Writes the outputs as CSV lines 'sample,node,y1,...' (a graph-level model: 'sample,y1,...') to --out or to standard output. The file format is described in docs/model-files.md."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelRunOptions in;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the outputs to this CSV file instead of standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelRun run = in.load(out);
        Inference.Result r = Inference.run(run.trainable(), run.graph(), run.model().params(), run.features(), AsyncSchedule.synchronous(), in.tol, in.maxTicks);
        Tensor y = run.outputs(r);
        run.write(y, out, "predict");
        String what = String.format(Locale.ROOT, "%s: %d samples x %d nodes, %d outputs per %s", in.model, run.features().dim(1),
                run.graph().n(), y.dim(-1), y.rank() == 2 ? "sample (graph readout)" : "node");
        if (r.residuals().length > 0)
            what += String.format(Locale.ROOT, "; fixed point in at most %d iterations, residual %.2e%s", r.maxTicks(), r.maxResidual(),
                    r.unconverged() > 0 ? " (" + r.unconverged() + " samples did not converge within --max-ticks " + in.maxTicks + ")" : "");
        (out == null ? System.err : System.out).println(what + (out == null ? "" : " -> " + out));
        return 0;
    }
}
