package io.mycelium.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** One run of the CLI in this JVM ({@link Main#execute}), with its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true));
        System.setErr(new PrintStream(be, true));
        try {
            return new CliRun(Main.execute(args), bo.toString(), be.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
