package io.mycelium.task.hogwild;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The five synthetic tasks of Table 1 by id, at the paper's sizes or smaller ones. */
public final class HogwildTasks {
    private HogwildTasks() {}

    /** Task ids in the column order of the paper's tables. */
    public static final List<String> IDS = List.of("chains", "count", "sum", "coordinates", "mnist");

    /**
     * Pool sizes. The paper: chains of 100 nodes (how many chains it does not say; we draw 40, two
     * classes), count chains of 1..50 nodes, 2000 sum chains of 50 nodes, 1500 coordinate graphs of
     * 20 nodes with radius 0.5, and every 0/1 MNIST digit available ({@code mnist = 0}).
     */
    public record Sizes(int chains, int chainLength, int countMax, int sums, int sumLength, int coordinates, int coordinateNodes,
                        double radius, int mnist) {
        public static Sizes paper() { return new Sizes(40, 100, 50, 2000, 50, 1500, 20, 0.5, 0); }

        /** A tenth of the paper's sum and coordinate pools and 300 MNIST images; chains and count as in the paper. */
        public static Sizes medium() { return new Sizes(40, 100, 50, 200, 50, 150, 20, 0.5, 300); }

        /**
         * Pools a single thread can train the energy GNNs on for ~100 epochs in minutes per task: 20
         * chains, count as in the paper (50 graphs), 40 sum chains, 40 coordinate graphs, 100 MNIST images.
         */
        public static Sizes small() { return new Sizes(20, 100, 50, 40, 50, 40, 20, 0.5, 100); }

        /**
         * CI-sized pools of the same kinds of graph (chain length, sum chain length, coordinate graph
         * size and radius as in the paper; count chains only up to 20 nodes).
         */
        public static Sizes quick() { return new Sizes(10, 100, 20, 10, 50, 10, 20, 0.5, 10); }
    }

    public static String parse(String id) {
        String k = id.trim().toLowerCase(Locale.ROOT);
        if (k.equals("sums")) k = "sum";
        if (!IDS.contains(k)) throw new io.mycelium.util.InputException("unknown task '" + id + "'; choose from " + IDS);
        return k;
    }

    /** Builds task {@code id}; {@code mnistDir} is read only for the MNIST task. */
    public static HogwildTask build(String id, Sizes s, Path mnistDir, long seed) {
        return switch (parse(id)) {
            case "chains" -> SyntheticTasks.chains(s.chains(), s.chainLength(), seed);
            case "count" -> SyntheticTasks.count(s.countMax());
            case "sum" -> SyntheticTasks.sums(s.sums(), s.sumLength(), seed);
            case "coordinates" -> SyntheticTasks.coordinates(s.coordinates(), s.coordinateNodes(), s.radius(), seed);
            case "mnist" -> {
                try {
                    yield MnistTerrain.task(MnistTerrain.load(mnistDir), s.mnist(), seed);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> throw new IllegalStateException(id);
        };
    }
}
