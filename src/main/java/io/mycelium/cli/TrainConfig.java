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
record TrainConfig(Path file, Graph graph, Data data, Model model, Training training, Path output) {

    /** Exactly one of {@code file}, {@code generator} or {@code moving}. */
    record Graph(Path file, String generator, Moving moving, long seed) {}

    /** Dynamic topology: nodes walking in the unit square, an RGG of radius {@code radius} every mini-batch. */
    record Moving(int nodes, double radius, double step) {}

    record Data(Path features, Path labels, double testFraction) {}

    record Model(int[] widths, Activation[] activations, ShiftOperator shift, String init) {}

    record Training(List<Scheme> schemes, double lr, int batch, int epochs, int consensus, long seed) {}

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
    private static final class Reader {
        private final Path file, base;

        Reader(Path file) {
            this.file = file;
            Path parent = file.toAbsolutePath().getParent();
            this.base = parent == null ? Path.of(".") : parent;
        }

        Main.UserError bad(String field, String why) { return new Main.UserError(file + ": " + field + ": " + why); }

        TrainConfig config(JsonNode root) {
            if (root == null || root.isMissingNode() || root.isNull()) throw new Main.UserError(file + ": the config is empty");
            ObjectNode r = object(root, "(top level)", Set.of("graph", "data", "model", "training", "output"));
            Graph g = graph(object(required(r, "graph", ""), "graph", Set.of("file", "generator", "moving", "seed")));
            Data d = data(object(required(r, "data", ""), "data", Set.of("features", "labels", "test")));
            Model m = model(object(required(r, "model", ""), "model", Set.of("widths", "activations", "shift", "init")));
            Training t = training(object(required(r, "training", ""), "training",
                    Set.of("scheme", "schemes", "lr", "batch", "epochs", "consensus", "seed")));
            Path out = r.has("output") ? path(r.get("output"), "output", Path.of("")) : null;   // null: the command's default
            return new TrainConfig(file, g, d, m, t, out);
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

        Data data(ObjectNode d) {
            Path x = existing(path(required(d, "features", "data."), "data.features"), "data.features");
            Path y = existing(path(required(d, "labels", "data."), "data.labels"), "data.labels");
            double test = d.has("test") ? real(d.get("test"), "data.test") : 0.2;
            if (!(test > 0 && test < 1)) throw bad("data.test", "the held-out fraction must be in (0, 1), got " + test);
            return new Data(x, y, test);
        }

        Model model(ObjectNode m) {
            JsonNode w = required(m, "widths", "model.");
            if (!w.isArray() || w.size() < 2) throw bad("model.widths", "a list of at least two layer widths, e.g. [3, 8, 1]");
            int[] widths = new int[w.size()];
            for (int i = 0; i < widths.length; i++) widths[i] = (int) integer(w.get(i), "model.widths[" + i + "]", 1, 100_000);
            if (widths[widths.length - 1] != 1) throw bad("model.widths", "the last width must be 1 (one label per node), got " + widths[widths.length - 1]);
            int layers = widths.length - 1;
            Activation[] acts = new Activation[layers];
            JsonNode a = m.get("activations");
            if (a == null) java.util.Arrays.fill(acts, Activation.SIGMOID);
            else if (a.isTextual()) java.util.Arrays.fill(acts, activation(a, "model.activations"));
            else if (a.isArray()) {
                if (a.size() != layers) throw bad("model.activations", a.size() + " activations for " + layers + " layers");
                for (int i = 0; i < layers; i++) acts[i] = activation(a.get(i), "model.activations[" + i + "]");
            } else throw bad("model.activations", "one activation name or a list of one per layer");
            ShiftOperator shift = ShiftOperator.NORMALIZED_LAPLACIAN;
            if (m.has("shift")) {
                try {
                    shift = ShiftOperator.parse(text(m.get("shift"), "model.shift"));
                } catch (IllegalArgumentException e) {
                    throw bad("model.shift", e.getMessage());
                }
                // the training paper's layers need a symmetric S; every operator here is symmetric
            }
            String init = m.has("init") ? text(m.get("init"), "model.init") : "glorot";
            if (!init.equals("glorot") && !init.equals("uniform01")) throw bad("model.init", "choose glorot or uniform01, got '" + init + "'");
            return new Model(widths, acts, shift, init);
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
            return new Training(List.copyOf(schemes), lr, batch, epochs, k, seed);
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

    /** The configuration as written to summary.json (paths as given, resolved). */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> g = new LinkedHashMap<>();
        if (graph.file() != null) g.put("file", graph.file().toString());
        if (graph.generator() != null) g.put("generator", graph.generator());
        if (graph.moving() != null) g.put("moving", graph.moving());
        g.put("seed", graph.seed());
        m.put("graph", g);
        m.put("data", Map.of("features", data.features().toString(), "labels", data.labels().toString(), "test", data.testFraction()));
        Map<String, Object> mo = new LinkedHashMap<>();
        mo.put("widths", model.widths());
        mo.put("activations", java.util.Arrays.stream(model.activations()).map(a -> a.name().toLowerCase(java.util.Locale.ROOT)).toList());
        mo.put("shift", model.shift().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        mo.put("init", model.init());
        m.put("model", mo);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("schemes", training.schemes().stream().map(Scheme::id).toList());
        t.put("lr", training.lr());
        t.put("batch", training.batch());
        t.put("epochs", training.epochs());
        t.put("consensus", training.consensus());
        t.put("seed", training.seed());
        m.put("training", t);
        return m;
    }
}
