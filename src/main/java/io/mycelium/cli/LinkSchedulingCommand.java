package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mycelium.wireless.Checkpoints;
import io.mycelium.wireless.ConflictGraphs;
import io.mycelium.wireless.Lgs;
import io.mycelium.wireless.LinkScheduling;
import io.mycelium.wireless.SchedulingActor;
import io.mycelium.wireless.SchedulingTestSet;
import io.mycelium.wireless.SeedSpread;
import io.mycelium.artifact.ModelFile;
import io.mycelium.util.Futures;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

@Command(name = "link-scheduling", mixinStandardHelpOptions = true,
        description = {"Reproduces Fig. 2(c) of the training paper: GCN-LGS link scheduling, centralized and fully distributed.",
                "Erdős–Rényi conflict graphs; the actor is trained centrally and fully distributed, the critic centrally. Needs the 10 test graphs of link-scheduling/ (--data). Writes metrics.csv, summary.json, utility-ratio.png and each scheme's trained actor (<scheme>/model.myc) into --out. Details: docs/reproductions/wireless.md."})
final class LinkSchedulingCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;
    /** Test_Ratio of the authors' logs at mini-batch 55 (wireless spec C.10). */
    static final double AUTHORS_CENTRALIZED = 1.0631, AUTHORS_DISTRIBUTED = 1.0418, AUTHORS_START = 0.9841;
    /** The held-out graphs drawn like the test set: 100 per density, 500 in all, from their own seed. */
    static final int HELD_OUT_PER_DENSITY = 100;
    static final long HELD_OUT_SEED = 2021;
    /** Mini-batches of critic-only training before the actor learns (a named departure, docs/reproductions/wireless.md). */
    static final int CRITIC_WARMUP = 5;

    @Option(names = "--quick", description = "CI-sized run: 4 mini-batches of 20 samples")
    boolean quick;
    @Option(names = "--minibatches", description = "mini-batches (default 55, the paper's 5 epochs; quick 4)")
    Integer miniBatches;
    @Option(names = "--batch", description = "samples (weight vectors) per mini-batch (default 100; quick 20)")
    Integer batch;
    @Option(names = "--graphs", defaultValue = "pool", description = "training graphs: pool (the authors' code, whose logs the figure shows: 1,140 fixed G(100, p), a different one per sample) or per-minibatch (the paper's text: one G(100, d/99) per mini-batch, d in 2..25) (default ${DEFAULT-VALUE})")
    String graphs;
    @Option(names = "--validation", paramLabel = "N", defaultValue = "" + LinkScheduling.Config.VALIDATION_PER_DENSITY,
            description = "validation graphs per test density (5 densities), drawn fresh from the seed, never the test graphs; each scheme's result is its actor"
                          + " after the mini-batch that scores best on them (default ${DEFAULT-VALUE}; 0: the last actor, as the authors)")
    int validation;
    @Option(names = "--critic-warmup", paramLabel = "N",
            description = "the first N mini-batches train only the critic, the actor waits (ours, not the authors'; default " + CRITIC_WARMUP
                          + ", quick 1; 0: both learn from the first, as the authors; N >= --minibatches leaves the actor untrained)")
    Integer warmupOption;
    @Option(names = "--actor-init", paramLabel = "FROM", defaultValue = "authors",
            description = "the actor's initial weights: authors (the authors' own TensorFlow GlorotUniform(seed=layer) draw, regenerated bit for bit;"
                          + " the same for every seed) or seed (a Glorot-uniform draw from --seed) (default ${DEFAULT-VALUE})")
    String actorInit;
    @Option(names = "--seeds", paramLabel = "LIST",
            description = "further seeds, each training both schemes, whose spread (mean, sd, median) summary.json reports beside the --seed run: a range A-B,"
                          + " a list A,B,C or none (default 1-8; quick none)")
    String seedsOption;
    @Option(names = "--data", description = "directory of the link-scheduling test graphs (default: link-scheduling/ under $MYCELIUM_DATA; see docs/data.md)")
    Path data;
    @Option(names = "--seed", defaultValue = "27", description = "seed of the graphs, weights, noise, the critic's initialization and, with --actor-init seed, the actor's (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "results/link-scheduling", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--checkpoint-every", paramLabel = "K", description = "save both schemes' state after every K-th mini-batch and the last into <out>/checkpoint/ (default 0: none)")
    int checkpointEvery;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue from the checkpoints in DIR/checkpoint/ (the same options; --minibatches may grow); the results replace DIR unless --out is given")
    Path resume;
    @Option(names = "--force", description = "replace an earlier results directory of Mycelium's")
    boolean force;

    @Override
    public Integer call() throws Exception {
        int k = miniBatches != null ? miniBatches : quick ? 4 : 55;
        int b = batch != null ? batch : quick ? 20 : 100;
        if (k < 1) throw new Main.UserError("--minibatches must be at least 1, got " + k);
        if (b < 1) throw new Main.UserError("--batch must be at least 1, got " + b);
        if (validation < 0) throw new Main.UserError("--validation must be >= 0, got " + validation);
        List<Long> extraSeeds = parseSeeds(seedsOption != null ? seedsOption : quick ? "none" : "1-8");
        int criticWarmup = warmupOption != null ? warmupOption : quick ? 1 : CRITIC_WARMUP;
        if (criticWarmup < 0) throw new Main.UserError("--critic-warmup must be >= 0, got " + criticWarmup);
        if (!actorInit.equals("authors") && !actorInit.equals("seed"))
            throw new Main.UserError("--actor-init: expected authors or seed, got '" + actorInit + "'");
        ConflictGraphs.Protocol protocol;
        try {
            protocol = ConflictGraphs.Protocol.parse(graphs);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--graphs: " + e.getMessage());
        }
        Path dir = data != null ? data : DataDir.find("link-scheduling").orElseThrow(() ->
                new Main.UserError("the link-scheduling test graphs are needed: " + DataDir.howToProvide("link-scheduling", "--data")));
        SchedulingTestSet test = SchedulingTestSet.read(dir);
        if (checkpointEvery < 0) throw new Main.UserError("--checkpoint-every: must be >= 0, got " + checkpointEvery);
        OutputDir.Target target = TrainCheckpoints.target(spec, out, resume);
        boolean replace = force || TrainCheckpoints.replaces(target, resume);
        OutputDir.validate(target, replace);
        System.setProperty("java.awt.headless", "true");
        LinkScheduling.Config p = LinkScheduling.Config.paper();
        LinkScheduling.Config cfg = new LinkScheduling.Config(k, b, p.nodes(), protocol, p.minDegree(), p.maxDegree(), p.actorLr(), p.criticLr(), seed, validation, criticWarmup,
                actorInit.equals("authors"));
        Map<String, Object> fixed = new ObjectMapper().convertValue(cfg, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        fixed.remove("miniBatches");   // the one setting a resumed run may change
        TrainCheckpoints ck = checkpointEvery > 0 || resume != null
                ? TrainCheckpoints.forParts(target.path(), checkpointEvery, resume, fixed,
                java.util.Arrays.stream(LinkScheduling.Scheme.values()).map(LinkScheduling.Scheme::id).toList(), k, "mycelium reproduce link-scheduling") : null;

        long t0 = System.nanoTime();
        List<LinkScheduling.Curve> curves;
        List<List<LinkScheduling.Curve>> others = new ArrayList<>();
        try (ProgressBar bar = Progress.bar("link-scheduling", 2L * k * (1 + extraSeeds.size()));
             ExecutorService ex = Executors.newFixedThreadPool(Math.min(2, Runtime.getRuntime().availableProcessors()))) {
            curves = trainBoth(ex, cfg, test, bar, ck, k);
            for (long s : extraSeeds) others.add(trainBoth(ex, cfg.withSeed(s), test, bar, null, k));
        }
        SchedulingTestSet heldOut = SchedulingTestSet.drawnLikeTheTestSet(test.graphs().getFirst().n(), HELD_OUT_PER_DENSITY, HELD_OUT_SEED);
        double[] heldOutRatio = curves.stream().mapToDouble(c -> LinkScheduling.testRatio(heldOut, c.selected())).toArray(),
                heldOutLast = curves.stream().mapToDouble(c -> LinkScheduling.testRatio(heldOut, c.actor())).toArray();
        Map<String, Object> spread = extraSeeds.isEmpty() ? null : overSeeds(extraSeeds, others, heldOut);
        double wall = (System.nanoTime() - t0) / 1e9;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Map<String, Object>> lgs = lgsCheck(test);
        boolean matches = lgs.stream().allMatch(m -> (Boolean) m.get("distributed_equals_greedy"));

        Map<String, Object> sum = summary(cfg, curves, test, heldOut, heldOutRatio, heldOutLast, lgs, matches, wall, load);
        if (spread != null) {
            sum.put("over_seeds", spread);
            sum.put("over_seeds_note", "the same configuration run with each of these seeds (graphs, weights, noise, the critic's "
                    + (cfg.authorsInit() ? "initialization and the validation set follow the seed; the actor starts from the authors' draw in every run)"
                                         : "and the actor's initialization and the validation set follow the seed)")
                    + ", every one reported; single runs vary more than the gap to the authors' figure, so the spread is the result to compare,"
                    + " the --seed run's ratios above are one draw of it (docs/reproductions/wireless.md)");
        }
        try (OutputDir o = OutputDir.open(target, replace || ck != null)) {   // checkpoints written into it are ours
            writeMetrics(o.dir().resolve("metrics.csv"), curves);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.dir().resolve("summary.json").toFile(), sum);
            plot(o.dir().resolve("utility-ratio.png"), curves);
            for (LinkScheduling.Curve c : curves)
                SchedulingActor.file(c.selected(), new ModelFile.Training(c.scheme().id(), seed, c.selectedAfter(), "test utility ratio vs LGS (10 graphs)", c.result()))
                        .write(Files.createDirectories(o.dir().resolve(c.scheme().id())).resolve("model.myc"));
            if (ck != null) ck.copyInto(o.dir());
            o.commit();
        }
        System.out.printf(Locale.ROOT, "link scheduling, %d mini-batches x %d samples, %.0f s (load %.1f) -> %s%n", k, b, wall, load, out);
        System.out.printf(Locale.ROOT, "%-58s %8s %8s %10s%n", "test utility ratio vs LGS (10 graphs)", "ours", "authors", "rounds/mb");
        for (LinkScheduling.Curve c : curves)
            System.out.printf(Locale.ROOT, "%-58s %8.4f %8.4f %10d%n", c.scheme().label(), c.result(),
                    c.scheme() == LinkScheduling.Scheme.CENTRALIZED ? AUTHORS_CENTRALIZED : AUTHORS_DISTRIBUTED, c.traffic().rounds());
        System.out.printf(Locale.ROOT, "%-58s %8.4f %8.4f%n", "untrained actor", curves.getFirst().testRatio()[0], AUTHORS_START);
        for (LinkScheduling.Curve c : curves)
            System.out.printf(Locale.ROOT, "%s: result = the actor after %d of %d mini-batches%s; the last actor: %.4f%n", c.scheme().id(), c.selectedAfter(), k,
                    validation > 0 ? String.format(Locale.ROOT, " (validation %.4f)", c.validationRatio()[c.selectedAfter()]) : "", c.last());
        System.out.printf(Locale.ROOT, "held-out ratio (%d graphs drawn like the test set): centralized %.4f (last actor %.4f), distributed %.4f (last actor %.4f)%n",
                SchedulingTestSet.TEST_P.length * HELD_OUT_PER_DENSITY, heldOutRatio[0], heldOutLast[0], heldOutRatio[1], heldOutLast[1]);
        System.out.printf(Locale.ROOT, "degree discount z = (d+1)^-0.75, no training (ours, for comparison): test %.4f, held-out %.4f%n",
                (Double) sum.get("degree_discount_ratio"), (Double) sum.get("degree_discount_held_out_ratio"));
        System.out.println("distributed LGS picks the centralized greedy set on every test graph: " + matches);
        if (spread != null)
            for (LinkScheduling.Scheme sc : LinkScheduling.Scheme.values()) {
                @SuppressWarnings("unchecked") Map<String, Object> per = (Map<String, Object>) spread.get(sc.id());
                for (String which : new String[] {"selected", "last"}) {
                    @SuppressWarnings("unchecked") Map<String, Object> st = (Map<String, Object>) per.get(which);
                    System.out.printf(Locale.ROOT, "over seeds %s, %s, %s actor: mean %.4f ± %.4f (sd), median %.4f, range %.4f-%.4f, %d of %d at >= %.2f%n",
                            extraSeeds, sc.id(), which, st.get("mean"), st.get("sd"), st.get("median"), st.get("min"),
                            st.get("max"), st.get("at_or_above_target"), extraSeeds.size(), targetOf(sc));
                }
            }
        return 0;
    }

    /** Both schemes of one configuration, each on its own thread when there are two processors. */
    private static List<LinkScheduling.Curve> trainBoth(ExecutorService ex, LinkScheduling.Config cfg, SchedulingTestSet test, ProgressBar bar,
                                                        TrainCheckpoints ck, int k) throws Exception {
        List<Future<LinkScheduling.Curve>> fs = new ArrayList<>();
        for (LinkScheduling.Scheme s : LinkScheduling.Scheme.values())
            fs.add(ex.submit(() -> LinkScheduling.train(cfg, s, test, bar::step, ck == null ? null : checkpoints(ck, s, k))));
        return Futures.all(fs, ex);
    }

    /** The seeds of {@code --seeds}: "none", a range "A-B" or a comma list. */
    static List<Long> parseSeeds(String spec) {
        String t = spec.trim();
        if (t.equals("none") || t.isEmpty()) return List.of();
        try {
            if (t.matches("\\d+-\\d+")) {
                long a = Long.parseLong(t.substring(0, t.indexOf('-'))), b = Long.parseLong(t.substring(t.indexOf('-') + 1));
                if (b < a) throw new Main.UserError("--seeds: the range " + t + " is empty");
                return java.util.stream.LongStream.rangeClosed(a, b).boxed().toList();
            }
            return java.util.Arrays.stream(t.split(",")).map(x -> Long.parseLong(x.trim())).toList();
        } catch (NumberFormatException e) {
            throw new Main.UserError("--seeds: expected none, a range like 1-8 or a list like 1,2,5; got '" + spec + "'");
        }
    }

    /**
     * The spread of each scheme's result over the further seeds: per seed the selected actor's test
     * ratio, the last actor's and the selected actor's held-out ratio; mean, sd, median, range and how
     * many reach the target, for the selected and the last actor.
     */
    static Map<String, Object> overSeeds(List<Long> seeds, List<List<LinkScheduling.Curve>> runs, SchedulingTestSet heldOut) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seeds", seeds);
        for (int q = 0; q < LinkScheduling.Scheme.values().length; q++) {
            LinkScheduling.Scheme scheme = LinkScheduling.Scheme.values()[q];
            double target = targetOf(scheme);
            int i = q;
            double[] selected = runs.stream().mapToDouble(r -> r.get(i).result()).toArray(), last = runs.stream().mapToDouble(r -> r.get(i).last()).toArray(),
                    held = runs.stream().mapToDouble(r -> LinkScheduling.testRatio(heldOut, r.get(i).selected())).toArray();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("target", target);
            s.put("selected", spread(SeedSpread.of(selected, target)));
            s.put("last", spread(SeedSpread.of(last, target)));
            s.put("selected_held_out_ratio", held);
            s.put("selected_after", runs.stream().mapToInt(r -> r.get(i).selectedAfter()).toArray());
            m.put(scheme.id(), s);
        }
        return m;
    }

    private static Map<String, Object> spread(SeedSpread s) {
        return RunFiles.ordered("test_ratio", s.values(), "mean", s.mean(), "sd", s.sd(), "median", s.median(), "min", s.min(), "max", s.max(),
                "at_or_above_target", s.atOrAbove());
    }

    /** The acceptance targets: 1.05 centralized, 1.03 fully distributed. */
    static double targetOf(LinkScheduling.Scheme s) { return s == LinkScheduling.Scheme.CENTRALIZED ? 1.05 : 1.03; }

    /**
     * One scheme's snapshots as its checkpoint file: the actor as the parameters; the actor's Adam state
     * ("actor.*"), the critic ("critic") and its Adam state ("critic.*") beside them; in {@code extra}
     * the generator, the pool position, the logs and the traffic so far.
     */
    static Checkpoints<LinkScheduling.Snapshot> checkpoints(TrainCheckpoints ck, LinkScheduling.Scheme scheme, int miniBatches) {
        ObjectMapper json = new ObjectMapper();
        String[] logs = {"test", "train", "criticLoss", "actorLoss", "zMean", "validation"};
        return new Checkpoints<>() {
            @Override
            public LinkScheduling.Snapshot resume() {
                TrainCheckpoints.State st = ck.load(scheme.id());
                if (st == null) return null;
                Map<String, Object> actorAdam = new LinkedHashMap<>(), criticAdam = new LinkedHashMap<>();
                st.optimizerState().forEach((key, v) -> {
                    if (key.startsWith("actor.")) actorAdam.put(key.substring(6), v);
                    else if (key.startsWith("critic.")) criticAdam.put(key.substring(7), v);
                });
                JsonNode x = st.extra();
                double[][] l = new double[logs.length][];
                for (int q = 0; q < logs.length; q++) l[q] = PowerAllocationCommand.doubles(x.get(logs[q]));
                int[] order = new int[x.get("order").size()];
                for (int q = 0; q < order.length; q++) order[q] = x.get("order").get(q).asInt();
                long[] traffic = new long[x.get("traffic").size()];
                for (int q = 0; q < traffic.length; q++) traffic[q] = x.get("traffic").get(q).asLong();
                return new LinkScheduling.Snapshot(st.epoch(), st.params(), (io.mycelium.tensor.Params) st.optimizerState().get("critic"), actorAdam, criticAdam,
                        java.util.Base64.getDecoder().decode(x.get("data").asText()), new ConflictGraphs.Position(order, x.get("next").asInt()),
                        l[0], l[1], l[2], l[3], l[4], traffic, l[5], x.get("selected").asInt(), (io.mycelium.tensor.Params) st.optimizerState().get("selected"));
            }

            @Override
            public void save(LinkScheduling.Snapshot s) {
                Map<String, Object> state = new LinkedHashMap<>();
                s.actorAdam().forEach((key, v) -> state.put("actor." + key, v));
                state.put("critic", s.critic());
                state.put("selected", s.selected());
                s.criticAdam().forEach((key, v) -> state.put("critic." + key, v));
                ObjectNode x = json.createObjectNode().put("data", java.util.Base64.getEncoder().encodeToString(s.data())).put("next", s.graphs().next())
                        .put("selected", s.selectedAfter());
                ArrayNode order = x.putArray("order"), traffic = x.putArray("traffic");
                for (int v : s.graphs().order()) order.add(v);
                for (long v : s.traffic()) traffic.add(v);
                double[][] l = {s.testRatio(), s.trainRatio(), s.criticLoss(), s.actorLoss(), s.zMean(), s.validationRatio()};
                for (int q = 0; q < logs.length; q++) {
                    ArrayNode a = x.putArray(logs[q]);
                    for (double v : l[q]) a.add(v);
                }
                try {
                    ck.after(scheme.id(), s.miniBatches(), miniBatches, s.actor(), state, List.of(), x);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write the checkpoint of " + scheme.id() + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** On each test graph with its stored weights: distributed LGS against greedy, and LGS's iterations and rounds. */
    static List<Map<String, Object>> lgsCheck(SchedulingTestSet test) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int q = 0; q < test.size(); q++) {
            Graph g = test.graphs().get(q);
            double[] w = test.weights().get(q);
            boolean[] greedy = Lgs.greedy(g, w), sim = new boolean[g.n()];
            int iterations = Lgs.iterations(g, w, sim);
            Comm comm = Comm.local(Partition.whole(g));
            boolean[] dist = Lgs.distributed(comm, w);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("graph", test.names().get(q));
            m.put("greedy_utility", Lgs.utility(greedy, w));
            m.put("distributed_equals_greedy", java.util.Arrays.equals(dist, greedy));
            m.put("lgs_iterations", iterations);
            m.put("rounds", comm.counters().rounds());
            m.put("bytes", comm.counters().bytes());
            rows.add(m);
        }
        return rows;
    }

    static Map<String, Object> summary(LinkScheduling.Config cfg, List<LinkScheduling.Curve> curves, SchedulingTestSet test, SchedulingTestSet heldOutGraphs,
                                       double[] heldOut, double[] heldOutLast, List<Map<String, Object>> lgs, boolean matches, double wall, double load) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", "link-scheduling");
        m.put("centralized_ratio", curves.get(0).result());
        m.put("distributed_ratio", curves.get(1).result());
        m.put("ratio_note", cfg.validationPerDensity() > 0
                ? "test ratio of each scheme's actor selected on the validation set (config.choices.model_selection); the last actor's is final_test_ratio under schemes"
                : "test ratio of each scheme's last actor, as the authors");
        m.put("untrained_ratio", curves.get(0).testRatio()[0]);
        m.put("centralized_held_out_ratio", heldOut[0]);
        m.put("distributed_held_out_ratio", heldOut[1]);
        m.put("degree_discount_ratio", LinkScheduling.ratio(test, LinkScheduling::degreeDiscount));
        m.put("degree_discount_held_out_ratio", LinkScheduling.ratio(heldOutGraphs, LinkScheduling::degreeDiscount));
        m.put("degree_discount_note", "LGS on z ⊙ w with the fixed z_i = (d_i + 1)^-0.75 (ours, not the paper's): what a topology-only multiplier"
                + " without training reaches on the same graphs");
        m.put("held_out_note", "the selected actors on " + SchedulingTestSet.TEST_P.length * HELD_OUT_PER_DENSITY + " graphs drawn like the 10 test graphs (G(n, p), p = 0.02, 0.05, 0.1, 0.15, 0.2, "
                + HELD_OUT_PER_DENSITY + " each, weights U(0,1), seed " + HELD_OUT_SEED + "); the authors report only the 10");
        m.put("lgs_matches_greedy", matches);
        Map<String, Object> rounds = new LinkedHashMap<>();
        List<Map<String, Object>> schemes = new ArrayList<>();
        for (int q = 0; q < curves.size(); q++) {
            LinkScheduling.Curve c = curves.get(q);
            LinkScheduling.Traffic t = c.traffic();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("total", t.rounds());
            r.put("actor_forward_backward", t.actorRounds());
            r.put("critic_forward_backward", t.criticRounds());
            r.put("gradient_consensus", t.consensusRounds());
            r.put("lgs", t.lgsRounds());
            r.put("bytes", t.bytes());
            rounds.put(c.scheme().id(), r);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("scheme", c.scheme().id());
            s.put("label", c.scheme().label());
            s.put("selected_after_updates", c.selectedAfter());
            s.put("selected_test_ratio", c.result());
            if (c.validationRatio().length > 0) s.put("selected_validation_ratio", c.validationRatio()[c.selectedAfter()]);
            s.put("selected_held_out_ratio", heldOut[q]);
            s.put("final_test_ratio", c.last());
            s.put("final_held_out_ratio", heldOutLast[q]);
            s.put("max_test_ratio", java.util.Arrays.stream(c.testRatio()).max().orElse(Double.NaN));
            s.put("test_ratio_after_updates", c.testRatio());
            if (c.validationRatio().length > 0) s.put("validation_ratio_after_updates", c.validationRatio());
            s.put("train_ratio", c.trainRatio());
            s.put("critic_loss", c.criticLoss());
            s.put("actor_loss", c.actorLoss());
            s.put("z_mean", c.zMean());
            s.put("seconds", c.seconds());
            schemes.add(s);
        }
        m.put("rounds_per_minibatch", rounds);
        m.put("rounds_note", "counted on each part's Comm; the critic is central in the experiment, its rounds are what running it by message passing would take");
        m.put("lgs_on_test_graphs", lgs);
        m.put("schemes", schemes);
        m.put("authors", RunFiles.ordered("centralized_final", AUTHORS_CENTRALIZED, "centralized_max", 1.0654, "distributed_final", AUTHORS_DISTRIBUTED,
                "distributed_max", 1.0474, "start", AUTHORS_START));
        m.put("wall_seconds", wall);
        m.put("load_average_at_end", load);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("minibatches", cfg.miniBatches());
        config.put("batch", cfg.batch());
        config.put("nodes", cfg.nodes());
        config.put("graphs", cfg.graphs().id());
        if (cfg.graphs() == ConflictGraphs.Protocol.PER_MINIBATCH) config.put("average_degree", cfg.minDegree() + ".." + cfg.maxDegree());
        config.put("seed", cfg.seed());
        config.put("validation_graphs", cfg.validationPerDensity() * SchedulingTestSet.TEST_P.length);
        config.put("choices", cfg.choices());
        m.put("config", config);
        return m;
    }

    private static void writeMetrics(Path file, List<LinkScheduling.Curve> curves) throws java.io.IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("scheme,updates,test_ratio,validation_ratio,train_ratio,critic_loss,actor_loss,z_mean");
            for (LinkScheduling.Curve c : curves)
                for (int k = 0; k < c.testRatio().length; k++) {
                    boolean logged = k >= 1;
                    w.printf(Locale.ROOT, "%s,%d,%.6f,%s,%s,%s,%s,%s%n", c.scheme().id(), k, c.testRatio()[k],
                            c.validationRatio().length > 0 ? String.format(Locale.ROOT, "%.6f", c.validationRatio()[k]) : "",
                            logged ? String.format(Locale.ROOT, "%.6f", c.trainRatio()[k - 1]) : "",
                            logged ? String.format(Locale.ROOT, "%.6f", c.criticLoss()[k - 1]) : "",
                            logged ? String.format(Locale.ROOT, "%.6f", c.actorLoss()[k - 1]) : "",
                            logged ? String.format(Locale.ROOT, "%.6f", c.zMean()[k - 1]) : "");
                }
        }
    }

    /** The paper's figure: utility ratio against mini-batches, test and training for both schemes, plain LGS at 1. */
    private static void plot(Path png, List<LinkScheduling.Curve> curves) throws java.io.IOException {
        List<Charts.Series> series = new ArrayList<>();
        for (LinkScheduling.Curve c : curves) {
            int k = c.testRatio().length;
            double[] x = new double[k], xt = new double[k - 1];
            for (int q = 0; q < k; q++) x[q] = q;
            for (int q = 0; q < k - 1; q++) xt[q] = q + 1;
            series.add(new Charts.Series(c.scheme().label() + ", test", x, c.testRatio()));
            series.add(new Charts.Series(c.scheme().label() + ", training", xt, c.trainRatio()));
        }
        int k = curves.getFirst().testRatio().length - 1;
        series.add(new Charts.Series("LGS", new double[] {0, Math.max(1, k)}, new double[] {1, 1}));
        Charts.lines(png, "GCN-LGS link scheduling (Fig. 2(c))", "mini-batches (updates)", "utility ratio w.r.t. LGS", false, series);
    }
}
