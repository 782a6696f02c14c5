package io.mycelium.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Gathers results directories into one self-contained HTML page.",
                "Every table (*.md) of each directory is rendered with the paper's numbers it holds, every plot (*.png) is embedded, and the configuration and summaries (config.json, summary.json, also one level down) are shown; the page needs no network access."})
final class ReportCommand implements Callable<Integer> {
    /** First line of every page this command writes: the only kind of file it replaces. */
    static final String MARKER = "<!-- written by mycelium report -->";

    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "Results directories written by Mycelium's commands (reproduce, train, ...).")
    List<Path> dirs;
    @Option(names = "--out", defaultValue = "report.html", description = "The HTML file to write (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--force", description = "Replace an earlier report of Mycelium's at --out (never any other file).")
    boolean force;

    @Override
    public Integer call() throws IOException {
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) throw new Main.UserError(d + ": not a directory (give results directories written by Mycelium)");
            if (reportable(d).isEmpty()) throw new Main.UserError(d + ": holds no tables (*.md), plots (*.png) or summaries (*.json) to report");
        }
        if (Files.isDirectory(out)) throw new Main.UserError("--out " + out + " is a directory; give a file name such as report.html");
        if (Files.exists(out)) {
            if (!isOurs(out)) throw new Main.UserError("--out " + out + " exists and was not written by mycelium report; it is left as it is");
            if (!force) throw new Main.UserError("--out " + out + " holds an earlier report; pass --force to replace it");
        }
        StringBuilder h = new StringBuilder(MARKER).append('\n');
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mycelium report</title>\n<style>")
                .append("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}")
                .append("th{background:#eee}img{max-width:100%;border:1px solid #ddd;margin:.5em 0}pre{background:#f6f6f6;padding:.6em;overflow:auto}")
                .append("section{border-top:2px solid #444;margin-top:2em}</style></head><body>\n<h1>Mycelium report</h1>\n<ul>");
        for (int i = 0; i < dirs.size(); i++) h.append("<li><a href=\"#r").append(i).append("\">").append(esc(dirs.get(i).toString())).append("</a></li>");
        h.append("</ul>\n");
        for (int i = 0; i < dirs.size(); i++) section(h, dirs.get(i), i);
        h.append("</body></html>\n");
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".partial");
        try {
            Files.writeString(tmp, h, StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        System.out.println("-> " + out);
        return 0;
    }

    static boolean isOurs(Path f) {
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            return MARKER.equals(r.readLine());
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The files of a results directory the report shows: tables, plots, JSON; also one level down (per-scheme directories). */
    static List<Path> reportable(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d, 2)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && (n.endsWith(".md") || n.endsWith(".png") || n.endsWith(".json"));
            }).sorted().toList();
        }
    }

    private static void section(StringBuilder h, Path d, int i) throws IOException {
        h.append("<section id=\"r").append(i).append("\"><h2>").append(esc(d.toString())).append("</h2>\n");
        List<Path> files = reportable(d), json = new ArrayList<>();
        for (Path f : files) {
            String n = f.getFileName().toString();
            if (n.endsWith(".md")) markdown(h, Files.readString(f, StandardCharsets.UTF_8));
            else if (n.endsWith(".png"))
                h.append("<figure><img alt=\"").append(esc(d.relativize(f).toString())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(Files.readAllBytes(f))).append("\"><figcaption>")
                        .append(esc(d.relativize(f).toString())).append("</figcaption></figure>\n");
            else json.add(f);
        }
        for (Path f : json)
            h.append("<details><summary>").append(esc(d.relativize(f).toString())).append("</summary><pre>")
                    .append(esc(Files.readString(f, StandardCharsets.UTF_8))).append("</pre></details>\n");
        h.append("</section>\n");
    }

    /** The Markdown the commands write: headings, paragraphs and pipe tables (a separator row of dashes under the header). */
    static void markdown(StringBuilder h, String md) {
        List<String> lines = md.lines().toList();
        StringBuilder para = new StringBuilder();
        for (int k = 0; k < lines.size(); k++) {
            String l = lines.get(k).strip();
            if (l.startsWith("|")) {
                flush(h, para);
                h.append("<table>\n");
                boolean header = k + 1 < lines.size() && lines.get(k + 1).strip().matches("\\|[-:| ]+\\|?");
                for (; k < lines.size() && lines.get(k).strip().startsWith("|"); k++) {
                    String row = lines.get(k).strip();
                    if (row.matches("\\|[-:| ]+\\|?")) continue;
                    String[] cells = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length()).split("\\|", -1);
                    h.append("<tr>");
                    for (String c : cells) h.append(header ? "<th>" : "<td>").append(inline(c.strip())).append(header ? "</th>" : "</td>");
                    h.append("</tr>\n");
                    header = false;
                }
                k--;
                h.append("</table>\n");
            } else if (l.startsWith("#")) {
                flush(h, para);
                int level = Math.min(6, 2 + (int) l.chars().takeWhile(c -> c == '#').count());
                h.append("<h").append(level).append('>').append(inline(l.replaceFirst("^#+\\s*", ""))).append("</h").append(level).append(">\n");
            } else if (l.isEmpty()) flush(h, para);
            else para.append(para.isEmpty() ? "" : " ").append(l);
        }
        flush(h, para);
    }

    private static void flush(StringBuilder h, StringBuilder para) {
        if (para.isEmpty()) return;
        h.append("<p>").append(inline(para.toString())).append("</p>\n");
        para.setLength(0);
    }

    /** Escaped text with `code` spans. */
    private static String inline(String s) {
        String[] parts = s.split("`", -1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) b.append(i % 2 == 1 ? "<code>" + esc(parts[i]) + "</code>" : esc(parts[i]));
        return b.toString();
    }

    static String esc(String s) { return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;"); }
}
