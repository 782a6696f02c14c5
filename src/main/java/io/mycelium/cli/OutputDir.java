package io.mycelium.cli;

import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A results directory. An output directory is Mycelium's only if Mycelium made it: every results
 * directory carries a marker file ({@value #MARKER}) listing the files Mycelium wrote into it, and a
 * command replaces only an empty directory or a marked one that holds nothing else (without
 * {@code force} a marked, non-empty one is refused too). The working directory and its ancestors,
 * the home directory and its ancestors are never used, with or without {@code force}.
 *
 * <p>Results are written into a hidden sibling directory and moved into place only when complete,
 * so a failed or interrupted run leaves nothing half-written behind and the previous results stay
 * as they were.
 */
final class OutputDir implements AutoCloseable {
    static final String MARKER = ".mycelium-output";

    /** A directory and how the user named it, for messages: {@code --out X}, {@code --out X (the default)}, ... */
    record Target(Path path, String named, String command) {
        /** The value of {@code --out} of the command, said to be the default when the user did not give it. */
        static Target of(CommandSpec spec, Path out) {
            boolean given = spec.commandLine() != null && spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--out");
            return new Target(out, "--out " + out + (given ? "" : " (the default)"), spec.qualifiedName());
        }
    }

    private final Target target;
    private final Path abs, staging;
    private final boolean force;
    private boolean done;

    private OutputDir(Target target, Path abs, Path staging, boolean force) {
        this.target = target;
        this.abs = abs;
        this.staging = staging;
        this.force = force;
    }

    /** As {@link #validate(Target, boolean)} for a directory given with {@code --out}. */
    static void validate(Path target, boolean force) { validate(new Target(target, "--out " + target, "mycelium"), force); }

    /**
     * Checks the target before any work and throws {@link Main.UserError} (exit 2) unless it may be
     * written: it does not exist, is an empty directory, or is Mycelium's (marked, nothing else in
     * it) and {@code force} is set.
     */
    static void validate(Target t, boolean force) {
        Path p = t.path().toAbsolutePath().normalize();
        Path real = real(p);
        Path cwd = real(Path.of("").toAbsolutePath());
        String home = System.getProperty("user.home");
        Path h = home == null || home.isBlank() ? null : real(Path.of(home).toAbsolutePath().normalize());
        String use = "; give results a directory of their own (e.g. --out results/run1)";
        if (real.getParent() == null) throw new Main.UserError(t.named() + " is the root directory" + use);
        if (cwd.equals(real)) throw new Main.UserError(t.named() + " is the working directory" + use);
        if (cwd.startsWith(real)) throw new Main.UserError(t.named() + " contains the working directory" + use);
        if (h != null && h.equals(real)) throw new Main.UserError(t.named() + " is the home directory" + use);
        if (h != null && h.startsWith(real)) throw new Main.UserError(t.named() + " contains the home directory" + use);
        if (Files.isSymbolicLink(p)) throw new Main.UserError(t.named() + " is a symbolic link; give the directory itself");
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(p)) throw new Main.UserError(t.named() + " is a file, not a directory");
        List<String> present = contents(p, t);
        if (present.isEmpty()) return;
        Set<String> ours = marker(p, t);
        if (ours == null)
            throw new Main.UserError(t.named() + " holds files Mycelium did not write (it has no " + MARKER + " marker); Mycelium replaces only"
                    + " an empty directory or one it made, with or without --force. Choose another --out, or empty or remove it yourself");
        for (String f : present)
            if (!f.equals(MARKER) && !ours.contains(f))
                throw new Main.UserError(t.named() + " holds " + f + ", which Mycelium did not write; Mycelium replaces only what it made,"
                        + " with or without --force. Move that file away or choose another --out");
        if (!force) throw new Main.UserError(t.named() + " holds earlier results; pass --force to replace them");
    }

    /** A staging directory for a target given with {@code --out}; see {@link #open(Target, boolean)}. */
    static OutputDir open(Path target) { return open(new Target(target, "--out " + target, "mycelium"), true); }

    /**
     * Makes the hidden staging directory next to the target; {@code force} as the run was started
     * ({@link #commit} checks the target again).
     */
    static OutputDir open(Target t, boolean force) {
        try {
            Path abs = t.path().toAbsolutePath().normalize();
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            return new OutputDir(t, abs, Files.createTempDirectory(parent, "." + abs.getFileName() + "-partial-"), force);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output directory next to " + t.named() + ": " + e.getMessage(), e);
        }
    }

    Path dir() { return staging; }

    Path target() { return abs; }

    /**
     * Marks the finished results as Mycelium's and puts them in place of the target. The target is
     * checked again first (it may have changed during the run); if it may no longer be replaced, the
     * results stay in the staging directory and the message says where.
     */
    void commit() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(staging)) {
            for (Path q : s.filter(Files::isRegularFile).sorted().toList()) files.add(relative(staging, q));
        }
        StringBuilder m = new StringBuilder("# Written by '" + target.command() + "'. Mycelium replaces this directory only while it holds\n"
                + "# nothing but the files listed below (see docs/cli.md, output directories).\n");
        for (String f : files) m.append(f).append('\n');
        Files.writeString(staging.resolve(MARKER), m, StandardCharsets.UTF_8);
        try {
            validate(target, force);
        } catch (Main.UserError e) {
            done = true;   // keep the results: they are complete
            throw new Main.UserError(e.getMessage() + " (it changed during the run; the results are in " + staging + ")");
        }
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(staging, abs, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return;
        }
        Path old = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + "-old-");
        Files.delete(old);
        Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging, abs, StandardCopyOption.ATOMIC_MOVE);
        done = true;
        removeOurs(old);
    }

    /** Deletes what the marker of {@code dir} lists, the marker and the directories left empty; anything else stays. */
    private void removeOurs(Path dir) throws IOException {
        Set<String> ours = marker(dir, target);
        if (ours != null)
            for (String f : ours) {
                Path q = dir.resolve(f).normalize();
                if (q.startsWith(dir)) Files.deleteIfExists(q);
            }
        Files.deleteIfExists(dir.resolve(MARKER));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path q : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                try (Stream<Path> in = Files.list(q)) {
                    if (in.findAny().isEmpty()) Files.delete(q);
                }
            }
        }
        if (Files.exists(dir))
            System.err.println("mycelium: the previous results' directory " + dir + " still holds files Mycelium did not list; they were kept");
    }

    @Override
    public void close() {
        if (done) return;
        try {
            deleteTree(staging);   // ours alone: made by open, written only by this run
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files (and empty directories) under p, as relative paths with '/'. */
    private static List<String> contents(Path p, Target t) {
        try (Stream<Path> s = Files.walk(p)) {
            List<String> out = new ArrayList<>();
            for (Path q : s.toList()) {
                if (q.equals(p)) continue;
                if (Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> in = Files.list(q)) {
                        if (in.findAny().isPresent()) continue;
                    }
                }
                out.add(relative(p, q));
            }
            return out;
        } catch (IOException | UncheckedIOException e) {
            throw new Main.UserError("cannot read " + t.named() + ": " + e.getMessage(), e);
        }
    }

    /** The files the marker lists, or null when there is no marker. */
    private static Set<String> marker(Path p, Target t) {
        Path m = p.resolve(MARKER);
        if (!Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS)) return null;
        try {
            Set<String> out = new HashSet<>();
            for (String l : Files.readAllLines(m, StandardCharsets.UTF_8))
                if (!l.isBlank() && !l.startsWith("#")) out.add(l.strip());
            return out;
        } catch (IOException e) {
            throw new Main.UserError("cannot read " + m + " (" + t.named() + "): " + e.getMessage(), e);
        }
    }

    private static String relative(Path base, Path q) { return base.relativize(q).toString().replace('\\', '/'); }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
