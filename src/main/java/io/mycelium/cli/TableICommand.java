package io.mycelium.cli;

import io.mycelium.graph.Graph;
import io.mycelium.task.TaskGraphs;
import io.mycelium.train.TableI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "table-i", mixinStandardHelpOptions = true,
        description = {"Measures Table I of the training paper: rounds and message sizes of every training schedule.",
                "Runs one mini-batch of every schedule and prints the engine's rounds and message sizes next to the paper's formulas. Exit code 1 if any row disagrees."})
final class TableICommand implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "2", description = "GCNN layers L (default ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--batch", defaultValue = "100", description = "mini-batch size B (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--consensus", defaultValue = "1", description = "D-naive consensus rounds K (default ${DEFAULT-VALUE})")
    int k;
    @Option(names = "--features", defaultValue = "10", description = "input width g_0 (default ${DEFAULT-VALUE})")
    int features;
    @Option(names = "--hidden", defaultValue = "10", description = "hidden widths g_1..g_{L-1} (default ${DEFAULT-VALUE})")
    int hidden;
    @Option(names = "--nodes", defaultValue = "100", description = "nodes of the Barabási–Albert graph, m = 2 (default ${DEFAULT-VALUE})")
    int nodes;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the graph, data and initialization (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        if (layers < 1 || batch < 1 || k < 1 || features < 1 || hidden < 1)
            throw new Main.UserError("--layers, --batch, --consensus, --features and --hidden must be at least 1");
        if (nodes < 3) throw new Main.UserError("--nodes must be at least 3");
        if ((long) layers * batch > 1_000_000) throw new Main.UserError("L·B above 10^6 rounds is more than a table needs");
        int[] widths = new int[layers + 1];
        widths[0] = features;
        for (int l = 1; l < layers; l++) widths[l] = hidden;
        widths[layers] = 1;
        Graph g = TaskGraphs.barabasiAlbert(nodes, 2, seed);
        List<TableI.Result> rows = TableI.measure(g, widths, batch, k, seed);
        int theta = 0;
        for (int l = 0; l < layers; l++) theta += 2 * widths[l] * widths[l + 1];
        PrintStream out = System.out;
        out.printf("Table I, measured on BA(%d, m=2): L=%d B=%d K=%d, widths %s, |θ|=%d%n", nodes, layers, batch, k,
                java.util.Arrays.toString(widths), theta);
        out.printf("%-14s %-52s %9s %-22s %s%n", "scheme", "paper row", "measured", "paper", "agree");
        boolean ok = true;
        for (TableI.Result r : rows) {
            String formula = r.row().roundsFormula + " = " + r.paperRounds();
            out.printf("%-14s %-52s %9d %-22s %s%n", r.row().scheme.id(), r.row().label, r.measuredRounds(), formula,
                    r.agrees() ? "yes" : "NO");
            out.printf("%-14s   message sizes (floats×rounds) measured: %s%n", "", histogram(r.measuredWidths()));
            out.printf("%-14s   paper (%s): %s%n", "", r.row().sizeFormula, histogram(r.paperWidths()));
            ok &= r.agrees();
        }
        out.println(ok ? "all rows agree with the paper" : "DISAGREEMENT with the paper");
        return ok ? 0 : 1;
    }

    private static String histogram(List<Integer> widths) {
        Map<Integer, Integer> h = new TreeMap<>();
        for (int w : widths) h.merge(w, 1, Integer::sum);
        StringBuilder b = new StringBuilder();
        h.forEach((w, c) -> b.append(b.isEmpty() ? "" : " ").append(w).append('×').append(c));
        return b.toString();
    }
}
