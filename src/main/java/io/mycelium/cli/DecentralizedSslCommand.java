package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.ssl.DecentralizedConfig;
import io.mycelium.ssl.SslConfig;
import io.mycelium.ssl.SslExperiment;
import io.mycelium.ssl.SslGraph;
import io.mycelium.ssl.Traffic;
import io.mycelium.task.Planetoid;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "decentralized-ssl", mixinStandardHelpOptions = true,
        description = {"Trains a GNN decentralized, layer-wise and self-supervised on Cora or CiteSeer (the 'Towards Decentralized GNNs' poster).",
                "Layer-wise edge-reconstruction loss, push-based negatives, gossip learning; linear-probe accuracy next to the centralized layer-wise twin, end-to-end training, an untrained encoder and raw features; a run with churn and loss. Writes summary.json, curves.csv, accuracy-vs-rounds.png, <method>/model.myc (the trained encoder) (and embeddings.csv) into --out. See docs/ssl.md."})
final class DecentralizedSslCommand implements Callable<Integer> {
    @Option(names = "--widths", split = ",", description = "width of each layer (the number of values sets the depth); the embedding concatenates the layers (default 256,64 for Cora, 128,64 for CiteSeer: a node's copies of CiteSeer's 3,703-word first layer at 256 do not fit in 3 GB)")
    int[] widths;
    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate of every trainer (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--dec-lr", description = "Adam learning rate of the decentralized copies (default: 3 × --lr for edge reconstruction, chosen on validation (docs/ssl.md); --lr for decorrelation)")
    Double decLr;
    @Option(names = "--lr-zero-at", defaultValue = "0.75", description = "the learning rate falls linearly to 0 at this fraction of the rounds (then the copies only merge); 0 keeps it constant (default ${DEFAULT-VALUE})")
    double lrZeroAt;
    @Option(names = "--gossip-period", defaultValue = "0.333", description = "rounds between a node's gossip messages; below 1, round(1/period) messages per round (default ${DEFAULT-VALUE})")
    double gossipPeriod;
    @Option(names = "--gossip-local", defaultValue = "0.5", description = "probability that a node gossips its parameters to a random neighbour rather than a random node (default ${DEFAULT-VALUE})")
    double gossipLocal;
    @Option(names = "--row-exchanges", defaultValue = "1", description = "partial first-layer copies: averagings of every held row with a random other holder per round (row gossip; MODEL messages then carry only that layer's bias); 0: rows travel in MODEL messages (default ${DEFAULT-VALUE})")
    int rowExchanges;
    @Option(names = "--stagger", defaultValue = "1", description = "async: a node's layer steps again 1..stagger rounds after its last step (uniform); 1: every round, messages still delayed 1-2 rounds (default ${DEFAULT-VALUE})")
    int stagger;
    @Option(names = "--fanout", defaultValue = "2", description = "peers each node pushes its outputs to every round as negatives (default ${DEFAULT-VALUE})")
    int fanout;
    @Option(names = "--neg-max-age", defaultValue = "10", description = "negatives older than this many rounds are not sampled (default ${DEFAULT-VALUE})")
    int negMaxAge;
    @Option(names = "--projection", defaultValue = "0", description = "project the features to this many dimensions by a shared-seed random matrix; 0 keeps the raw bag of words (default ${DEFAULT-VALUE})")
    int projection;
    @Option(names = "--features", defaultValue = "row-normalized", description = "encoder input: row-normalized (DGI's preprocessing) or binary (the bag of words as the files hold it) (default ${DEFAULT-VALUE})")
    String features;

    @Option(names = "--objective", defaultValue = "edge-reconstruction", description = "layer-wise loss: edge-reconstruction (with push negatives) or decorrelation (CCA-SSG on two views; batch moments by gossip) (default ${DEFAULT-VALUE})")
    String lossName;
    @Option(names = "--lambda", defaultValue = "1e-3", description = "decorrelation: weight of the decorrelation term (default ${DEFAULT-VALUE})")
    double lambda;
    @Option(names = "--edge-drop", defaultValue = "0.4", description = "decorrelation: probability that a view leaves out a neighbour (default ${DEFAULT-VALUE})")
    double edgeDrop;
    @Option(names = "--feature-drop", defaultValue = "0.1", description = "decorrelation: probability that a view masks an input dimension (default ${DEFAULT-VALUE})")
    double featureDrop;
    @Option(names = "--stats-exchanges", defaultValue = "1", description = "decorrelation: pairwise averaging exchanges of the batch moments each node starts per round (default ${DEFAULT-VALUE})")
    int statsExchanges;
    @Option(names = "--stats-warmup", defaultValue = "10", description = "decorrelation: exchanges before the first round (default ${DEFAULT-VALUE})")
    int statsWarmup;
    @Option(names = "--dataset", required = true, description = "cora or citeseer")
    String dataset;
    @Option(names = "--data", description = "folder with the Planetoid ind.<dataset>.* files (default: Cora/ or CiteSeer/ under $MYCELIUM_DATA; see docs/data.md)")
    Path data;
    @Option(names = "--quick", description = "one seed, 20 rounds, no faults run: a smoke test of about a minute")
    boolean quick;
    @Option(names = "--seeds", description = "training seeds (default 3; --quick 1)")
    Integer seeds;
    @Option(names = "--epochs", description = "training rounds of every method (default: Cora 40; CiteSeer each method's own length, chosen on validation (docs/ssl.md); --quick 20)")
    Integer epochs;
    @Option(names = "--eval-every", description = "rounds between linear-probe checkpoints (default 10; --quick 5)")
    Integer evalEvery;
    @Option(names = "--merge", defaultValue = "age-weighted", description = "gossip merge: uniform, age-weighted, tracking (push-pull averaging of parameters and gradient trackers) or none (default ${DEFAULT-VALUE})")
    String merge;
    @Option(names = "--schedule", defaultValue = "async", description = "async, progressive or lockstep (default ${DEFAULT-VALUE})")
    String schedule;
    @Option(names = "--churn", defaultValue = "0.1", description = "fraction of nodes offline in the faults run (default ${DEFAULT-VALUE})")
    double churn;
    @Option(names = "--loss", defaultValue = "0.2", description = "message loss probability in the faults run (default ${DEFAULT-VALUE})")
    double loss;
    @Option(names = "--seed", defaultValue = "1", description = "first seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--export-embeddings", description = "also write embeddings.csv: node, then the deployed embedding of the first seed's decentralized run")
    boolean export;
    @Option(names = "--out", description = "output directory (default results/decentralized-ssl-<dataset>)")
    Path out;
    @Option(names = "--force", description = "replace a non-empty output directory")
    boolean force;

    @Override
    public Integer call() throws Exception {
        String ds = dataset.toLowerCase(Locale.ROOT);
        String folder = switch (ds) {
            case "cora" -> "Cora";
            case "citeseer" -> "CiteSeer";
            default -> throw new Main.UserError("--dataset must be cora or citeseer, got '" + dataset + "'");
        };
        if (widths == null) widths = ds.equals("citeseer") ? new int[] {128, 64} : new int[] {256, 64};
        int nSeeds = seeds != null ? seeds : quick ? 1 : 3, rounds = epochs != null ? epochs : quick ? 20 : DEFAULT_ROUNDS;
        int every = evalEvery != null ? evalEvery : quick ? 5 : 10;
        if (nSeeds < 1) throw new Main.UserError("--seeds must be at least 1, got " + nSeeds);
        if (rounds < 1) throw new Main.UserError("--epochs must be at least 1, got " + rounds);
        for (int w : widths) if (w < 1) throw new Main.UserError("--widths must all be at least 1, got " + java.util.Arrays.toString(widths));
        if (!(lr > 0)) throw new Main.UserError("--lr must be positive, got " + lr);
        if (decLr != null && !(decLr > 0)) throw new Main.UserError("--dec-lr must be positive, got " + decLr);
        if (!(lrZeroAt >= 0 && lrZeroAt <= 1)) throw new Main.UserError("--lr-zero-at must be in [0, 1], got " + lrZeroAt);
        if (!(gossipLocal >= 0 && gossipLocal <= 1)) throw new Main.UserError("--gossip-local must be in [0, 1], got " + gossipLocal);
        if (projection < 0) throw new Main.UserError("--projection must be 0 or more, got " + projection);
        if (every < 1) throw new Main.UserError("--eval-every must be at least 1, got " + every);
        if (!(churn >= 0 && churn < 1)) throw new Main.UserError("--churn must be in [0, 1), got " + churn);
        if (!(loss >= 0 && loss < 1)) throw new Main.UserError("--loss must be in [0, 1), got " + loss);
        if (!(lambda >= 0)) throw new Main.UserError("--lambda must be at least 0, got " + lambda);
        if (!(edgeDrop >= 0 && edgeDrop < 1)) throw new Main.UserError("--edge-drop must be in [0, 1), got " + edgeDrop);
        if (!(featureDrop >= 0 && featureDrop < 1)) throw new Main.UserError("--feature-drop must be in [0, 1), got " + featureDrop);
        if (!(gossipPeriod > 0)) throw new Main.UserError("--gossip-period must be positive, got " + gossipPeriod);
        if (statsExchanges < 0) throw new Main.UserError("--stats-exchanges must be at least 0, got " + statsExchanges);
        if (statsWarmup < 0) throw new Main.UserError("--stats-warmup must be at least 0, got " + statsWarmup);
        if (rowExchanges < 0) throw new Main.UserError("--row-exchanges must be at least 0, got " + rowExchanges);
        if (stagger < 1) throw new Main.UserError("--stagger must be at least 1, got " + stagger);
        if (fanout < 0) throw new Main.UserError("--fanout must be at least 0, got " + fanout);
        if (negMaxAge < 1) throw new Main.UserError("--neg-max-age must be at least 1, got " + negMaxAge);
        boolean rowNormalize = switch (features.toLowerCase(Locale.ROOT)) {
            case "binary" -> false;
            case "row-normalized" -> true;
            default -> throw new Main.UserError("--features must be binary or row-normalized, got '" + features + "'");
        };
        boolean decorrelation = switch (lossName.toLowerCase(Locale.ROOT)) {
            case "edge-reconstruction" -> false;
            case "decorrelation" -> true;
            default -> throw new Main.UserError("--objective must be edge-reconstruction or decorrelation, got '" + lossName + "'");
        };
        DecentralizedConfig.Merge m = switch (merge.toLowerCase(Locale.ROOT)) {
            case "uniform" -> DecentralizedConfig.Merge.UNIFORM;
            case "age-weighted" -> DecentralizedConfig.Merge.AGE_WEIGHTED;
            case "none" -> DecentralizedConfig.Merge.NONE;
            case "tracking" -> DecentralizedConfig.Merge.TRACKING;
            default -> throw new Main.UserError("--merge must be uniform, age-weighted, tracking or none, got '" + merge + "'");
        };
        DecentralizedConfig.Schedule sc;
        try {
            sc = DecentralizedConfig.Schedule.valueOf(schedule.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--schedule must be async, progressive or lockstep, got '" + schedule + "'");
        }
        Path dir = data != null ? data : DataDir.find(folder).orElseThrow(() ->
                new Main.UserError("decentralized-ssl needs the Planetoid " + folder + " files: " + DataDir.howToProvide(folder, "--data")));
        Path target = out != null ? out : Path.of("results", "decentralized-ssl-" + ds);
        OutputDir.validate(target, force);
        Planetoid p;
        try {
            p = Planetoid.load(dir, ds);
        } catch (IOException e) {
            throw new Main.UserError("--data: " + e.getMessage(), e);
        }
        SslConfig ssl = SslConfig.defaults().withEpochs(rounds).withSeed(seed).withWidths(widths).withLr(lr).withLrZeroAt(lrZeroAt);
        if (decorrelation) ssl = ssl.withDecorrelation(lambda, edgeDrop, featureDrop);
        DecentralizedConfig dc = DecentralizedConfig.defaults().withMerge(m).withSchedule(sc).withGossipLocal(gossipLocal)
                .withGossipPeriod(gossipPeriod).withStatsExchanges(statsExchanges).withStatsWarmup(statsWarmup).withRowExchanges(rowExchanges)
                .withNegativePush(fanout, negMaxAge).withStagger(stagger);
        boolean faults = !quick && (churn > 0 || loss > 0);
        Map<String, Integer> ownRounds = epochs == null && !quick && ds.equals("citeseer") && !decorrelation ? CITESEER_ROUNDS : Map.of();
        SslExperiment.Options o = new SslExperiment.Options(ssl, dc, decLr != null ? decLr : decorrelation ? lr : DEC_LR_FACTOR * lr, nSeeds, every, faults ? churn : 0, faults ? loss : 0, !decorrelation,
                ownRounds);
        SslGraph g = SslGraph.planetoid(p, rowNormalize, projection, PROJECTION_SEED);
        System.setProperty("java.awt.headless", "true");
        long total = 0;
        for (String method : o.trainedMethods()) total += (long) nSeeds * o.roundsOf(method);
        long t0 = System.nanoTime();
        SslExperiment.Result r;
        try (ProgressBar bar = Progress.bar("decentralized-ssl " + ds, total)) {
            r = SslExperiment.run(p, g, o, bar::stepBy);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> summary = summary(p, o, r, wall, dir);
        try (OutputDir od = OutputDir.open(target)) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(od.dir().resolve("summary.json").toFile(), summary);
            writeCurves(od.dir().resolve("curves.csv"), r);
            plot(od.dir().resolve("accuracy-vs-rounds.png"), r, ds);
            if (export) writeEmbeddings(od.dir().resolve("embeddings.csv"), r.exportEmbedding(), r.embeddingDim());
            for (Map.Entry<String, double[][]> e : r.models().entrySet()) {
                SslExperiment.Method mt = r.methods().get(e.getKey());
                String copy = e.getKey().startsWith(SslExperiment.DECENTRALIZED) ? "the mean of the nodes' copies (each node deploys its own; embeddings.csv has those)" : "the one copy";
                io.mycelium.ssl.EncoderFile.of(g, ssl, e.getValue(), copy + ", first seed, at its chosen round " + mt.chosenRound()[0],
                                new io.mycelium.artifact.ModelFile.Training(e.getKey(), seed, mt.chosenRound()[0], "linear-probe test accuracy (own copies)", mt.test()[0]))
                        .write(Files.createDirectories(od.dir().resolve(e.getKey())).resolve("model.myc"));
            }
            od.commit();
        }
        for (SslExperiment.Method x : r.methods().values())
            System.out.printf(Locale.ROOT, "%-22s %5.1f ± %.1f %%%n", x.name(), 100 * x.mean(), 100 * x.std());
        System.out.printf(Locale.ROOT, "bytes per node per round (decentralized): %.0f (embeddings %.0f, negatives %.0f, gossip %.0f)%n",
                r.lossless().traffic().totalBytes() / (double) p.n() / r.lossless().rounds(), r.lossless().bytesPerNodePerRound(Traffic.Kind.EMBEDDING),
                r.lossless().bytesPerNodePerRound(Traffic.Kind.NEGATIVE), r.lossless().bytesPerNodePerRound(Traffic.Kind.GOSSIP));
        System.out.println("-> " + target);
        return 0;
    }

    /**
     * Edge reconstruction: the decentralized copies' Adam rate over the other trainers' (each trainer's rate chosen from
     * 0.01, 0.02, 0.03, 0.05 on the mean seed-1 validation accuracy over Cora and CiteSeer: 0.03 decentralized, 0.01 for
     * the centralized twin). At one rate the decentralized curve rose more slowly than the twin's (docs/ssl.md).
     */
    static final double DEC_LR_FACTOR = 3;

    /** Training rounds of every method unless the dataset's own lengths apply. */
    static final int DEFAULT_ROUNDS = 40;

    /**
     * CiteSeer, edge reconstruction: each trained method's schedule length, chosen by the rule in docs/ssl.md
     * ("Training length on CiteSeer"): T in {40, 60, 80}, the best mean validation accuracy over seeds 4-6 on the
     * method's own runs, a tie within 0.3 points to the shorter. Cora stays at 40 (its full command's time limit).
     */
    static final Map<String, Integer> CITESEER_ROUNDS = Map.of(SslExperiment.CENTRALIZED, 60, SslExperiment.END_TO_END, 60,
            SslExperiment.DECENTRALIZED, 80, SslExperiment.FAULTS, 40);

    /** Seed of the optional input projection (see SslGraph.planetoid). */
    static final long PROJECTION_SEED = 7;

    Map<String, Object> summary(Planetoid p, SslExperiment.Options o, SslExperiment.Result r, double wall, Path dir) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("dataset", p.name());
        s.put("nodes", p.n());
        s.put("edges", p.graph().edgeCount());
        Map<String, String> keys = Map.of(SslExperiment.DECENTRALIZED, "decentralized", SslExperiment.CENTRALIZED, "centralized",
                SslExperiment.END_TO_END, "end_to_end", SslExperiment.RANDOM_INIT, "random_init", SslExperiment.RAW, "raw_features",
                SslExperiment.FAULTS, "decentralized_faults");
        for (SslExperiment.Method m : r.methods().values()) {
            s.put(keys.get(m.name()) + "_accuracy", m.mean());
            s.put(keys.get(m.name()) + "_accuracy_std", m.std());
        }
        Map<String, Object> per = new LinkedHashMap<>();
        for (SslExperiment.Method m : r.methods().values()) per.put(m.name(), RunFiles.ordered("test_accuracy_per_seed", m.test(), "chosen_round_per_seed", m.chosenRound()));
        s.put("per_seed", per);
        s.put("bytes_per_node_per_epoch", traffic(r.lossless()));
        if (r.faults() != null) s.put("faults_bytes_per_node_per_epoch", traffic(r.faults()));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("ssl", o.ssl());
        cfg.put("decentralized", o.dec());
        cfg.put("decentralized_lr", o.decLr());
        cfg.put("seeds", o.seeds());
        Map<String, Object> lengths = new LinkedHashMap<>();
        for (String method : o.trainedMethods()) lengths.put(method, o.roundsOf(method));
        cfg.put("rounds_per_method", lengths);
        cfg.put("eval_every", o.evalEvery());
        cfg.put("faults", RunFiles.ordered("churn", o.faultChurn(), "message_loss", o.faultLoss()));
        cfg.put("features", features);
        cfg.put("input_projection", projection == 0 ? "none" : projection + " dims, ±1/sqrt(dim) signs from seed " + PROJECTION_SEED);
        cfg.put("probe", "standardized embeddings, multinomial logistic regression on the train split, L2 in " + java.util.Arrays.toString(io.mycelium.ssl.LinearProbe.L2_GRID)
                + " picked on validation; test accuracy at the checkpoint with the best validation accuracy");
        List<String> departures = new java.util.ArrayList<>(List.of(
                "partial first-layer copies: a node stores, trains and merges only the rows of W1 that its own and its neighbours' nonzero features touch; the other rows stay at the shared-seed initial value (not merged, not relayed)",
                "layer widths " + java.util.Arrays.toString(o.ssl().widths()) + " (the calibration used 512 for both; one copy per node of a 512 × 512 second layer does not fit in memory, nor on CiteSeer a 256-wide first layer in 3 GB; centrally 256,64 probes as well on Cora)",
                "Adam moments are local to each node and not merged",
                "gossip goes to a random neighbour with probability " + o.dec().gossipLocal() + ", else to a random node (the poster: random nodes)",
                "gossip period " + o.dec().gossipPeriod() + " rounds (below 1: round(1/period) MODEL messages per node and round, each to its own peer), against the copies' disagreement",
                "input features are re-sent to the neighbours every " + o.dec().featureRefresh() + " rounds (they never change; this repairs loss and churn)",
                "learning rate decays linearly to 0 at " + o.ssl().lrZeroAt() + " of the rounds (same schedule for every trainer)",
                "Adam rate of the decentralized copies " + o.decLr() + ", of the other trainers " + o.ssl().lr() + " (each chosen on validation)",
                "loss on the linear pre-activation; messages carry it and receivers apply the ReLU",
                "checkpoint chosen on validation for every method (probes every eval_every rounds)",
                "negatives drawn from an overlay: push targets are uniform over all nodes (links beyond the graph edges)"));
        if (o.dec().schedule() == io.mycelium.ssl.DecentralizedConfig.Schedule.ASYNC && o.dec().stagger() == 1)
            departures.add("asynchronous with stagger 1: every node's layers step every round (no barrier; messages take 1-2 rounds, loss and churn apply); the poster's nodes step on independent timers");
        if (lengths.values().stream().distinct().count() > 1)
            departures.add("each method trains its own number of rounds " + lengths + " (its rate schedule scaled to it), chosen on the validation accuracy of seeds 4-6 from 40, 60, 80 (docs/ssl.md); the spec gives one length for all");
        if (features.equalsIgnoreCase("binary")) departures.add("encoder input: the binary bag of words, not row-normalized (DGI's protocol row-normalizes)");
        if (o.dec().rowExchanges() > 0)
            departures.add("row gossip: every round each node averages each first-layer row it holds with a uniform random other holder of that row, "
                    + o.dec().rowExchanges() + " time(s) (peer sampling per input dimension, an overlay per word; the poster: whole models to random peers); MODEL messages carry that layer's bias only");
        cfg.put("departures", departures);
        cfg.put("data", dir.toString());
        s.put("config", cfg);
        s.put("wall_seconds", wall);
        return s;
    }

    static Map<String, Object> traffic(SslExperiment.RunInfo ri) {
        Map<String, Object> t = new LinkedHashMap<>();
        double total = 0;
        for (Traffic.Kind k : Traffic.Kind.values()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("bytes", ri.bytesPerNodePerRound(k));
            e.put("messages", ri.messagesPerNodePerRound(k));
            e.put("lost_fraction", ri.traffic().messages(k) == 0 ? 0 : (double) ri.traffic().lost(k) / ri.traffic().messages(k));
            e.put("to_offline_fraction", ri.traffic().messages(k) == 0 ? 0 : (double) ri.traffic().droppedOffline(k) / ri.traffic().messages(k));
            t.put(k.name().toLowerCase(Locale.ROOT), e);
            total += ri.bytesPerNodePerRound(k);
        }
        t.put("total_bytes", total);
        t.put("stats", ri.stats());
        t.put("rounds", ri.rounds());
        t.put("seconds", ri.seconds());
        return t;
    }

    static void writeCurves(Path f, SslExperiment.Result r) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            w.println("method,round,test_accuracy,val_accuracy,bytes_per_node");
            for (SslExperiment.Method m : r.methods().values())
                for (SslExperiment.Point pt : m.curve())
                    w.printf(Locale.ROOT, "%s,%d,%.6f,%.6f,%.1f%n", m.name(), pt.round(), pt.test(), pt.val(), pt.bytesPerNode());
        }
    }

    static void plot(Path f, SslExperiment.Result r, String ds) throws IOException {
        List<Charts.Series> series = new ArrayList<>();
        for (SslExperiment.Method m : r.methods().values()) {
            if (m.curve().isEmpty()) continue;
            double[] x = m.curve().stream().mapToDouble(SslExperiment.Point::round).toArray();
            double[] y = m.curve().stream().mapToDouble(pt -> 100 * pt.test()).toArray();
            series.add(new Charts.Series(m.name(), x, y));
        }
        Charts.lines(f, ds + ": linear-probe test accuracy (mean over seeds)", "round (epoch)", "test accuracy (%)", false, series);
    }

    static void writeEmbeddings(Path f, double[] e, int dim) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f))) {
            StringBuilder h = new StringBuilder("node");
            for (int k = 0; k < dim; k++) h.append(",d").append(k);
            w.println(h);
            for (int v = 0; v < e.length / dim; v++) {
                StringBuilder b = new StringBuilder().append(v);
                for (int k = 0; k < dim; k++) b.append(',').append(e[v * dim + k]);
                w.println(b);
            }
        }
    }
}
