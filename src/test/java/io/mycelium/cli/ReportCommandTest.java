package io.mycelium.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReportCommandTest {
    @TempDir
    Path tmp;

    private static int run(String... args) {
        PrintStream o = System.out, e = System.err;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true));
        try {
            return Main.execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    /** A results directory as reproduce commands write it: a Markdown table, a plot, a config, a per-scheme summary. */
    private Path results() throws Exception {
        Path d = tmp.resolve("results/node-regression");
        Files.createDirectories(d.resolve("sgd"));
        Files.writeString(d.resolve("table.md"), "# Fig. 2(a)\n\nTest MSE at epoch 1000 <ours>.\n\n| scheme | ours | paper |\n|---|---|---|\n| SGD | 0.0106 | 0.0108 |\n");
        // a 1×1 PNG
        byte[] png = java.util.Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==");
        Files.write(d.resolve("mse-vs-epochs.png"), png);
        Files.writeString(d.resolve("config.json"), "{\"epochs\": 1000}");
        Files.writeString(d.resolve("sgd/summary.json"), "{\"test_mse\": 0.0106}");
        return d;
    }

    @Test
    void writesOneSelfContainedPageWithTablesPlotsAndConfigs() throws Exception {
        Path d = results(), out = tmp.resolve("report.html");
        assertThat(run("report", d.toString(), "--out", out.toString())).isZero();
        String html = Files.readString(out);
        assertThat(html).startsWith(ReportCommand.MARKER);
        assertThat(html).contains("<th>scheme</th>").contains("<td>0.0106</td>").contains("<td>0.0108</td>");
        assertThat(html).contains("Test MSE at epoch 1000 &lt;ours&gt;.");
        assertThat(html).contains("data:image/png;base64,iVBORw0KGgo");
        assertThat(html).contains("sgd/summary.json").contains("&quot;test_mse&quot;: 0.0106");
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script");
    }

    @Test
    void neverReplacesAFileItDidNotWrite() throws Exception {
        Path d = results(), out = tmp.resolve("notes.html");
        Files.writeString(out, "my own notes");
        assertThat(run("report", d.toString(), "--out", out.toString(), "--force")).isEqualTo(2);
        assertThat(Files.readString(out)).isEqualTo("my own notes");
        Path ours = tmp.resolve("r.html");
        assertThat(run("report", d.toString(), "--out", ours.toString())).isZero();
        assertThat(run("report", d.toString(), "--out", ours.toString())).isEqualTo(2);
        assertThat(run("report", d.toString(), "--out", ours.toString(), "--force")).isZero();
        assertThat(run("report", tmp.resolve("missing").toString(), "--out", tmp.resolve("x.html").toString())).isEqualTo(2);
        Files.createDirectories(tmp.resolve("empty"));
        assertThat(run("report", tmp.resolve("empty").toString(), "--out", tmp.resolve("x.html").toString())).isEqualTo(2);
        assertThat(tmp.resolve("x.html")).doesNotExist();
    }

    @Test
    void opensInAHeadlessBrowser() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "needs Debian's chromium (apt-get install chromium) to render the page");
        Path d = results(), out = tmp.resolve("report.html"), shot = tmp.resolve("shot.png");
        assertThat(run("report", d.toString(), "--out", out.toString())).isZero();
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + tmp.resolve("profile"),
                "--screenshot=" + shot, "--window-size=1000,800", out.toUri().toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isGreaterThan(1000);
    }
}
