package io.mycelium.cli;

import io.mycelium.data.TuDataset;
import io.mycelium.graph.Graph;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Trainable;
import io.mycelium.task.CsvDataset;
import io.mycelium.task.Planetoid;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphReadout;
import io.mycelium.train.GraphSample;
import io.mycelium.train.TaskTrainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The data and model of a {@code train} config that does not run on the training paper's GCNN path
 * ({@link TrainConfig#gcnnPath}): labelled graphs split into training, (validation) and test items,
 * the number of outputs per node, and the network that {@link TaskTrainer} trains.
 *
 * @param classes   classes of a classification task, 0 for regression
 * @param val       Planetoid's validation nodes, else empty
 * @param nodeOut   output width of the model per node
 */
record TrainTask(TrainConfig cfg, List<TaskTrainer.Item> train, List<TaskTrainer.Item> val, List<TaskTrainer.Item> test, int features,
                 int edgeFeatures, int classes, int nodeOut, String describeData) {

    /** Loads and splits the config's data; every problem with them is a {@link Main.UserError} naming the file or field. */
    static TrainTask load(TrainConfig cfg) {
        TrainConfig.Data d = cfg.data();
        if (d.planetoid() != null) return planetoid(cfg);
        if (d.tu() != null) return tu(cfg);
        return csv(cfg);
    }

    private static TrainTask csv(TrainConfig cfg) {
        Graph g = TrainCommand.graph(cfg);
        Dataset all;
        try {
            all = CsvDataset.read(cfg.data().features(), cfg.data().labels(), g.n());
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage(), e);
        }
        if (all.samples() < 2) throw new Main.UserError(cfg.data().features() + ": needs at least 2 samples (training and test), has " + all.samples());
        int n = g.n(), s = all.samples(), f = all.features(), classes = 0;
        if (cfg.task() == TrainConfig.Task.NODE_CLASSIFICATION) classes = classes(all.y().data(), cfg.data().labels() + ": ");
        List<GraphSample> samples = new ArrayList<>(s);
        double[] x = all.x().data(), y = all.y().data();
        for (int q = 0; q < s; q++) {
            double[] xs = new double[n * f], ys = new double[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, (i * s + q) * f, xs, i * f, f);
                ys[i] = y[i * s + q];
            }
            samples.add(new GraphSample(g, new Tensor(xs, n, f), null, new Tensor(ys, n, 1)));
        }
        TrainSplit.Parts p = TrainSplit.of(cfg.data(), s, cfg.file());
        return new TrainTask(cfg, items(samples, p.train()), List.of(), items(samples, p.test()), f, 0, classes, outWidth(cfg, classes),
                n + " nodes, " + g.edgeCount() + " edges, " + p.train().length + " training and " + p.test().length + " test samples");
    }

    private static TrainTask planetoid(TrainConfig cfg) {
        String name = cfg.data().planetoid();
        Path dir = dataDir(cfg, name);
        Planetoid p;
        try {
            p = Planetoid.load(dir, name.toLowerCase(java.util.Locale.ROOT));
        } catch (IOException e) {
            throw new Main.UserError(cfg.file() + ": data.planetoid: " + e.getMessage(), e);
        }
        double[] y = new double[p.n()];
        for (int v = 0; v < y.length; v++) y[v] = p.labels()[v];   // -1 (no label) is never scored
        GraphSample whole = new GraphSample(p.graph(), new Tensor(p.rowNormalizedFeatures(), p.n(), p.featureCount()), null, new Tensor(y, p.n(), 1));
        return new TrainTask(cfg, List.of(new TaskTrainer.Item(whole, p.train())), List.of(new TaskTrainer.Item(whole, p.val())),
                List.of(new TaskTrainer.Item(whole, p.test())), p.featureCount(), 0, p.classes(), outWidth(cfg, p.classes()),
                name + ": " + p.n() + " nodes, " + p.graph().edgeCount() + " edges, " + p.featureCount() + " features, " + p.classes()
                        + " classes; public split " + p.train().length + " / " + p.val().length + " / " + p.test().length + " nodes");
    }

    private static TrainTask tu(TrainConfig cfg) {
        String name = cfg.data().tu();
        TuDataset d;
        try {
            d = TuDataset.load(dataDir(cfg, name), name, false);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(cfg.file() + ": data.tu: " + e.getMessage(), e);
        }
        int classes = d.classes().length;
        TrainSplit.Parts p = TrainSplit.of(cfg.data(), d.graphs().size(), cfg.file());
        return new TrainTask(cfg, items(d.graphs(), p.train()), List.of(), items(d.graphs(), p.test()), d.featureWidth(), 0, classes,
                outWidth(cfg, classes), name + ": " + d.graphs().size() + " graphs, " + d.featureWidth() + " node features, " + classes + " classes, "
                        + p.train().length + " training and " + p.test().length + " test graphs");
    }

    /** {@code data.dir}, else the data directory's {@code name}/, else a message saying what is needed. */
    private static Path dataDir(TrainConfig cfg, String name) {
        if (cfg.data().dir() != null) return cfg.data().dir();
        return DataDir.find(name).orElseThrow(() -> new Main.UserError(cfg.file() + ": data: " + name + " not found: set data.dir in the config, or "
                + DataDir.howToProvide(name, "data.dir").replaceFirst("^pass data.dir DIR, or ", "")));
    }

    /** Class numbers 0..C-1 (C ≥ 2) of classification labels. */
    private static int classes(double[] y, String where) {
        int max = -1;
        for (double v : y) {
            if (v != Math.rint(v) || v < 0) throw new Main.UserError(where + "a class label must be a whole number >= 0, got " + v);
            max = Math.max(max, (int) v);
        }
        if (max < 1) throw new Main.UserError(where + "node classification needs at least 2 classes, the labels hold only class 0");
        return max + 1;
    }

    /** The model's output width per node: 1 for regression, the number of classes for classification. */
    private static int outWidth(TrainConfig cfg, int classes) {
        int out = classes == 0 ? 1 : classes;
        if (cfg.model().gcnn()) {
            int last = cfg.model().widths()[cfg.model().widths().length - 1];
            if (classes > 0 && last != classes)
                throw new Main.UserError(cfg.file() + ": model.widths: the last width must be the number of classes, " + classes + ", got " + last);
        }
        return out;
    }

    private static List<TaskTrainer.Item> items(List<GraphSample> all, int[] ids) {
        List<TaskTrainer.Item> r = new ArrayList<>(ids.length);
        for (int q : ids) r.add(new TaskTrainer.Item(all.get(q), null));
        return r;
    }

    /** A fresh model instance (on {@code g} for the GCNN, whose shift operator is the graph's). */
    Trainable model(Graph g) {
        TrainConfig.Model m = cfg.model();
        if (m.gcnn()) {
            if (m.widths()[0] != features)
                throw new Main.UserError(cfg.file() + ": model.widths[0]: is " + m.widths()[0] + " but the data have " + features + " node features");
            return m.gcnn(g);
        }
        return m.spec().build(features, edgeFeatures, nodeOut, g);
    }

    /** The one graph of a node-level task (every item's), or null for a set of graphs. */
    Graph graph() { return cfg.task() == TrainConfig.Task.GRAPH_CLASSIFICATION ? null : train.getFirst().sample().graph(); }

    boolean implicit() { return TrainModel.implicit(model(GraphNet.ONE_NODE)); }

    /** The network {@link TaskTrainer} trains: implicit models solved to the config's tolerance. */
    GraphNet net() {
        Function<Graph, Trainable> f = this::model;
        TrainConfig.Training t = cfg.training();
        return GraphNet.of(f, GraphNet.Solver.of(t.tol(), t.maxIter()));
    }

    /** The graph readout of a graph-level task: node outputs of width C, their mean per graph, an MLP (C, 4, 4, C) as in the hogwild paper's Appendix G. */
    GraphReadout head() { return cfg.task() == TrainConfig.Task.GRAPH_CLASSIFICATION ? new GraphReadout(nodeOut, 4, 4, classes) : null; }

    TaskTrainer.Loss loss() { return classes > 0 ? TaskTrainer.Loss.CROSS_ENTROPY : TaskTrainer.Loss.MSE; }

    /** The implicit model, for train.DistributedImplicit. */
    ImplicitModel implicitModel() { return (ImplicitModel) model(GraphNet.ONE_NODE); }
}
