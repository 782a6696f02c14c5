package io.mycelium.cli;

import io.mycelium.artifact.ModelFile;
import io.mycelium.graph.Graph;
import io.mycelium.train.TrainingRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The files every training command writes: per-scheme metrics.csv, summary fields and model.myc, and the two MSE charts. */
final class RunFiles {
    private RunFiles() {}

    /**
     * A JSON object with its keys in the order given ({@code key, value, key, value, ...}). Results files
     * use it instead of {@code Map.of}, whose iteration order changes from one JVM run to the next, so
     * that the same seed writes the same bytes.
     */
    static Map<String, Object> ordered(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("keys and values come in pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    static void writeMetrics(Path file, TrainingRun.Result r) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("epoch,minibatch,rounds,bytes,train_mse,test_mse");
            for (TrainingRun.Epoch e : r.epochs())
                w.printf(Locale.ROOT, "%d,%d,%d,%d,%.8g,%.8g%n", e.epoch(), e.minibatches(), e.rounds(), e.bytes(), e.trainMse(), e.testMse());
        }
    }

    /**
     * {@code <dir>/model.myc}: the run's trained model (docs/model-files.md), trained on {@code g}.
     * Nothing is written for a run that did not keep its model (a networked run's parameters stay on its hosts).
     */
    static void writeModel(Path dir, TrainingRun.Result r, Graph g, long seed, int epochs) throws IOException {
        if (r.model() == null) return;
        ModelFile.of(r.model(), r.params(), g, new ModelFile.Training(r.scheme().id(), seed, epochs, "test MSE", r.last().testMse()))
                .write(dir.resolve("model.myc"));
    }

    /** The summary fields of one scheme's run; callers add their configuration. */
    static Map<String, Object> summary(TrainingRun.Result r, long seed, int epochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scheme", r.scheme().id());
        m.put("seed", seed);
        m.put("epochs", epochs);
        m.put("finalTrainMse", r.last().trainMse());
        m.put("finalTestMse", r.last().testMse());
        m.put("roundsPerMinibatch", r.perMinibatch().rounds());
        m.put("bytesPerMinibatch", r.perMinibatch().bytes());
        m.put("messagesPerMinibatch", r.perMinibatch().messages());
        m.put("totalRounds", r.last().rounds());
        m.put("totalBytes", r.last().bytes());
        m.put("topologies", r.topologies());
        m.put("wallSeconds", r.seconds());
        return m;
    }

    /** {@code mse-vs-epochs.png} and {@code mse-vs-rounds.png}: test MSE of every run, log y-axis. */
    static void plots(List<TrainingRun.Result> results, Path dir, String title) throws IOException {
        plot(results, false, dir.resolve("mse-vs-epochs.png"), title);
        plot(results, true, dir.resolve("mse-vs-rounds.png"), title);
    }

    private static void plot(List<TrainingRun.Result> results, boolean byRounds, Path file, String title) throws IOException {
        List<Charts.Series> series = results.stream().map(r -> {
            List<TrainingRun.Epoch> es = r.epochs();
            double[] xs = new double[es.size()], ys = new double[es.size()];
            for (int q = 0; q < xs.length; q++) {
                xs[q] = byRounds ? es.get(q).rounds() : es.get(q).epoch();
                ys[q] = es.get(q).testMse();
            }
            return new Charts.Series(r.scheme().id(), xs, ys);
        }).toList();
        String x = byRounds ? "message-passing rounds" : "epoch";
        Charts.lines(file, title + ": test MSE against " + x, x, "test MSE", true, series);
    }

}
