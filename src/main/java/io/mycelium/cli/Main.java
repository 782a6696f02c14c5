package io.mycelium.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mycelium} command. Every subcommand is a class in this package registered below.
 * Exit codes: 0 success, 1 failure while running, 2 bad input (usage, config, files).
 */
@Command(name = "mycelium", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Graph neural networks that train and infer inside networked systems.",
        subcommands = {DemoCommand.class, TrainCommand.class, TableICommand.class, ReproduceCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) { System.exit(execute(args)); }

    /** Runs the CLI and returns the exit code (for tests). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpAutoWidth(true); // descriptions are single strings: picocli wraps them to the terminal
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UserError || ex instanceof IllegalArgumentException) {
                cmd.getErr().println("mycelium: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** Bad input from the user: reported as one line, exit code 2. */
    public static final class UserError extends RuntimeException {
        public UserError(String message) { super(message); }

        public UserError(String message, Throwable cause) { super(message, cause); }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mycelium " + (v == null ? "0.1.0" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
