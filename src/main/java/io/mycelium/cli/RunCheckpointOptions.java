package io.mycelium.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --checkpoint-every K} and {@code --resume DIR} of the reproductions whose checkpoints are finished training runs ({@link TableCheckpoints}). */
final class RunCheckpointOptions {
    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "0",
            description = "After every K-th finished training run (and the last) save the finished runs and their models into <out>/checkpoint/ (default 0: none).")
    int every;
    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue from the checkpoint in DIR/checkpoint/ (the same options): its runs are taken as they are, the others trained; the results replace DIR unless --out is given.")
    Path resume;

    /** The output directory: {@code out}, or the {@code --resume} directory when {@code --out} was not given. */
    OutputDir.Target target(CommandSpec spec, Path out) {
        if (every < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + every);
        if (resume != null && !Files.isDirectory(resume)) throw new Main.UserError("--resume " + resume + ": no such directory");
        boolean outGiven = spec.commandLine() != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--out");
        return resume != null && !outGiven ? new OutputDir.Target(resume, "--resume " + resume, spec.qualifiedName()) : OutputDir.Target.of(spec, out);
    }

    /** Whether the target may be replaced: {@code force}, or it is the directory being resumed. */
    boolean replace(OutputDir.Target t, boolean force) {
        return force || (resume != null && resume.toAbsolutePath().normalize().equals(t.path().toAbsolutePath().normalize()));
    }

    boolean active() { return every > 0 || resume != null; }
}
