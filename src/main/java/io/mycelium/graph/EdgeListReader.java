package io.mycelium.graph;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plain-text edge lists: one undirected edge {@code u v} per line (whitespace or comma separated;
 * a third weight column is ignored), {@code #} or {@code %} comments, blank lines, and an optional
 * {@code nodes N} header before the first edge. Without the header, n = largest id + 1.
 */
public final class EdgeListReader {
    private EdgeListReader() {}

    public static Graph read(Path file) {
        EdgeBuffer edges = new EdgeBuffer(1024);
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
                    continue;
                }
                if (t.length < 2 || t.length > 3)
                    throw error(file, lineNo, "expected 'u v' or 'u v weight', got '" + s + "'");
                int a = id(file, lineNo, t[0], "node id");
                int b = id(file, lineNo, t[1], "node id");
                if (declared >= 0 && (a >= declared || b >= declared))
                    throw error(file, lineNo, "node id " + Math.max(a, b) + " is not below the declared node count " + declared);
                if (a == b) throw error(file, lineNo, "self-loop on node " + a);
                maxId = Math.max(maxId, Math.max(a, b));
                try {
                    edges.add(a, b);
                } catch (IllegalArgumentException e) {
                    throw error(file, lineNo, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read edge list (" + describe(e) + ")", e);
        }
        int n = declared >= 0 ? declared : maxId + 1;
        if (n <= 0) throw error(file, Math.max(1, lineNo), "empty graph: no edges and no 'nodes N' header");
        try {
            return Graph.fromEdges(n, edges.u(), edges.v());
        } catch (IllegalArgumentException e) {
            throw error(file, lineNo, e.getMessage());
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
                    sb.append(i).append(' ').append(nb[p]).append('\n');
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
            throw error(file, line, what + " '" + token + "' is not an integer");
        }
        if (x < 0) throw error(file, line, what + " " + x + " is negative");
        if (x > Integer.MAX_VALUE - 1) throw error(file, line, what + " " + x + " is too large");
        return (int) x;
    }

    private static IllegalArgumentException error(Path file, int line, String message) {
        return new IllegalArgumentException(file + ":" + line + ": " + message);
    }

    private static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }
}
