package io.mycelium.task;

import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import io.mycelium.util.InputException;
import io.mycelium.util.TextFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Node features and labels from CSV files in long form, one line per (sample, node):
 * <pre>
 * sample,node,x1,x2,...,xg      (features: g columns after the ids)
 * sample,node,y                 (labels)
 * </pre>
 * Ids count from 0; an optional header line (first field not a number), blank lines and lines
 * starting with {@code #} are skipped. Every sample must give every node of the graph exactly one
 * line. Errors name the file and line.
 */
public final class CsvDataset {
    private CsvDataset() {}

    public static Dataset read(Path features, Path labels, int nodes) {
        Table x = table(features, nodes, -1);
        Table y = table(labels, nodes, 1);
        if (x.samples != y.samples)
            throw x.samples < y.samples
                    ? new InputException(features + ": covers only " + x.samples + " samples, but " + labels + " covers " + y.samples)
                    : new InputException(labels + ": covers only " + y.samples + " samples, but " + features + " covers " + x.samples);
        return new Dataset(x.values, y.values.reshape(nodes, y.samples));
    }

    /** Node features alone ({@code [nodes, samples, columns]}), for running a trained model. */
    public static Tensor readFeatures(Path features, int nodes) { return table(features, nodes, -1).values; }

    private record Table(Tensor values, int samples) {}

    /** A data line: its fields and its line number in the file. */
    private record Line(String[] fields, int number) {}

    /** Reads one file; {@code width} columns after the ids, or any constant number when -1. */
    private static Table table(Path file, int nodes, int width) {
        // the lines are checked first, to find the sample count and width, then placed
        List<Line> lines = dataLines(file);
        long samples = 0;
        int cols = width, widest = 0;
        for (Line l : lines) {
            String[] f = l.fields();
            if (f.length < 3) throw error(file, l.number(), "expected 'sample,node,value...', got '" + TextFiles.printable(String.join(",", f)) + "'");
            if (cols < 0) cols = f.length - 2;
            if (f.length - 2 != cols)
                throw error(file, l.number(), (f.length - 2) + " values where " + (width < 0 ? "earlier lines have " : "the file needs ") + cols);
            int smp = id(file, l.number(), f[0], "sample");
            int n = id(file, l.number(), f[1], "node");
            if (n >= nodes) throw error(file, l.number(), "node " + n + " is not below the graph's " + nodes + " nodes");
            if (smp + 1L > samples) {
                samples = smp + 1L;
                widest = l.number();
            }
        }
        if (lines.isEmpty()) throw new InputException(file + ": no data lines");
        // every (sample, node) has exactly one line, so the largest sample id fixes the line count; far
        // more than the file holds is reported here, before arrays that large are made
        if (samples * nodes > 2L * lines.size() + nodes)
            throw error(file, widest, "sample id " + (samples - 1) + " means " + samples + " samples × " + nodes + " nodes = " + samples * nodes
                    + " lines, but the file has " + lines.size() + " data lines (every sample needs one line per node)");
        if (samples * nodes * cols > Integer.MAX_VALUE) throw new InputException(file + ": " + samples * nodes * cols + " values are too many for one array");
        double[] v = new double[(int) (samples * nodes * cols)];
        boolean[] seen = new boolean[(int) (samples * nodes)];
        for (Line l : lines) {
            String[] f = l.fields();
            int smp = Integer.parseInt(f[0].strip()), n = Integer.parseInt(f[1].strip());
            int row = n * (int) samples + smp;   // node-major, as Dataset stores it
            if (seen[row]) throw error(file, l.number(), "second line for sample " + smp + ", node " + n);
            seen[row] = true;
            for (int c = 0; c < cols; c++) v[row * cols + c] = value(file, l.number(), f[2 + c], c + 1);
        }
        for (int r = 0; r < seen.length; r++)
            if (!seen[r]) throw new InputException(file + ": no line for sample " + (r % samples) + ", node " + (r / samples)
                    + " (every sample needs all " + nodes + " nodes)");
        return new Table(new Tensor(v, nodes, (int) samples, cols), (int) samples);
    }

    /** The file's data lines: without blank and comment lines, and without a header line (first field not a number). */
    private static List<Line> dataLines(Path file) {
        List<Line> out = new ArrayList<>();
        int number = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            boolean first = true;
            while ((line = in.readLine()) != null) {
                number++;
                String[] f = fields(line);
                if (f == null) continue;
                boolean header = first && !isNumber(f[0]);
                first = false;
                if (!header) out.add(new Line(f, number));
            }
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InputException(file + " line " + Math.max(1, TextFiles.firstNonUtf8Line(file)) + ": not UTF-8 text (is this a CSV file?)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static String[] fields(String line) {
        String s = line.strip();
        if (s.isEmpty() || s.charAt(0) == '#') return null;
        return s.split("\\s*,\\s*|\\s+", -1);
    }

    private static boolean isNumber(String s) {
        try {
            TextFiles.parseDouble(s.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int id(Path file, int line, String s, String what) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v < 0) throw error(file, line, what + " id " + v + " is negative");
            return v;
        } catch (NumberFormatException e) {
            throw error(file, line, what + " id '" + TextFiles.printable(s) + "' is not a non-negative integer");
        }
    }

    private static double value(Path file, int line, String s, int column) {
        try {
            double d = TextFiles.parseDouble(s.strip());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw error(file, line, "value " + column + " '" + TextFiles.printable(s) + "' is not a finite number");
        }
    }

    private static InputException error(Path file, int line, String why) {
        return new InputException(file + " line " + line + ": " + why);
    }


    /** Writes a dataset in the format {@link #read} reads (features and labels files). */
    public static void write(Dataset d, Path features, Path labels) throws IOException {
        int n = d.nodes(), s = d.samples(), g = d.features();
        double[] x = d.x().data(), y = d.y().data();
        StringBuilder fx = new StringBuilder("sample,node");
        for (int c = 1; c <= g; c++) fx.append(",x").append(c);
        fx.append('\n');
        StringBuilder fy = new StringBuilder("sample,node,y\n");
        for (int q = 0; q < s; q++)
            for (int i = 0; i < n; i++) {
                fx.append(q).append(',').append(i);
                for (int c = 0; c < g; c++) fx.append(',').append(x[(i * s + q) * g + c]);
                fx.append('\n');
                fy.append(q).append(',').append(i).append(',').append(y[i * s + q]).append('\n');
            }
        Files.writeString(features, fx);
        Files.writeString(labels, fy);
    }
}
