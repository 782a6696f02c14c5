package io.mycelium.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Results are written into a hidden sibling directory and moved into place only when complete,
 * so a failed or interrupted run leaves nothing half-written behind.
 */
final class OutputDir implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private boolean committed;

    private OutputDir(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /** Checks the target before any work: it must not exist, be an empty directory, or {@code force} must be set. */
    static void validate(Path target, boolean force) {
        if (Files.isRegularFile(target)) throw new Main.UserError("--out " + target + " is a file");
        if (Files.isDirectory(target) && !force && !isEmpty(target))
            throw new Main.UserError("--out " + target + " exists and is not empty; pass --force to replace it");
    }

    static OutputDir open(Path target) {
        try {
            Path abs = target.toAbsolutePath().normalize();
            Path parent = abs.getParent();
            Files.createDirectories(parent);
            return new OutputDir(abs, Files.createTempDirectory(parent, "." + abs.getFileName() + "-partial-"));
        } catch (IOException e) {
            throw new Main.UserError("cannot create the output directory next to " + target + ": " + e.getMessage(), e);
        }
    }

    Path dir() { return staging; }

    /** Replaces the target with the finished results. */
    void commit() throws IOException {
        if (Files.exists(target)) deleteTree(target);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
    }

    Path target() { return target; }

    @Override
    public void close() {
        if (!committed) {
            try {
                deleteTree(staging);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static boolean isEmpty(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new Main.UserError("cannot read " + d + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
