package io.mycelium.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress of a long command on standard error: a redrawn bar when standard error is a terminal,
 * otherwise (a log file, a pipe, a test) a plain line every {@link #PLAIN_EVERY_MILLIS} and one at the
 * end, with no ANSI codes and no carriage returns.
 */
final class Progress {
    /** How often a plain progress line is written when standard error is not a terminal. */
    static final long PLAIN_EVERY_MILLIS = 10_000;

    private Progress() {}

    /** A progress bar named {@code name} that counts to {@code max}; close it (try-with-resources). */
    static ProgressBar bar(String name, long max) {
        PrintStream err = System.err;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(max);
        if (stderrIsTerminal()) return b.setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(500).build();
        return b.setStyle(ProgressBarStyle.ASCII).setConsumer(new PlainLines(err, PLAIN_EVERY_MILLIS)).setUpdateIntervalMillis(1000).build();
    }

    /**
     * Whether standard error is an interactive terminal. On Linux the answer is where file descriptor 2
     * points; elsewhere it is the JDK's console check (which looks at standard input and output).
     * {@code MYCELIUM_PROGRESS=plain} or {@code =bar} overrides either.
     */
    static boolean stderrIsTerminal() {
        String forced = System.getenv("MYCELIUM_PROGRESS");
        if (forced != null && !forced.isBlank()) return forced.trim().toLowerCase(Locale.ROOT).equals("bar");
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (Exception e) {
                return false;
            }
        }
        java.io.Console c = System.console();
        if (c == null) return false;
        try { // Console.isTerminal() exists from JDK 22 on, where System.console() is never null
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Writes the rendered bar as a whole line at most every {@code everyMillis}, and the last state on close. */
    static final class PlainLines implements ProgressBarConsumer {
        private final PrintStream out;
        private final long everyMillis;
        private long lastPrinted = System.nanoTime();
        private String last, lastWritten;

        PlainLines(PrintStream out, long everyMillis) {
            this.out = out;
            this.everyMillis = everyMillis;
        }

        @Override
        public int getMaxRenderedLength() { return 100; }

        @Override
        public void accept(String rendered) {
            last = rendered.strip();
            long now = System.nanoTime();
            if (now - lastPrinted >= everyMillis * 1_000_000L) {
                write();
                lastPrinted = now;
            }
        }

        private void write() {
            if (last != null && !last.equals(lastWritten)) {
                out.println(last);
                lastWritten = last;
            }
        }

        @Override
        public void close() {
            write();
            out.flush();
        }
    }
}
