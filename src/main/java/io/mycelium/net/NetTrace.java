package io.mycelium.net;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Diagnostics, off by default: per-message timestamps of the synchronous halo path, to see where
 * a round's time goes between two JVMs. On when the environment variable
 * {@code MYCELIUM_NET_TRACE} names a directory (child JVMs inherit it); each process then writes
 * {@code trace-<pid>.csv} there when its run ends ({@link #dump}). Times are
 * {@link System#nanoTime}, which on Linux is the system-wide monotonic clock, so the files of
 * processes on one machine line up. Off, a {@link #mark} is one branch on a constant.
 */
final class NetTrace {
    private NetTrace() {}

    /** What happened: the compute thread entered {@code deliver}, had told every chunk, or took the round (compute resumes). */
    static final int DELIVER = 0, TOLD = 1, TAKEN = 2;
    /** A chunk's serialization in Artery's outbound stream started / ended; its deserialization inbound; the actor put it in the inbox. */
    static final int SER0 = 3, SER1 = 4, DESER0 = 5, DESER1 = 6, PUT = 7;
    /** A training epoch ended (its number in the round column). */
    static final int EPOCH = 8;
    private static final String[] NAMES = {"deliver", "told", "taken", "ser0", "ser1", "deser0", "deser1", "put", "epoch"};

    private static final Path DIR = dir();
    static final boolean ON = DIR != null;
    private static final int CAP = 1 << 20;
    private static final long[] EVENTS = ON ? new long[5 * CAP] : null;
    private static final AtomicInteger COUNT = new AtomicInteger();

    private static Path dir() {
        String d = System.getenv("MYCELIUM_NET_TRACE");
        return d == null || d.isEmpty() ? null : Path.of(d);
    }

    /** Records {@code kind} for partition {@code part}'s round {@code round}, chunk {@code chunk}, now. */
    static void mark(int kind, int part, long round, int chunk) {
        if (ON) mark(kind, part, round, chunk, System.nanoTime());
    }

    /** As {@link #mark(int, int, long, int)}, at time {@code t} (read before the round was known). */
    static void mark(int kind, int part, long round, int chunk, long t) {
        if (!ON) return;
        int i = COUNT.getAndIncrement();
        if (i >= CAP) return;
        EVENTS[5 * i] = kind;
        EVENTS[5 * i + 1] = part;
        EVENTS[5 * i + 2] = round;
        EVENTS[5 * i + 3] = chunk;
        EVENTS[5 * i + 4] = t;
    }

    /** Writes this process's events ({@code role}: who wrote them) as CSV. */
    static void dump(String role) {
        if (!ON) return;
        int n = Math.min(COUNT.get(), CAP);
        try {
            Files.createDirectories(DIR);
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(DIR.resolve("trace-" + ProcessHandle.current().pid() + ".csv")))) {
                w.println("role,event,part,round,chunk,nanos");
                for (int i = 0; i < n; i++)
                    w.println(role + "," + NAMES[(int) EVENTS[5 * i]] + "," + EVENTS[5 * i + 1] + "," + EVENTS[5 * i + 2] + "," + EVENTS[5 * i + 3] + "," + EVENTS[5 * i + 4]);
            }
        } catch (IOException e) {
            System.err.println("mycelium: net trace: could not write to " + DIR + ": " + e);
        }
    }
}
