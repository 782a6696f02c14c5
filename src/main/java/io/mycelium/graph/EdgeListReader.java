package io.mycelium.graph;

import io.mycelium.util.InputException;
import io.mycelium.util.TextFiles;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Plain-text edge lists: one undirected edge {@code u v} or weighted edge {@code u v weight} per line
 * (whitespace or comma separated), {@code #} or {@code %} comments, blank lines, and an optional
 * {@code nodes N} header before the first edge. Without the header, n = largest id + 1 (at most
 * {@link Graph#MAX_NODES}). Either every edge has a weight (positive, finite; the shift operators
 * use it) or none has. Every error is an {@link InputException} naming the file and line.
 */
public final class EdgeListReader {
    private EdgeListReader() {}

    public static Graph read(Path file) {
        EdgeBuffer edges = new EdgeBuffer(1024);
        double[] weights = null;
        int firstEdgeLine = 0;
        int declared = -1;
        int maxId = -1;
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty() || s.charAt(0) == '#' || s.charAt(0) == '%') continue;
                String[] t = s.split("[\\s,]+");
                if (t[0].equalsIgnoreCase("nodes")) {
                    if (declared >= 0) throw error(file, lineNo, "second 'nodes' header");
                    if (edges.size() > 0) throw error(file, lineNo, "the 'nodes N' header must come before the first edge");
                    if (t.length != 2) throw error(file, lineNo, "expected 'nodes N'");
                    declared = id(file, lineNo, t[1], "node count");
                    if (declared == 0) throw error(file, lineNo, "empty graph: 'nodes 0' declares no nodes");
                    if (declared > Graph.MAX_NODES) throw error(file, lineNo, "'nodes " + declared + "' is more than the " + Graph.MAX_NODES + " nodes a graph may have");
                    continue;
                }
                if (t.length < 2 || t.length > 3)
                    throw error(file, lineNo, "expected 'u v' or 'u v weight', got '" + TextFiles.printable(s) + "'");
                int a = id(file, lineNo, t[0], "node id");
                int b = id(file, lineNo, t[1], "node id");
                if (declared >= 0 && (a >= declared || b >= declared))
                    throw error(file, lineNo, "node id " + Math.max(a, b) + " is not below the declared node count " + declared);
                if (Math.max(a, b) >= Graph.MAX_NODES)
                    throw error(file, lineNo, "node id " + Math.max(a, b) + " is not below " + Graph.MAX_NODES + ", the most nodes a graph may have");
                if (a == b) throw error(file, lineNo, "self-loop on node " + a);
                boolean weighted = t.length == 3;
                if (edges.size() == 0) {
                    firstEdgeLine = lineNo;
                    if (weighted) weights = new double[1024];
                } else if (weighted != (weights != null))
                    throw error(file, lineNo, (weighted ? "has a weight" : "has no weight") + " but the first edge (line " + firstEdgeLine + ") "
                            + (weighted ? "has none" : "has one") + "; give every edge a weight or none");
                maxId = Math.max(maxId, Math.max(a, b));
                try {
                    if (weighted) {
                        if (edges.size() == weights.length) weights = java.util.Arrays.copyOf(weights, 2 * weights.length);
                        weights[edges.size()] = weight(file, lineNo, t[2]);
                    }
                    edges.add(a, b);
                } catch (InputException e) {
                    throw e;
                } catch (IllegalArgumentException e) {
                    throw error(file, lineNo, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such edge-list file");
        } catch (CharacterCodingException e) {
            throw error(file, Math.max(1, TextFiles.firstNonUtf8Line(file)), "not UTF-8 text (is this an edge list?)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot read edge list (" + describe(e) + ")", e);
        }
        int n = declared >= 0 ? declared : maxId + 1;
        if (n <= 0) throw error(file, Math.max(1, lineNo), "empty graph: no edges and no 'nodes N' header");
        try {
            return Graph.fromEdges(n, edges.u(), edges.v(), weights == null ? null : java.util.Arrays.copyOf(weights, edges.size()));
        } catch (IllegalArgumentException e) {
            throw new InputException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a {@code nodes N} header and each undirected edge once, smaller id first. */
    public static void write(Graph g, Path file) {
        int[] off = g.offsets(), nb = g.neighbours();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("# undirected edge list: " + g.n() + " nodes, " + g.edgeCount() + " edges\n");
            out.write("nodes " + g.n() + "\n");
            StringBuilder sb = new StringBuilder(32);
            for (int i = 0; i < g.n(); i++) {
                for (int p = off[i]; p < off[i + 1]; p++) {
                    if (nb[p] < i) continue;
                    sb.setLength(0);
                    sb.append(i).append(' ').append(nb[p]);
                    if (g.isWeighted()) sb.append(' ').append(g.weight(p));
                    sb.append('\n');
                    out.append(sb);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot write edge list (" + describe(e) + ")", e);
        }
    }

    private static int id(Path file, int line, String token, String what) {
        long x;
        try {
            x = Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw error(file, line, what + " '" + TextFiles.printable(token) + "' is not an integer");
        }
        if (x < 0) throw error(file, line, what + " " + x + " is negative");
        if (x > Integer.MAX_VALUE - 1) throw error(file, line, what + " " + x + " is too large");
        return (int) x;
    }

    private static double weight(Path file, int line, String token) {
        double w;
        try {
            w = TextFiles.parseDouble(token);
        } catch (NumberFormatException e) {
            throw error(file, line, "edge weight '" + TextFiles.printable(token) + "' is not a number");
        }
        if (!(w > 0) || w == Double.POSITIVE_INFINITY) throw error(file, line, "edge weight " + w + " must be positive and finite");
        return w;
    }


    private static InputException error(Path file, int line, String message) {
        return new InputException(file + ":" + line + ": " + message);
    }

    private static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }
}
