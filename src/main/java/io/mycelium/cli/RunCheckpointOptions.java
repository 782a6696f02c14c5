package io.mycelium.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --checkpoint-every K} and {@code --resume DIR} of hogwild Tables 1 and 2 ({@link TableCheckpoints}). */
final class RunCheckpointOptions {
    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "0",
            description = "Save every run's training state after every K-th epoch and its last, and every finished run with its model, into <out>/checkpoint/ (default 0: none).")
    int every;
    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue from the checkpoint in DIR/checkpoint/ with the same options (--epochs and --explicit-epochs may grow): finished runs are taken as they are, the others continue from their state; the results replace DIR unless --out is given.")
    Path resume;

    /** The output directory: {@code out}, or the {@code --resume} directory when {@code --out} was not given. */
    OutputDir.Target target(CommandSpec spec, Path out) {
        if (every < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + every);
        return TrainCheckpoints.target(spec, out, resume);
    }

    /** Whether the target may be replaced: {@code force}, or it is the directory being resumed. */
    boolean replace(OutputDir.Target t, boolean force) { return force || TrainCheckpoints.replaces(t, resume); }

    boolean active() { return every > 0 || resume != null; }
}
