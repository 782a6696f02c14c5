package io.mycelium.cli;

import io.mycelium.task.hogwild.Table2;
import picocli.CommandLine.Option;

/** The asynchronous inference that commands run on their trained models (stagger, history, runs), as a picocli mixin. */
final class AsyncInferenceOptions {
    @Option(names = "--stagger", defaultValue = "4", description = "S of the asynchronous inference: a node's next update comes 1..S ticks after its last (default ${DEFAULT-VALUE}).")
    int stagger;
    @Option(names = "--history", defaultValue = "3", description = "D of the asynchronous inference: a view of a neighbour lags by at most D ticks (default ${DEFAULT-VALUE}).")
    int history;
    @Option(names = "--runs", description = "Asynchronous runs (schedule seeds 1..runs) per trained model (default 5; with --quick 2).")
    Integer runs;

    /** Validated settings; implicit models iterate to {@code tol} within {@code maxTicks} synchronous ticks. */
    Table2.Settings settings(boolean quick, double tol, int maxTicks) {
        int r = runs != null ? runs : quick ? 2 : 5;
        if (stagger < 1 || history < 1 || r < 1) throw new Main.UserError("--stagger, --history and --runs must be at least 1");
        return new Table2.Settings(stagger, history, r, Integer.MAX_VALUE, tol, maxTicks);
    }
}
