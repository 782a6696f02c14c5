package io.mycelium;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package layout is the design: packages form a layered graph (tensor, graph, comm, autodiff,
 * model, engine, train, task, cli, and whatever is added), so no package may depend on itself
 * through others, and engines run models through their interfaces, never a concrete class.
 * Read from the sources (every {@code io.mycelium.x.Y} named in code, comments stripped).
 */
class PackageGraphTest {
    static final Path MAIN = Path.of("src/main/java");
    static final Pattern REF = Pattern.compile("\\bio\\.mycelium\\.((?:[a-z][a-z0-9]*\\.)*[a-z][a-z0-9]*)\\.[A-Z*]");
    static final Pattern PKG = Pattern.compile("^package\\s+io\\.mycelium\\.([a-z0-9.]+);", Pattern.MULTILINE);

    /** Code without comments and string literals (so a Javadoc link or a message names no dependency). */
    static String code(String src) {
        StringBuilder b = new StringBuilder(src.length());
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int e = src.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
            } else if (c == '"' || c == '\'') {
                if (c == '"' && src.startsWith("\"\"\"", i)) {
                    int e = src.indexOf("\"\"\"", i + 3);
                    i = e < 0 ? n : e + 3;
                    continue;
                }
                i++;
                while (i < n && src.charAt(i) != c) i += src.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** package (relative to io.mycelium) → the io.mycelium packages its code names. */
    static Map<String, Set<String>> graph() {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher pm = PKG.matcher(src);
                if (!pm.find()) continue; // module-info
                String pkg = pm.group(1);
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REF.matcher(code(src));
                while (m.find()) if (!m.group(1).equals(pkg)) out.add(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deps;
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> deps = graph();
        assertThat(deps).containsKeys("tensor", "graph", "autodiff", "model", "engine", "train");
        List<List<String>> cycles = new ArrayList<>();
        for (String start : deps.keySet()) {
            List<String> cycle = pathBack(deps, start);
            if (cycle != null) cycles.add(cycle);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    /** A shortest path start → … → start, or null (breadth-first over the dependency edges). */
    static List<String> pathBack(Map<String, Set<String>> deps, String start) {
        Map<String, String> parent = new TreeMap<>();
        List<String> frontier = new ArrayList<>(List.of(start));
        while (!frontier.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (String p : frontier)
                for (String q : deps.getOrDefault(p, Set.of())) {
                    if (q.equals(start)) {
                        List<String> path = new ArrayList<>(List.of(start));
                        for (String s = p; !s.equals(start); s = parent.get(s)) path.add(1, s);
                        path.add(start);
                        return path;
                    }
                    if (!parent.containsKey(q)) {
                        parent.put(q, p);
                        next.add(q);
                    }
                }
            frontier = next;
        }
        return null;
    }

    @Test
    void theCycleCheckFindsACycle() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(pathBack(g, "a")).containsExactly("a", "b", "c", "a");
        assertThat(pathBack(g, "d")).isNull();
        assertThat(code("x /* io.mycelium.a.B */ y // io.mycelium.c.D\n\"io.mycelium.e.F\" z")).isEqualTo("x  y \n z");
    }

    /**
     * Every package is a decision: exported by the module descriptor (what a user needs: models,
     * engines, training, tasks, the command line), or one of the few internal ones (kernels, helpers).
     */
    @Test
    void everyPackageIsExportedOrDeclaredInternal() throws IOException {
        Set<String> internal = Set.of("train.fused", "util");
        String descriptor = code(Files.readString(MAIN.resolve("module-info.java")));
        Set<String> exported = new TreeSet<>();
        Matcher m = Pattern.compile("\\bexports\\s+io\\.mycelium\\.([a-z0-9.]+)\\s*;").matcher(descriptor);
        while (m.find()) exported.add(m.group(1));
        for (String pkg : graph().keySet()) {
            if (internal.contains(pkg)) assertThat(exported).as(pkg + " is internal").doesNotContain(pkg);
            else assertThat(exported).as(pkg + " must be exported in module-info.java, or declared internal here").contains(pkg);
        }
    }

    /** Engines run any model through its interfaces (Model, LayeredModel, ImplicitModel, LinearFixedPoint). */
    @Test
    void enginesNameNoConcreteModel() throws IOException {
        Pattern concrete = Pattern.compile("\\b(Gcnn|Ignn|GsdGnn|Gcn|Gat|EnergyGnn|Mlp|Picnn)\\b");
        try (Stream<Path> files = Files.walk(MAIN.resolve("io/mycelium/engine"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = concrete.matcher(code(Files.readString(f)));
                assertThat(m.find() ? m.group() : null).as(f + " names a concrete model").isNull();
            }
        }
    }
}
