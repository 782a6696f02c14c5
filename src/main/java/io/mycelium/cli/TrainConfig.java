package io.mycelium.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.train.Scheme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The YAML configuration of {@code mycelium train}, checked field by field: an unknown key, a
 * missing field or a bad value is reported as {@code FILE: field.path: problem}; YAML syntax
 * errors with their line and column. Relative file paths are resolved against the config's
 * directory. See {@code examples/train-example.yaml} for every field.
 */
record TrainConfig(Path file, Task task, Graph graph, Data data, Model model, Training training, Path output) {

    /** What is predicted and how it is scored. */
    enum Task {
        /** One number per node and sample, mean squared error (the training paper's task). */
        NODE_REGRESSION("node-regression"),
        /** A class per node, cross-entropy of the softmax over the output width, accuracy. */
        NODE_CLASSIFICATION("node-classification"),
        /** A class per graph: mean of the node outputs, an MLP readout, cross-entropy, accuracy. */
        GRAPH_CLASSIFICATION("graph-classification");

        final String id;

        Task(String id) { this.id = id; }

        boolean classification() { return this != NODE_REGRESSION; }
    }

    /** Exactly one of {@code file}, {@code generator} or {@code moving} (CSV data only; the other sources bring their graphs). */
    record Graph(Path file, String generator, Moving moving, long seed) {}

    /** Dynamic topology: nodes walking in the unit square, an RGG of radius {@code radius} every mini-batch. */
    record Moving(int nodes, double radius, double step) {}

    /**
     * Where samples come from: CSV files ({@code features}, {@code labels}, with {@code graph}), a
     * Planetoid citation graph ({@code planetoid}: Cora, CiteSeer, PubMed) or a TU graph set
     * ({@code tu}: MUTAG, PROTEINS), the last two from {@code dir} or the data directory. The split:
     * {@code shuffle} (seeded, the default), {@code last} (the last {@code test} fraction, in file
     * order), {@code file} (one line {@code sample,train|test} each, in {@code splitFile}) or
     * {@code public} (Planetoid's 140/500/1000 nodes).
     */
    record Data(Path features, Path labels, String planetoid, String tu, Path dir, Split split, Path splitFile, double testFraction, long seed) {
        boolean csv() { return features != null; }
    }

    enum Split { SHUFFLE, LAST, FILE, PUBLIC }

    /**
     * {@code type} gcnn: the training paper's GCNN ({@code widths}, {@code activations}, {@code shift},
     * {@code init}, {@code selfWeight}); any other type is a registered model built from {@code spec}.
     */
    record Model(String type, int[] widths, Activation[] activations, ShiftOperator shift, String init, boolean selfWeight, TrainModel spec) {
        boolean gcnn() { return type.equals("gcnn"); }

        /** The GCNN of this config on {@code g}'s shift operator. */
        io.mycelium.model.Gcnn gcnn(io.mycelium.graph.Graph g) {
            return new io.mycelium.model.Gcnn(shift.of(g), widths, activations,
                    init.equals("uniform01") ? io.mycelium.model.Gcnn.UNIFORM01 : io.mycelium.model.Gcnn.GLOROT, selfWeight);
        }
    }

    /**
     * @param weightDecay   L2 penalty (λ/2)·‖θ‖² added to the loss in sgd and adam training off the GCNN path
     * @param weightDecayOn prefixes of the parameter names the penalty covers (e.g. {@code l0.}: the GCNN's first layer), empty for all
     * @param dropout       probability of zeroing an entry of the input of every layer in training (the input features, and the
     *                      hidden embeddings of layered models and the GCNN; sgd and adam off the GCNN path)
     * @param tol         fixed-point tolerance of the implicit models (max-abs change per iteration)
     * @param maxIter     fixed-point iteration budget
     */
    record Training(List<Scheme> schemes, double lr, int batch, int epochs, int consensus, long seed, double weightDecay, List<String> weightDecayOn,
                    double dropout, double tol, int maxIter) {}

    static TrainConfig load(Path file) {
        JsonNode root;
        String text = "";
        try {
            text = Files.readString(file);
            root = new YAMLMapper().readTree(text);
        } catch (NoSuchFileException e) {
            throw new Main.UserError(file + ": no such config file");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Main.UserError(file + " line " + Math.max(1, io.mycelium.util.TextFiles.firstNonUtf8Line(file)) + ": not UTF-8 text (is this a YAML config?)");
        } catch (JsonProcessingException e) {
            throw new Main.UserError(yamlError(file, text, e));
        } catch (IOException e) {
            throw new Main.UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
        return new Reader(file).config(root);
    }

    /**
     * A YAML syntax error in one line: where the parser found the problem (the last mark it names)
     * and what it is, without the excerpts and carets of the parser's message.
     */
    static String yamlError(Path file, String text, JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        JsonLocation l = e.getLocation();
        String where = l == null ? "" : " line " + l.getLineNr() + ", column " + l.getColumnNr();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("line (\\d+), column (\\d+)").matcher(msg);
        boolean marked = false;
        while (m.find()) {
            where = " line " + m.group(1) + ", column " + m.group(2);
            marked = true;
        }
        String cause = e.getCause() == null ? "" : e.getCause().toString();   // a reader error gives its position only there
        java.util.regex.Matcher pos = java.util.regex.Pattern.compile("position (\\d+)").matcher(msg + "\n" + cause);
        if (!marked && pos.find()) {   // the reader's errors (e.g. a control character) give a character position
            int at = (int) Math.min(Long.parseLong(pos.group(1)), text.length()), line = 1;
            for (int q = 0; q < at; q++) if (text.charAt(q) == '\n') line++;
            where = " line " + line;
        }
        List<String> what = new ArrayList<>();
        for (String s : msg.split("\n")) {
            String t = s.strip();
            if (t.isEmpty() || t.startsWith("in 'reader'") || t.startsWith("in \"'reader'\"") || t.startsWith("^") || s.startsWith("    ")) continue;
            StringBuilder b = new StringBuilder();
            for (char c : t.toCharArray()) b.append(c < ' ' || c == 0x7f ? '?' : c);
            what.add(b.toString());
        }
        return file + where + ": not valid YAML (" + String.join("; ", what) + ")";
    }

    /** Walks the tree, keeping the config file for error messages. */
    static final class Reader {
        private final Path file, base;

        Reader(Path file) {
            this.file = file;
            Path parent = file.toAbsolutePath().getParent();
            this.base = parent == null ? Path.of(".") : parent;
        }

        Path file() { return file; }

        /** A config error: {@code FILE: field: why}. */
        Main.UserError bad(String field, String why) { return new Main.UserError(file + ": " + field + ": " + why); }

        TrainConfig config(JsonNode root) {
            if (root == null || root.isMissingNode() || root.isNull()) throw new Main.UserError(file + ": the config is empty");
            ObjectNode r = object(root, "(top level)", Set.of("task", "graph", "data", "model", "training", "output"));
            Task task = r.has("task") ? task(r.get("task")) : Task.NODE_REGRESSION;
            Data d = data(object(required(r, "data", ""), "data",
                    Set.of("features", "labels", "planetoid", "tu", "dir", "split", "split-file", "test", "seed")), task);
            Graph g = null;
            if (d.csv()) g = graph(object(required(r, "graph", ""), "graph", Set.of("file", "generator", "moving", "seed")));
            else if (r.has("graph")) throw bad("graph", "the " + (d.planetoid() != null ? "Planetoid" : "TU") + " data bring their own graph; remove this section");
            if (!(required(r, "model", "") instanceof ObjectNode mo)) throw bad("model", "expected a mapping with 'type' and the model's fields");
            Model m = model(mo, task);
            Training t = training(object(required(r, "training", ""), "training",
                    Set.of("scheme", "schemes", "lr", "batch", "epochs", "consensus", "seed", "weight-decay", "weight-decay-on", "dropout", "tol", "max-iter")));
            TrainConfig cfg = new TrainConfig(file, task, g, d, m, t, r.has("output") ? path(r.get("output"), "output", Path.of("")) : null);
            List<Scheme> ok = cfg.applicableSchemes();
            for (int i = 0; i < t.schemes().size(); i++)
                if (!ok.contains(t.schemes().get(i)))
                    throw bad(t.schemes().size() == 1 ? "training.scheme" : "training.schemes[" + i + "]", "'" + t.schemes().get(i).id() + "' does not apply to "
                            + cfg.modelName() + " on " + task.id + " data" + (d.csv() ? "" : " from " + (d.planetoid() != null ? "Planetoid" : "TU"))
                            + "; what applies: " + ok.stream().map(Scheme::id).toList());
            if (g != null && g.moving() != null && !cfg.gcnnPath())
                throw bad("graph.moving", "a dynamic topology is trained by the GCNN node-regression path only (Rewirable models)");
            return cfg;
        }

        Task task(JsonNode n) {
            String s = text(n, "task");
            for (Task t : Task.values()) if (t.id.equals(s)) return t;
            throw bad("task", "unknown task '" + s + "'; choose one of " + java.util.Arrays.stream(Task.values()).map(t -> t.id).toList());
        }

        Graph graph(ObjectNode g) {
            int given = (g.has("file") ? 1 : 0) + (g.has("generator") ? 1 : 0) + (g.has("moving") ? 1 : 0);
            if (given != 1) throw bad("graph", "give exactly one of 'file' (an edge list), 'generator' (e.g. ba:100:2) or 'moving' (a dynamic topology)");
            long seed = g.has("seed") ? integer(g.get("seed"), "graph.seed", Long.MIN_VALUE, Long.MAX_VALUE) : 1;
            Path f = g.has("file") ? existing(path(g.get("file"), "graph.file"), "graph.file") : null;
            String gen = g.has("generator") ? text(g.get("generator"), "graph.generator") : null;
            Moving mv = null;
            if (g.has("moving")) {
                ObjectNode o = object(g.get("moving"), "graph.moving", Set.of("nodes", "radius", "step"));
                int n = (int) integer(required(o, "nodes", "graph.moving."), "graph.moving.nodes", 1, io.mycelium.graph.Graph.MAX_NODES);
                double radius = real(required(o, "radius", "graph.moving."), "graph.moving.radius");
                if (!(radius > 0) || radius > Math.sqrt(2)) throw bad("graph.moving.radius", "must be in (0, 1.414], got " + radius);
                double step = real(required(o, "step", "graph.moving."), "graph.moving.step");
                if (!(step >= 0) || step > 1) throw bad("graph.moving.step", "must be in [0, 1], got " + step);
                mv = new Moving(n, radius, step);
            }
            return new Graph(f, gen, mv, seed);
        }

        Data data(ObjectNode d, Task task) {
            int sources = (d.has("features") || d.has("labels") ? 1 : 0) + (d.has("planetoid") ? 1 : 0) + (d.has("tu") ? 1 : 0);
            if (sources != 1) throw bad("data", "give exactly one source: 'features' and 'labels' (CSV files), 'planetoid' (e.g. Cora) or 'tu' (e.g. MUTAG)");
            Path x = null, y = null, dir = null;
            String planetoid = null, tu = null;
            if (d.has("features") || d.has("labels")) {
                x = existing(path(required(d, "features", "data."), "data.features"), "data.features");
                y = existing(path(required(d, "labels", "data."), "data.labels"), "data.labels");
                if (d.has("dir")) throw bad("data.dir", "only for 'planetoid' and 'tu' data; CSV files are named by 'features' and 'labels'");
                if (task == Task.GRAPH_CLASSIFICATION) throw bad("task", "graph-classification needs a set of graphs: data.tu (e.g. MUTAG)");
            } else {
                if (d.has("planetoid")) {
                    planetoid = text(d.get("planetoid"), "data.planetoid");
                    if (task != Task.NODE_CLASSIFICATION) throw bad("task", "Planetoid data are node-classification, not " + task.id);
                } else {
                    tu = text(d.get("tu"), "data.tu");
                    if (task != Task.GRAPH_CLASSIFICATION) throw bad("task", "TU data are graph-classification, not " + task.id);
                }
                if (d.has("dir")) {
                    dir = path(d.get("dir"), "data.dir");
                    if (!Files.isDirectory(dir)) throw bad("data.dir", dir + ": no such directory");
                }
            }
            Split split = planetoid != null ? Split.PUBLIC : Split.SHUFFLE;
            if (d.has("split")) {
                String s = text(d.get("split"), "data.split");
                split = switch (s) {
                    case "shuffle" -> Split.SHUFFLE;
                    case "last" -> Split.LAST;
                    case "file" -> Split.FILE;
                    case "public" -> Split.PUBLIC;
                    default -> throw bad("data.split", "unknown split '" + s + "'; choose shuffle (seeded, the default), last (the last 'test' fraction in file order), file (data.split-file) or public (Planetoid)");
                };
            }
            if ((split == Split.PUBLIC) != (planetoid != null))
                throw bad("data.split", planetoid != null ? "Planetoid data use their public split (140 train / 500 validation / 1000 test nodes)" : "'public' is the split of the Planetoid data only");
            Path splitFile = null;
            if (split == Split.FILE) splitFile = existing(path(required(d, "split-file", "data."), "data.split-file"), "data.split-file");
            else if (d.has("split-file")) throw bad("data.split-file", "only with 'split: file'");
            if (d.has("test") && (split == Split.FILE || split == Split.PUBLIC)) throw bad("data.test", "the " + split.name().toLowerCase(java.util.Locale.ROOT) + " split fixes the test set; remove 'test'");
            double test = d.has("test") ? real(d.get("test"), "data.test") : 0.2;
            if (!(test > 0 && test < 1)) throw bad("data.test", "the held-out fraction must be in (0, 1), got " + test);
            if (d.has("seed") && split != Split.SHUFFLE) throw bad("data.seed", "only the shuffle split takes a seed");
            long seed = d.has("seed") ? integer(d.get("seed"), "data.seed", Long.MIN_VALUE, Long.MAX_VALUE) : 1;
            return new Data(x, y, planetoid, tu, dir, split, splitFile, test, seed);
        }

        Model model(ObjectNode m, Task task) {
            String type = m.has("type") ? text(m.get("type"), "model.type").toLowerCase(java.util.Locale.ROOT) : "gcnn";
            if (!type.equals("gcnn")) return new Model(type, null, null, null, null, true, TrainModel.read(m, type, this));
            object(m, "model", Set.of("type", "widths", "activations", "shift", "init", "self-weight"));
            JsonNode w = required(m, "widths", "model.");
            if (!w.isArray() || w.size() < 2) throw bad("model.widths", "a list of at least two layer widths, e.g. [3, 8, 1]");
            int[] widths = ints(w, "model.widths", 1);
            int last = widths[widths.length - 1];
            if (task == Task.NODE_REGRESSION && last != 1) throw bad("model.widths", "the last width must be 1 (one label per node), got " + last);
            if (task.classification() && last < 2) throw bad("model.widths", "the last width is the number of classes (at least 2), got " + last);
            int layers = widths.length - 1;
            Activation[] acts = new Activation[layers];
            JsonNode a = m.get("activations");
            if (a == null) java.util.Arrays.fill(acts, Activation.SIGMOID);
            else if (a.isTextual()) java.util.Arrays.fill(acts, activation(a, "model.activations"));
            else if (a.isArray()) {
                if (a.size() != layers) throw bad("model.activations", a.size() + " activations for " + layers + " layers");
                for (int i = 0; i < layers; i++) acts[i] = activation(a.get(i), "model.activations[" + i + "]");
            } else throw bad("model.activations", "one activation name or a list of one per layer");
            ShiftOperator shift = m.has("shift") ? shift(m.get("shift"), "model.shift") : ShiftOperator.NORMALIZED_LAPLACIAN;
            // the training paper's layers need a symmetric S; every operator here is symmetric
            String init = m.has("init") ? text(m.get("init"), "model.init") : "glorot";
            if (!init.equals("glorot") && !init.equals("uniform01")) throw bad("model.init", "choose glorot or uniform01, got '" + init + "'");
            boolean selfWeight = !m.has("self-weight") || bool(m.get("self-weight"), "model.self-weight");
            return new Model(type, widths, acts, shift, init, selfWeight, null);
        }

        ShiftOperator shift(JsonNode n, String field) {
            try {
                return ShiftOperator.parse(text(n, field));
            } catch (IllegalArgumentException e) {
                throw bad(field, e.getMessage());
            }
        }

        /** A list of integers, each at least {@code min}. */
        int[] ints(JsonNode w, String field, int min) {
            if (!w.isArray()) throw bad(field, "expected a list of integers, got " + w);
            int[] r = new int[w.size()];
            for (int i = 0; i < r.length; i++) r[i] = (int) integer(w.get(i), field + "[" + i + "]", min, 100_000);
            return r;
        }

        Training training(ObjectNode t) {
            if (t.has("scheme") == t.has("schemes")) throw bad("training", "give either 'scheme' or 'schemes' (a list), not both or neither");
            List<Scheme> schemes = new ArrayList<>();
            if (t.has("scheme")) schemes.add(scheme(t.get("scheme"), "training.scheme"));
            else {
                JsonNode s = t.get("schemes");
                if (!s.isArray() || s.isEmpty()) throw bad("training.schemes", "a non-empty list of scheme names, e.g. [sgd, d-amsgrad]");
                for (int i = 0; i < s.size(); i++) {
                    Scheme sc = scheme(s.get(i), "training.schemes[" + i + "]");
                    if (schemes.contains(sc)) throw bad("training.schemes[" + i + "]", "'" + sc.id() + "' is listed twice");
                    schemes.add(sc);
                }
            }
            double lr = real(required(t, "lr", "training."), "training.lr");
            if (!(lr > 0)) throw bad("training.lr", "must be positive, got " + lr);
            int batch = (int) integer(required(t, "batch", "training."), "training.batch", 1, Integer.MAX_VALUE);
            int epochs = (int) integer(required(t, "epochs", "training."), "training.epochs", 1, 10_000_000);
            int k = t.has("consensus") ? (int) integer(t.get("consensus"), "training.consensus", 1, 1_000_000) : 1;
            long seed = t.has("seed") ? integer(t.get("seed"), "training.seed", Long.MIN_VALUE, Long.MAX_VALUE) : 1;
            double wd = t.has("weight-decay") ? real(t.get("weight-decay"), "training.weight-decay") : 0;
            if (!(wd >= 0)) throw bad("training.weight-decay", "must be >= 0, got " + wd);
            List<String> wdOn = new ArrayList<>();
            if (t.has("weight-decay-on")) {
                JsonNode on = t.get("weight-decay-on");
                if (!on.isArray() || on.isEmpty()) throw bad("training.weight-decay-on", "a non-empty list of parameter-name prefixes, e.g. [l0.]");
                for (int i = 0; i < on.size(); i++) wdOn.add(text(on.get(i), "training.weight-decay-on[" + i + "]"));
            }
            double dropout = t.has("dropout") ? real(t.get("dropout"), "training.dropout") : 0;
            if (!(dropout >= 0 && dropout < 1)) throw bad("training.dropout", "a probability in [0, 1), got " + dropout);
            double tol = t.has("tol") ? real(t.get("tol"), "training.tol") : 1e-6;
            if (!(tol > 0)) throw bad("training.tol", "must be positive, got " + tol);
            int maxIter = t.has("max-iter") ? (int) integer(t.get("max-iter"), "training.max-iter", 1, 10_000_000) : 1000;
            return new Training(List.copyOf(schemes), lr, batch, epochs, k, seed, wd, List.copyOf(wdOn), dropout, tol, maxIter);
        }

        // ---------------------------------------------------------------- typed reads

        ObjectNode object(JsonNode n, String field, Set<String> keys) {
            if (!(n instanceof ObjectNode o)) throw bad(field, "expected a mapping of " + new java.util.TreeSet<>(keys));
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k))
                    throw bad(field.equals("(top level)") ? k : field + "." + k, "unknown field; expected one of " + new java.util.TreeSet<>(keys));
            }
            return o;
        }

        JsonNode required(ObjectNode o, String key, String prefix) {
            JsonNode n = o.get(key);
            if (n == null || n.isNull()) throw bad(prefix + key, "missing");
            return n;
        }

        boolean bool(JsonNode n, String field) {
            if (!n.isBoolean()) throw bad(field, "expected true or false, got " + n);
            return n.asBoolean();
        }

        String text(JsonNode n, String field) {
            if (!n.isTextual() || n.asText().isBlank()) throw bad(field, "expected a non-empty string, got " + n);
            return n.asText().strip();
        }

        Path path(JsonNode n, String field) { return path(n, field, base); }

        /** A path field, relative ones resolved against {@code against}. */
        Path path(JsonNode n, String field, Path against) {
            Path p;
            try {
                p = Path.of(text(n, field));
            } catch (java.nio.file.InvalidPathException e) {
                throw bad(field, "not a valid path: " + e.getReason());
            }
            return p.isAbsolute() ? p : against.resolve(p).normalize();
        }

        /** An input file that must be there: named with its config field when it is not. */
        Path existing(Path p, String field) {
            if (Files.isDirectory(p)) throw bad(field, p + " is a directory, not a file");
            if (!Files.isRegularFile(p)) throw bad(field, p + ": no such file");
            return p;
        }

        long integer(JsonNode n, String field, long min, long max) {
            if (!n.isIntegralNumber()) throw bad(field, "expected an integer, got " + n);
            if (!n.canConvertToLong() || n.asLong() < min || n.asLong() > max)
                throw bad(field, "must be in " + min + ".." + max + ", got " + n);
            return n.asLong();
        }

        double real(JsonNode n, String field) {
            if (!n.isNumber()) throw bad(field, "expected a number, got " + n);
            double d = n.asDouble();
            if (!Double.isFinite(d)) throw bad(field, "must be finite, got " + n);
            return d;
        }

        Activation activation(JsonNode n, String field) {
            try {
                return Activation.parse(text(n, field));
            } catch (IllegalArgumentException e) {
                throw bad(field, e.getMessage());
            }
        }

        Scheme scheme(JsonNode n, String field) {
            try {
                return Scheme.parse(text(n, field));
            } catch (IllegalArgumentException e) {
                throw bad(field, e.getMessage());
            }
        }
    }

    /**
     * Whether this config runs on the training paper's path (the GCNN regressing CSV samples, every
     * scheme of {@link Scheme}, rounds and bytes counted) rather than the registered models' trainer.
     */
    boolean gcnnPath() { return model.gcnn() && task == Task.NODE_REGRESSION && data.csv(); }

    String modelName() { return model.gcnn() ? "the GCNN" : model.spec().type(); }

    /**
     * The schemes this model and task can train with: every scheme on the GCNN path; sgd and adam
     * (centralized) for every model; d-sgd and d-amsgrad (either order; train.DistributedImplicit) for the implicit
     * models on CSV samples or TU graphs, whose devices are the graph's nodes.
     */
    List<Scheme> applicableSchemes() {
        if (gcnnPath()) return List.of(Scheme.values());
        if (!model.gcnn() && model.spec().implicit() && data.planetoid() == null && task != Task.NODE_CLASSIFICATION)
            return List.of(Scheme.SGD, Scheme.ADAM, Scheme.D_SGD, Scheme.D_AMSGRAD, Scheme.D_AMSGRAD_TRACKER_FIRST);
        return List.of(Scheme.SGD, Scheme.ADAM);
    }

    /** The configuration as written to summary.json (paths as given, resolved). */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task.id);
        if (graph != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            if (graph.file() != null) g.put("file", graph.file().toString());
            if (graph.generator() != null) g.put("generator", graph.generator());
            if (graph.moving() != null) g.put("moving", graph.moving());
            g.put("seed", graph.seed());
            m.put("graph", g);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        if (data.csv()) {
            d.put("features", data.features().toString());
            d.put("labels", data.labels().toString());
        }
        if (data.planetoid() != null) d.put("planetoid", data.planetoid());
        if (data.tu() != null) d.put("tu", data.tu());
        if (data.dir() != null) d.put("dir", data.dir().toString());
        d.put("split", data.split().name().toLowerCase(java.util.Locale.ROOT));
        if (data.splitFile() != null) d.put("splitFile", data.splitFile().toString());
        if (data.split() == Split.SHUFFLE || data.split() == Split.LAST) d.put("test", data.testFraction());
        if (data.split() == Split.SHUFFLE) d.put("seed", data.seed());
        m.put("data", d);
        Map<String, Object> mo = new LinkedHashMap<>();
        if (model.gcnn()) {
            mo.put("type", "gcnn");
            mo.put("widths", model.widths());
            mo.put("activations", java.util.Arrays.stream(model.activations()).map(a -> a.name().toLowerCase(java.util.Locale.ROOT)).toList());
            mo.put("shift", model.shift().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            mo.put("init", model.init());
            mo.put("self-weight", model.selfWeight());
        } else mo.putAll(model.spec().fields());
        m.put("model", mo);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("schemes", training.schemes().stream().map(Scheme::id).toList());
        t.put("lr", training.lr());
        t.put("batch", training.batch());
        t.put("epochs", training.epochs());
        t.put("consensus", training.consensus());
        t.put("seed", training.seed());
        if (!gcnnPath()) {
            t.put("weightDecay", training.weightDecay());
            if (!training.weightDecayOn().isEmpty()) t.put("weightDecayOn", training.weightDecayOn());
            t.put("dropout", training.dropout());
            t.put("tol", training.tol());
            t.put("maxIter", training.maxIter());
        }
        m.put("training", t);
        return m;
    }
}
