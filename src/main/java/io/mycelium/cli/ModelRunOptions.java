package io.mycelium.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** What {@code predict} and {@code infer} read (a model file, a graph, node features) and how implicit models iterate, as a picocli mixin. */
final class ModelRunOptions {
    @Parameters(index = "0", paramLabel = "MODEL.myc", description = "The model file.")
    Path model;
    @Option(names = "--graph", required = true, paramLabel = "EDGES", description = "The graph as an edge-list file (lines 'u v' or 'u v weight', as train reads it).")
    Path graph;
    @Option(names = "--features", required = true, paramLabel = "CSV", description = "Node features: lines 'sample,node,x1,...,xg', one per sample and node (as train reads them).")
    Path features;
    @Option(names = "--force", description = "Replace an earlier --out file of Mycelium's (never any other file).")
    boolean force;
    @Option(names = "--tol", defaultValue = "1e-10", description = "Implicit models iterate until no node changes by this much for a staleness window (max-abs; default ${DEFAULT-VALUE}).")
    double tol;
    @Option(names = "--max-ticks", defaultValue = "100000", description = "Tick budget of each run of an implicit model; a run that spends it is reported as not converged (default ${DEFAULT-VALUE}).")
    int maxTicks;

    /** Checks the options and {@code out}, then reads and checks the model, graph and features. */
    ModelRun load(Path out) {
        if (!(tol > 0)) throw new Main.UserError("--tol must be positive, got " + tol);
        if (maxTicks < 1) throw new Main.UserError("--max-ticks must be at least 1, got " + maxTicks);
        ModelRun.checkOut(out, force);
        return ModelRun.load(model, graph, features);
    }
}
