package io.mycelium.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the paper reproductions; each experiment is a subcommand. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Reproduces an experiment of the papers (cited in README.md).", "Each experiment is a subcommand; each writes its tables, plots and configuration into --out."},
        subcommands = {
                NodeRegressionCommand.class,
                HogwildTable1Command.class,
                HogwildTable2Command.class,
                HogwildTable3Command.class,
                DistributedImplicitCommand.class,
                PowerAllocationCommand.class,
                LinkSchedulingCommand.class,
                DecentralizedSslCommand.class,
        })
final class ReproduceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "choose an experiment: " + spec.subcommands().keySet()); }
}
