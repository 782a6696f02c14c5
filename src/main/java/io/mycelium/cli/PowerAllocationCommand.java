package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.wireless.Channels;
import io.mycelium.wireless.Checkpoints;
import io.mycelium.wireless.PowerAllocation;
import io.mycelium.wireless.PowerScheme;
import io.mycelium.wireless.Uwmmse;
import io.mycelium.artifact.ModelFile;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "power-allocation", mixinStandardHelpOptions = true,
        description = {"Reproduces Fig. 2(b) of the training paper: UWMMSE power allocation, centralized and fully distributed.",
                "UWMMSE (25 links) is trained without labels and compared against WMMSE and WMMSE-Tr on the authors' channels.",
                "Writes metrics.csv, summary.json, sum-rate-vs-epochs.png and each scheme's trained model (<scheme>/model.myc) into --out. Details: docs/reproductions/wireless.md."})
final class PowerAllocationCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    /** Test sum rates of the authors' logs (bit/s/Hz), wireless spec B.9. */
    static final double AUTHORS_WMMSE = 20.471, AUTHORS_TRUNCATED = 16.469, AUTHORS_UNTRAINED = 15.684;
    static final Map<Integer, double[]> AUTHORS_UWMMSE = Map.of(1, new double[] {17.464, 17.859}, 10, new double[] {19.039, 19.207},
            25, new double[] {19.248, 19.291}, 50, new double[] {19.282, 19.312}, 100, new double[] {19.337, 19.302}, 124, new double[] {19.334, 19.337});

    @Option(names = "--quick", description = "CI-sized run: 200 training locations, 2 epochs, all four schemes (about a minute)")
    boolean quick;
    @Option(names = "--epochs", description = "epochs (default 10; --epochs 125 is the whole figure; quick 2)")
    Integer epochs;
    @Option(names = "--locations", description = "training locations = mini-batches per epoch (default 10000, the authors'; fewer is the spec's labelled reduced mode; quick 200)")
    Integer locations;
    @Option(names = "--schemes", split = ",", description = "comma-separated subset of adam, gc-adam, d-adam, d-amsgrad (default: adam,gc-adam, the figure's two curves; quick: all four)")
    List<String> schemes;
    @Option(names = "--seed", defaultValue = "1", description = "seed of the initialization and the shuffles (the channels are the authors', RandomState(0)) (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "results/power-allocation", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--checkpoint-every", paramLabel = "K", description = "save every scheme's state after every K-th epoch and the last into <out>/checkpoint/ (default 0: none)")
    int checkpointEvery;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue from the checkpoints in DIR/checkpoint/ (the same options; --epochs may grow); the results replace DIR unless --out is given")
    Path resume;
    @Option(names = "--force", description = "replace an earlier results directory of Mycelium's")
    boolean force;

    @Override
    public Integer call() throws Exception {
        int e = epochs != null ? epochs : quick ? 2 : 10;
        int r = locations != null ? locations : quick ? 200 : 10_000;
        if (e < 1) throw new Main.UserError("--epochs must be at least 1, got " + e);
        if (r < 1 || r > 10_000) throw new Main.UserError("--locations must be in 1..10000 (the test set starts at location 10000), got " + r);
        List<PowerScheme> chosen = new ArrayList<>();
        try {
            List<String> ids = schemes != null ? schemes : quick ? List.of("adam", "gc-adam", "d-adam", "d-amsgrad") : List.of("adam", "gc-adam");
            for (String s : ids) {
                PowerScheme p = PowerScheme.parse(s);
                if (!chosen.contains(p)) chosen.add(p);
            }
        } catch (IllegalArgumentException ex) {
            throw new Main.UserError("--schemes: " + ex.getMessage());
        }
        if (checkpointEvery < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + checkpointEvery);
        OutputDir.Target target = TrainCheckpoints.target(spec, out, resume);
        boolean replace = force || TrainCheckpoints.replaces(target, resume);
        OutputDir.validate(target, replace);
        System.setProperty("java.awt.headless", "true");
        PowerAllocation.Config cfg = new PowerAllocation.Config(e, r, 100, 1e-2, seed, chosen);
        TrainCheckpoints ck = checkpointEvery > 0 || resume != null
                ? TrainCheckpoints.forParts(target.path(), checkpointEvery, resume, cfg, chosen.stream().map(PowerScheme::id).toList(), e,
                "mycelium reproduce power-allocation") : null;
        long t0 = System.nanoTime();
        PowerAllocation.Result res;
        try (ProgressBar bar = Progress.bar("power-allocation", 10_000L + cfg.testLocations() + 2 + (long) e * r)) {
            res = PowerAllocation.run(cfg, (phase, units) -> {
                bar.setExtraMessage(phase);
                bar.stepBy(units);
            }, ck == null ? null : checkpoints(ck, chosen, e));
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        try (OutputDir dir = OutputDir.open(target, replace || ck != null)) {   // checkpoints written into it are ours
            writeMetrics(dir.dir().resolve("metrics.csv"), res);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.dir().resolve("summary.json").toFile(), summary(res, wall, load));
            plot(dir.dir().resolve("sum-rate-vs-epochs.png"), res);
            for (PowerAllocation.Curve c : res.curves())
                Uwmmse.file(c.params(), new ModelFile.Training(c.scheme().id(), seed, e, "test sum rate, bit/s/Hz", c.last()))
                        .write(Files.createDirectories(dir.dir().resolve(c.scheme().id())).resolve("model.myc"));
            if (ck != null) ck.copyInto(dir.dir());
            dir.commit();
        }
        print(res, wall, load);
        return 0;
    }

    /**
     * The run's snapshots as one checkpoint file per scheme: its parameters and optimizer state, and in
     * {@code extra} its curve so far with the shared mini-batch order and shuffle state (the same in every file).
     */
    static Checkpoints<PowerAllocation.Snapshot> checkpoints(TrainCheckpoints ck, List<PowerScheme> schemes, int epochs) {
        ObjectMapper json = new ObjectMapper();
        return new Checkpoints<>() {
            @Override
            public PowerAllocation.Snapshot resume() {
                List<PowerAllocation.SchemeState> states = new ArrayList<>();
                JsonNode x = null;
                if (schemes.stream().allMatch(s -> ck.load(s.id()) == null)) return null;
                for (PowerScheme s : schemes) {
                    TrainCheckpoints.State st = ck.load(s.id());
                    if (st == null || (x != null && st.epoch() != x.path("epoch").asInt()))
                        throw new Main.UserError("--resume: every scheme of " + schemes.stream().map(PowerScheme::id).toList()
                                + " needs a checkpoint of the same epoch (" + s.id() + " has " + (st == null ? "none" : "epoch " + st.epoch()) + ")");
                    x = st.extra();
                    double[] test = doubles(x.get("test")), train = new double[test.length];
                    train[0] = Double.NaN;
                    System.arraycopy(doubles(x.get("train")), 0, train, 1, train.length - 1);
                    states.add(new PowerAllocation.SchemeState(s, st.params(), st.optimizerState(), test, train));
                }
                int[] order = new int[x.get("order").size()];
                for (int q = 0; q < order.length; q++) order[q] = x.get("order").get(q).asInt();
                return new PowerAllocation.Snapshot(x.get("epoch").asInt(), states, order, Base64.getDecoder().decode(x.get("shuffle").asText()));
            }

            @Override
            public void save(PowerAllocation.Snapshot snap) {
                ObjectNode x = json.createObjectNode().put("epoch", snap.epoch()).put("shuffle", Base64.getEncoder().encodeToString(snap.shuffle()));
                ArrayNode order = x.putArray("order");
                for (int v : snap.order()) order.add(v);
                try {
                    for (PowerAllocation.SchemeState st : snap.schemes()) {
                        ObjectNode y = x.deepCopy();
                        ArrayNode test = y.putArray("test"), train = y.putArray("train");
                        for (double v : st.test()) test.add(v);
                        for (int q = 1; q < st.train().length; q++) train.add(st.train()[q]);
                        ck.after(st.scheme().id(), snap.epoch(), epochs, st.params(), st.optimizer(), List.of(), y);
                    }
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException("cannot write a checkpoint: " + ex.getMessage(), ex);
                }
            }
        };
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int q = 0; q < d.length; q++) d[q] = a.get(q).asDouble();
        return d;
    }

    private static PowerAllocation.Curve curve(PowerAllocation.Result res, PowerScheme s) {
        return res.curves().stream().filter(c -> c.scheme() == s).findFirst().orElse(null);
    }

    static Map<String, Object> summary(PowerAllocation.Result res, double wall, double load) {
        PowerAllocation.Config c = res.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", "power-allocation");
        m.put("unit", "bit/s/Hz (test mean over 100 locations x 64 samples; x 5 MHz = Mbit/s)");
        m.put("wmmse_sum_rate", res.wmmse().sumRate());
        m.put("wmmse_truncated_sum_rate", res.truncated().sumRate());
        m.put("untrained_sum_rate", res.untrained());
        PowerAllocation.Curve central = curve(res, PowerScheme.ADAM), dist = curve(res, PowerScheme.GC_ADAM);
        m.put("centralized_sum_rate", central == null ? null : central.last());
        m.put("distributed_sum_rate", dist == null ? null : dist.last());
        m.put("distributed_scheme", "gc-adam (the authors' D-Adam)");
        Map<String, Object> rounds = new LinkedHashMap<>();
        rounds.put("wmmse", RunFiles.ordered("rounds_per_minibatch", res.wmmse().roundsPerBatch(), "bytes_per_minibatch", res.wmmse().bytesPerBatch()));
        rounds.put("wmmse_truncated", RunFiles.ordered("rounds_per_minibatch", res.truncated().roundsPerBatch(), "bytes_per_minibatch", res.truncated().bytesPerBatch()));
        List<Map<String, Object>> schemes = new ArrayList<>();
        for (PowerAllocation.Curve cv : res.curves()) {
            rounds.put(cv.scheme().id(), RunFiles.ordered("rounds_per_minibatch", cv.traffic().rounds(), "bytes_per_minibatch", cv.traffic().bytes()));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("scheme", cv.scheme().id());
            s.put("label", cv.scheme().label());
            s.put("final_test_sum_rate", cv.last());
            s.put("test_sum_rate_by_epoch", cv.test());
            s.put("train_average_by_epoch", java.util.Arrays.stream(cv.trainAverage()).mapToObj(x -> Double.isNaN(x) ? null : x).toList());
            s.put("rounds_per_minibatch", cv.traffic().rounds());
            s.put("bytes_per_minibatch", cv.traffic().bytes());
            schemes.add(s);
        }
        m.put("communication", rounds);
        m.put("communication_note", "counted per mini-batch of 64 samples by running the model's program on each sample's interference graph;"
                + " centralized Adam is charged for forward rounds only (Table I convention), distributed schemes for forward, backward and consensus rounds");
        m.put("schemes", schemes);
        Map<String, Object> authors = new LinkedHashMap<>();
        authors.put("wmmse", AUTHORS_WMMSE);
        authors.put("wmmse_truncated", AUTHORS_TRUNCATED);
        authors.put("untrained", AUTHORS_UNTRAINED);
        Map<String, Object> uw = new LinkedHashMap<>();
        AUTHORS_UWMMSE.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(en -> uw.put("epoch_" + en.getKey(), RunFiles.ordered("centralized", en.getValue()[0], "distributed", en.getValue()[1])));
        authors.put("uwmmse", uw);
        m.put("authors", authors);
        m.put("epochs", c.epochs());
        m.put("train_seconds", res.trainSeconds());
        m.put("samples_per_second", res.samplesPerSecond());
        m.put("setup_seconds", res.setupSeconds());
        m.put("wall_seconds", wall);
        m.put("load_average_at_end", load);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("epochs", c.epochs());
        config.put("train_locations", c.trainLocations());
        config.put("test_locations", c.testLocations());
        config.put("samples_per_minibatch", Channels.SAMPLES);
        config.put("seed", c.seed());
        config.put("schemes", c.schemes().stream().map(PowerScheme::id).toList());
        config.put("choices", c.choices());
        m.put("config", config);
        return m;
    }

    private static void writeMetrics(Path file, PowerAllocation.Result res) throws java.io.IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("scheme,epoch,test_sum_rate,train_average_sum_rate,test_mbps");
            for (PowerAllocation.Curve c : res.curves())
                for (int e = 0; e < c.test().length; e++)
                    w.printf(Locale.ROOT, "%s,%d,%.6f,%s,%.4f%n", c.scheme().id(), e, c.test()[e],
                            Double.isNaN(c.trainAverage()[e]) ? "" : String.format(Locale.ROOT, "%.6f", c.trainAverage()[e]), c.test()[e] * 5);
            w.printf(Locale.ROOT, "wmmse,,%.6f,,%.4f%n", res.wmmse().sumRate(), res.wmmse().sumRate() * 5);
            w.printf(Locale.ROOT, "wmmse-tr,,%.6f,,%.4f%n", res.truncated().sumRate(), res.truncated().sumRate() * 5);
        }
    }

    /** The paper's figure: test sum rate in Mbit/s against epochs, with the WMMSE and WMMSE-Tr lines. */
    private static void plot(Path png, PowerAllocation.Result res) throws java.io.IOException {
        List<Charts.Series> series = new ArrayList<>();
        int n = res.curves().getFirst().test().length;
        double[] x = new double[n];
        for (int e = 0; e < n; e++) x[e] = e;
        for (PowerAllocation.Curve c : res.curves()) {
            double[] y = new double[n];
            for (int e = 0; e < n; e++) y[e] = c.test()[e] * 5;
            series.add(new Charts.Series(c.scheme().label(), x, y));
        }
        double[] ends = {0, Math.max(1, n - 1)};
        series.add(new Charts.Series("WMMSE (100 iterations)", ends, new double[] {res.wmmse().sumRate() * 5, res.wmmse().sumRate() * 5}));
        series.add(new Charts.Series("WMMSE-Tr (4 iterations)", ends, new double[] {res.truncated().sumRate() * 5, res.truncated().sumRate() * 5}));
        Charts.lines(png, "UWMMSE power allocation, 25 links (Fig. 2(b))", "epoch", "sum rate, Mbit/s (test)", false, series);
    }

    private static void print(PowerAllocation.Result res, double wall, double load) {
        System.out.printf(Locale.ROOT, "power allocation, %d epochs x %d mini-batches, %.0f s (load %.1f), %.0f samples/s%n",
                res.config().epochs(), res.config().trainLocations(), wall, load, res.samplesPerSecond());
        System.out.printf(Locale.ROOT, "%-56s %10s %10s %12s %14s%n", "", "bit/s/Hz", "authors", "rounds/mb", "bytes/mb");
        System.out.printf(Locale.ROOT, "%-56s %10.3f %10.3f %12d %14.0f%n", "WMMSE (100 iterations)", res.wmmse().sumRate(), AUTHORS_WMMSE,
                res.wmmse().roundsPerBatch(), res.wmmse().bytesPerBatch());
        System.out.printf(Locale.ROOT, "%-56s %10.3f %10.3f %12d %14.0f%n", "WMMSE-Tr (4 iterations)", res.truncated().sumRate(), AUTHORS_TRUNCATED,
                res.truncated().roundsPerBatch(), res.truncated().bytesPerBatch());
        System.out.printf(Locale.ROOT, "%-56s %10.3f %10.3f%n", "UWMMSE untrained (epoch 0)", res.untrained(), AUTHORS_UNTRAINED);
        int last = res.config().epochs();
        for (PowerAllocation.Curve c : res.curves()) {
            double[] a = AUTHORS_UWMMSE.get(last);
            String authors = a == null || c.scheme().parameterConsensus() ? "-" : String.format(Locale.ROOT, "%.3f", a[c.scheme() == PowerScheme.ADAM ? 0 : 1]);
            System.out.printf(Locale.ROOT, "%-56s %10.3f %10s %12d %14d%n", c.scheme().label() + ", epoch " + last, c.last(), authors,
                    c.traffic().rounds(), c.traffic().bytes());
        }
    }
}
