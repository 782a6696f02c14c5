package io.mycelium.cli;

import io.mycelium.train.TrainingDiverged;
import io.mycelium.util.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The {@code mycelium} command. Every subcommand is a class in this package registered below.
 * Exit codes: 0 success; 2 bad input (options, config, files: an {@link InputException}, reported
 * as one line naming the option, field or file and line); 1 a failure while running (divergence, an
 * I/O error, a bug), with the stack trace when {@code --debug} or {@code MYCELIUM_DEBUG=1} is set.
 */
@Command(name = "mycelium", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Graph neural networks that train and infer inside networked systems.",
        subcommands = {DemoCommand.class, TrainCommand.class, PredictCommand.class, InferCommand.class, NetCommand.class, TableICommand.class, ReproduceCommand.class, BenchCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private boolean debug;

    /** Given before or after the subcommand; a setter because picocli resets an inherited option to false on each command. */
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "on a failure, print the stack trace (also: MYCELIUM_DEBUG=1)")
    void debug(boolean on) { debug |= on; }

    public static void main(String[] args) { System.exit(execute(args)); }

    /** Runs the CLI and returns the exit code (for tests). */
    public static int execute(String... args) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setUsageHelpAutoWidth(true); // descriptions are single strings: picocli wraps them to the terminal
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, cmd.getErr(), main.debug || "1".equals(System.getenv("MYCELIUM_DEBUG"))));
        return cl.execute(args);
    }

    /** Reports an exception from a command and returns the exit code: 2 for the user's input, 1 for anything else. */
    static int report(Exception ex, PrintWriter err, boolean trace) {
        if (ex instanceof InputException) {
            err.println("mycelium: " + ex.getMessage());
            if (trace) ex.printStackTrace(err);
            err.flush();
            return 2;
        }
        if (ex instanceof TrainingDiverged) err.println("mycelium: " + ex.getMessage() + "; no results were written");
        else if (ex instanceof IOException || ex instanceof UncheckedIOException) err.println("mycelium: " + ex.getMessage());
        else err.println("mycelium: internal error: " + ex);
        if (trace) ex.printStackTrace(err);
        else err.println("mycelium: run with --debug (or MYCELIUM_DEBUG=1) for the stack trace");
        err.flush();
        return 1;
    }

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** Bad input from the user: reported as one line, exit code 2. */
    public static final class UserError extends InputException {
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
