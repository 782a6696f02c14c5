package io.mycelium.cli;

import io.mycelium.tensor.Init;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded corruptions of a valid {@code train} input — the YAML config, the edge list, the CSV
 * features and labels — each run through {@link Main#execute} in this JVM. Every corruption is
 * chosen so that the input is wrong (a cut line, a wrong type, NaN/Inf, an id out of range, a
 * missing field, a number too large, bytes that are not text), and each must end with exit code 2, a
 * message naming the file and the line or field, no stack trace, and nothing written.
 */
class InputFuzzTest {
    static final int CASES = 336;   // 4 files × 7 kinds × 12 seeds
    static final int SAMPLES = 30;   // of the example's 150: enough to train, small enough to write 336 times
    static final String[] FILES = {"cfg.yaml", "edges.txt", "features.csv", "labels.csv"};
    static final String[] KINDS = {"truncated", "wrong type", "NaN/Inf", "id out of range", "missing field", "huge number", "binary junk"};

    static final String CONFIG = """
            graph:
              file: edges.txt
              seed: 1
            data:
              features: features.csv
              labels: labels.csv
              test: 0.2
            model:
              widths: [3, 8, 1]
              activations: [tanh, sigmoid]
              shift: normalized-laplacian
              init: glorot
            training:
              schemes: [sgd, d-sgd]
              lr: 0.01
              batch: 10
              consensus: 1
              seed: 1
              epochs: 2
            """;
    static String edges, features, labels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readTheExample() throws Exception {
        Path ex = Path.of("examples").toAbsolutePath();
        // without comment lines: junk inside a comment would leave the file valid
        edges = String.join("\n", Files.readAllLines(ex.resolve("example-edges.txt")).stream().filter(l -> !l.startsWith("#")).toList()) + "\n";
        features = firstSamples(Files.readAllLines(ex.resolve("example-features.csv")));
        labels = firstSamples(Files.readAllLines(ex.resolve("example-labels.csv")));
    }

    /** The header and the lines of samples 0..SAMPLES-1. */
    private static String firstSamples(List<String> lines) {
        StringBuilder b = new StringBuilder(lines.getFirst()).append('\n');
        for (String l : lines.subList(1, lines.size())) if (Integer.parseInt(l.split(",")[0]) < SAMPLES) b.append(l).append('\n');
        return b.toString();
    }

    static IntStream cases() { return IntStream.range(0, CASES); }



    /** The uncorrupted input trains (exit 0): so every failure below is the corruption's doing. */
    @Test
    void theUncorruptedInputTrains() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("valid"));
        write(dir, new byte[][] {bytes(CONFIG), bytes(edges), bytes(features), bytes(labels)});
        CliRun r = CliRun.of("train", dir.resolve("cfg.yaml").toString(), "--out", dir.resolve("out").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("out").resolve(OutputDir.MARKER)).exists();
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void everyCorruptionIsExitTwoNamesTheFileAndLineOrFieldAndWritesNothing(int seed) throws Exception {
        UniformRandomProvider rng = Init.rng(0xF022L * 7919 + seed);
        int file = seed % FILES.length, kind = (seed / FILES.length) % KINDS.length;
        byte[][] content = {bytes(CONFIG), bytes(edges), bytes(features), bytes(labels)};
        String[] what = new String[1];
        content[file] = switch (file) {
            case 0 -> config(kind, rng, what);
            case 1 -> edgeList(kind, rng, what);
            default -> csv(file == 2 ? features : labels, file == 2 ? 3 : 1, kind, rng, what);
        };
        Path dir = Files.createDirectories(tmp.resolve("case" + seed));
        write(dir, content);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("train", dir.resolve("cfg.yaml").toString(), "--out", out.toString());
        String about = "case " + seed + ", " + FILES[file] + ", " + KINDS[kind] + " (" + what[0] + "):\n" + r.err();
        assertThat(r.code()).as(about).isEqualTo(2);
        String name = Pattern.quote(FILES[file]);
        // FILE:LINE / FILE line N / FILE: field.path / FILE: (file-wide facts about samples and nodes)
        Pattern located = Pattern.compile(name + "(:\\d+:| line \\d+|: (graph|data|model|training|output)\\b|: [a-z]+[.\\[]"
                + "|: [^:\\n]+: unknown field|: the config is empty|: no data lines|: no line for sample \\d+, node \\d+|: covers only \\d+ samples)");
        assertThat(located.matcher(r.err()).find()).as(about).isTrue();
        assertThat(r.err()).as(about).startsWith("mycelium: ").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines().count()).as(about).isEqualTo(1);
        assertThat(out).as(about).doesNotExist();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).as(about).containsExactly(FILES[0], FILES[1], FILES[2], FILES[3]);
        }
    }

    private static void write(Path dir, byte[][] content) throws Exception {
        for (int f = 0; f < FILES.length; f++) Files.write(dir.resolve(FILES[f]), content[f]);
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    // ------------------------------------------------------------------------------- the config

    /** The config's scalar fields: key, the line it is on, whether it is a number. */
    private record Field(String key, int line, boolean numeric) {}

    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        String[] lines = CONFIG.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (!l.startsWith("  ")) continue;
            String key = l.strip().split(":")[0], value = l.substring(l.indexOf(':') + 1).strip();
            out.add(new Field(key, i, !value.isEmpty() && (Character.isDigit(value.charAt(0)) || value.startsWith("["))));
        }
        return out;
    }

    private static byte[] config(int kind, UniformRandomProvider rng, String[] what) {
        String[] lines = CONFIG.split("\n", -1);
        List<Field> fs = fields();
        switch (kind) {
            case 0 -> {   // truncated: cut anywhere before the last field's value is complete
                int cut = rng.nextInt(CONFIG.length() - 1);
                what[0] = "cut at " + cut;
                return bytes(CONFIG.substring(0, cut));
            }
            case 1 -> {   // a value of the wrong type
                Field f = fs.get(rng.nextInt(fs.size()));
                String[] numbersWrong = {"abc", "'12'", "true", "{a: 1}", "[]", "\"\""};
                String[] textWrong = {"42", "[a, b]", "{x: y}", "true", "3.5", "''"};
                String v = f.numeric() ? numbersWrong[rng.nextInt(numbersWrong.length)] : textWrong[rng.nextInt(textWrong.length)];
                if (f.key().equals("seed") && !f.numeric()) v = "abc";
                lines[f.line()] = "  " + f.key() + ": " + v;
                what[0] = lines[f.line()].strip();
            }
            case 2 -> {   // NaN or infinity in a numeric field (or in a list of widths)
                List<Field> num = fs.stream().filter(Field::numeric).toList();
                Field f = num.get(rng.nextInt(num.size()));
                String[] v = {".nan", ".inf", "-.inf", ".NaN", "1e999"};
                String x = v[rng.nextInt(v.length)];
                lines[f.line()] = "  " + f.key() + ": " + (f.key().equals("widths") ? "[3, " + x + ", 1]" : x);
                what[0] = lines[f.line()].strip();
            }
            case 3 -> {   // a value out of its range
                String[][] bad = {{"batch", "0"}, {"batch", "-3"}, {"batch", "25"}, {"epochs", "0"}, {"epochs", "-1"}, {"consensus", "0"},
                        {"lr", "0"}, {"lr", "-0.5"}, {"test", "0"}, {"test", "1"}, {"test", "-0.1"}, {"widths", "[3, 0, 1]"},
                        {"widths", "[3, 8, 2]"}, {"widths", "[4, 8, 1]"}, {"widths", "[3]"}, {"activations", "[tanh]"}};
                String[] b = bad[rng.nextInt(bad.length)];
                Field f = fs.stream().filter(x -> x.key().equals(b[0])).findFirst().orElseThrow();
                lines[f.line()] = "  " + b[0] + ": " + b[1];
                what[0] = lines[f.line()].strip();
            }
            case 4 -> {   // a required field or section missing, or an unknown one
                String[] required = {"file", "features", "labels", "widths", "lr", "batch", "epochs", "schemes"};
                int r = rng.nextInt(required.length + 3);
                if (r < required.length) {
                    Field f = fs.stream().filter(x -> x.key().equals(required[r])).findFirst().orElseThrow();
                    lines[f.line()] = "";
                    what[0] = "without " + f.key();
                } else if (r == required.length) {
                    what[0] = "without the model section";
                    return bytes(CONFIG.replaceAll("(?s)model:.*?(?=training:)", ""));
                } else {
                    int at = fs.get(rng.nextInt(fs.size())).line();
                    lines[at] = lines[at] + "\n  colour: blue";
                    what[0] = "an unknown field";
                }
            }
            case 5 -> {   // numbers too large for their field
                String[][] huge = {{"epochs", "99999999999999999999"}, {"epochs", "1e12"}, {"batch", "2147483648"}, {"batch", "1e10"},
                        {"consensus", "10000000000"}, {"widths", "[3, 999999999999, 1]"}, {"widths", "[3, 100001, 1]"}, {"lr", "1e400"},
                        {"seed", "123456789012345678901234567890"}, {"test", "1e300"}};
                String[] h = huge[rng.nextInt(huge.length)];
                Field f = fs.stream().filter(x -> x.key().equals(h[0])).findFirst().orElseThrow();
                lines[f.line()] = "  " + h[0] + ": " + h[1];
                what[0] = lines[f.line()].strip();
            }
            default -> {   // bytes that are not text, inserted into a line
                return withJunk(lines, rng.nextInt(lines.length - 1), rng, what);
            }
        }
        return bytes(String.join("\n", lines));
    }

    // ------------------------------------------------------------------------------- the edge list

    private static byte[] edgeList(int kind, UniformRandomProvider rng, String[] what) {
        String[] lines = edges.split("\n", -1);
        int header = 0;   // "nodes 20"
        int at = 1 + rng.nextInt(lines.length - 2);   // an edge line
        String[] t = lines[at].split(" ");
        switch (kind) {
            case 0 -> {   // the file cut inside a line, after its first id
                what[0] = "cut after '" + t[0] + "' of line " + (at + 1);
                return bytes(String.join("\n", Arrays.copyOfRange(lines, 0, at)) + "\n" + t[0] + " ");
            }
            case 1 -> {   // a field of the wrong type
                String[] wrong = {"abc", "1.5", "0x10", "1e1", "one", "--", "3.0", "*"};
                String w = wrong[rng.nextInt(wrong.length)];
                if (rng.nextInt(5) == 0) lines[header] = "nodes " + w;
                else lines[at] = rng.nextBoolean() ? w + " " + t[1] : t[0] + " " + w;
            }
            case 2 -> {   // a non-finite weight (on one line, or on all of them)
                String[] nf = {"NaN", "Infinity", "-Infinity", "1e999", "nan", "inf"};
                String w = nf[rng.nextInt(nf.length)];
                if (rng.nextBoolean()) lines[at] = lines[at] + " " + w;
                else for (int i = 1; i < lines.length - 1; i++) lines[i] = lines[i] + (i == at ? " " + w : " 1.0");
            }
            case 3 -> {   // an id out of range: past the declared count, negative
                String[] ids = {"20", "21", "1000", "-1", "-20"};
                String id = ids[rng.nextInt(ids.length)];
                lines[at] = rng.nextBoolean() ? id + " " + t[1] : t[0] + " " + id;
            }
            case 4 -> {   // a missing field, or a self-loop
                int r = rng.nextInt(3);
                lines[at] = r == 0 ? t[0] : r == 1 ? t[1] + " " + t[1] : "nodes";   // one id, a self-loop, a second bare header
            }
            case 5 -> {   // numbers too large
                String[] huge = {"99999999999", "2147483647", "9223372036854775808", "10000000", "1e308"};
                String h = huge[rng.nextInt(huge.length)];
                if (rng.nextInt(4) == 0) lines[header] = "nodes " + (h.equals("10000000") ? "10000001" : h);
                else lines[at] = t[0] + " " + h;
            }
            default -> {   // bytes that are not text, inserted into a line
                return withJunk(lines, at, rng, what);
            }
        }
        if (what[0] == null) what[0] = "line " + (at + 1) + " is now '" + lines[at] + "', line 1 '" + lines[header] + "'";
        return bytes(String.join("\n", lines));
    }

    // ------------------------------------------------------------------------------- the CSV files

    /** {@code values} columns after sample and node; line 1 is the header. */
    private static byte[] csv(String text, int values, int kind, UniformRandomProvider rng, String[] what) {
        String[] lines = text.split("\n", -1);
        int data = lines.length - 2;   // the last element is the empty string after the final newline
        int at = 1 + rng.nextInt(data);
        String[] f = lines[at].split(",", -1);
        int field = rng.nextInt(f.length);
        switch (kind) {
            case 0 -> {   // truncated: cut inside a line after a comma, or whole lines off the end
                if (rng.nextBoolean()) {
                    int keep = 1 + rng.nextInt(f.length - 1);
                    what[0] = "cut line " + (at + 1) + " after " + keep + " fields";
                    return bytes(String.join("\n", Arrays.copyOfRange(lines, 0, at)) + "\n" + String.join(",", Arrays.copyOf(f, keep)) + ",");
                }
                int drop = 1 + rng.nextInt(data - 1);
                what[0] = "the last " + drop + " lines cut";
                return bytes(String.join("\n", Arrays.copyOfRange(lines, 0, lines.length - 1 - drop)) + "\n");
            }
            case 1 -> {   // a field of the wrong type, or a column too many
                String[] wrong = {"abc", "true", "", "1;2", "0x1p3q", "--1", "1.2.3", "[1]"};
                if (rng.nextInt(4) == 0) lines[at] = lines[at] + ",0.5";
                else {
                    f[field] = field < 2 && rng.nextBoolean() ? "1.5" : wrong[rng.nextInt(wrong.length)];
                    lines[at] = String.join(",", f);
                }
            }
            case 2 -> {   // a value that is not finite
                String[] nf = {"NaN", "Infinity", "-Infinity", "1e999", "-1e400", "nan", "inf"};
                f[2 + rng.nextInt(values)] = nf[rng.nextInt(nf.length)];
                lines[at] = String.join(",", f);
            }
            case 3 -> {   // an id out of range: node past the graph, negative ids
                String[][] ids = {{"1", "20"}, {"1", "25"}, {"1", "-1"}, {"0", "-3"}};
                String[] id = ids[rng.nextInt(ids.length)];
                f[Integer.parseInt(id[0])] = id[1];
                lines[at] = String.join(",", f);
            }
            case 4 -> {   // a missing field, or a missing line
                int r = rng.nextInt(3);
                if (r == 0) lines[at] = String.join(",", Arrays.copyOf(f, f.length - 1));
                else if (r == 1) lines[at] = f[0] + "," + f[1];
                else {
                    what[0] = "line " + (at + 1) + " removed";
                    List<String> l = new ArrayList<>(Arrays.asList(lines));
                    l.remove(at);
                    return bytes(String.join("\n", l));
                }
            }
            case 5 -> {   // numbers too large
                String[][] huge = {{"0", "99999999999"}, {"0", "2147483647"}, {"0", "2000000000"}, {"1", "99999999999"}, {"0", "150000000"},
                        {"2", "1e309"}, {"2", "-1.8e308"}};
                String[] h = huge[rng.nextInt(huge.length)];
                f[Integer.parseInt(h[0])] = h[1];
                lines[at] = String.join(",", f);
            }
            default -> {   // bytes that are not text, inserted into a line
                return withJunk(lines, at, rng, what);
            }
        }
        if (what[0] == null) what[0] = "line " + (at + 1) + " is now '" + lines[at] + "'";
        return bytes(String.join("\n", lines));
    }

    /** The lines with {@link #junk} inserted at a random place of line {@code at}. */
    private static byte[] withJunk(String[] lines, int at, UniformRandomProvider rng, String[] what) {
        int pos = rng.nextInt(lines[at].length() + 1);
        byte[] junk = junk(rng);
        what[0] = "junk " + Arrays.toString(junk) + " in line " + (at + 1) + " at " + pos;
        byte[] head = bytes(String.join("\n", Arrays.copyOfRange(lines, 0, at)) + (at > 0 ? "\n" : "") + lines[at].substring(0, pos));
        byte[] tail = bytes(lines[at].substring(pos) + "\n" + String.join("\n", Arrays.copyOfRange(lines, at + 1, lines.length)));
        return concat(head, junk, tail);
    }

    /**
     * 1–6 bytes of which none can continue a number, a separator or whitespace: control characters,
     * bytes that are not UTF-8 on their own, and a few punctuation marks.
     */
    private static byte[] junk(UniformRandomProvider rng) {
        byte[] pool = {0x00, 0x01, 0x02, 0x07, 0x08, 0x0e, 0x1b, 0x1f, 0x7f, (byte) 0x80, (byte) 0x9f, (byte) 0xc0, (byte) 0xc3, (byte) 0xe2,
                (byte) 0xf0, (byte) 0xff, (byte) 0xfe, '@', '!', '{', '`', '|', '\\', '"', '&', '*'};
        byte[] b = new byte[1 + rng.nextInt(6)];
        for (int q = 0; q < b.length; q++) b[q] = pool[rng.nextInt(pool.length)];
        b[0] = pool[rng.nextInt(16)];   // at least one control character or non-UTF-8 byte
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
