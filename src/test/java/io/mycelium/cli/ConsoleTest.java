package io.mycelium.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user sees on the console: help texts, progress output in a file, data that is not there. */
class ConsoleTest {

    /** Every command and subcommand, depth first, with its qualified name. */
    static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        for (CommandLine sub : root.getSubcommands().values()) all.addAll(commands(sub));
        return all;
    }

    @Test
    void everyHelpTextStartsWithOneSentenceAndDescribesEveryOption() {
        List<String> problems = new ArrayList<>();
        List<CommandLine> all = commands(new CommandLine(new Main()));
        assertThat(all.size()).as("commands walked").isGreaterThanOrEqualTo(9);
        for (CommandLine cl : all) {
            CommandSpec spec = cl.getCommandSpec();
            String name = spec.qualifiedName();
            String[] d = spec.usageMessage().description();
            if (d.length == 0 || d[0].isBlank()) problems.add(name + ": no description");
            // each element of the description is printed as a paragraph of its own: one cut mid-sentence
            // shows up in the command list (the first element) or as a broken line
            for (String line : d)
                if (!line.replace("%n", "").strip().endsWith(".")) problems.add(name + ": description line does not end a sentence: '" + line + "'");
            for (OptionSpec o : spec.options()) {
                String[] od = o.description();
                if (od.length == 0 || od[0].isBlank()) problems.add(name + " " + o.longestName() + ": no description");
                if (od.length > 1) problems.add(name + " " + o.longestName() + ": description split into " + od.length + " lines");
            }
            for (PositionalParamSpec p : spec.positionalParameters())
                if (p.description().length == 0 || p.description()[0].isBlank()) problems.add(name + " " + p.paramLabel() + ": no description");
            // the texts themselves, not the rendered help: picocli may wrap a path at its slashes or dots
            List<String> texts = new ArrayList<>(List.of(d));
            for (OptionSpec o : spec.options()) texts.addAll(List.of(o.description()));
            for (PositionalParamSpec p : spec.positionalParameters()) texts.addAll(List.of(p.description()));
            for (String text : texts)
                if (text.contains("../shared")) problems.add(name + ": help cites ../shared: '" + text + "'");
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void demoListsEverySchemeItAccepts() {
        String help = new CommandLine(new Main()).getSubcommands().get("demo").getUsageMessage(CommandLine.Help.Ansi.OFF)
                .replaceAll("\\s+", " ");
        for (io.mycelium.train.Scheme s : io.mycelium.train.Scheme.values()) {
            assertThat(help).as("demo --help names " + s.id()).contains(s.id());
            assertThat(io.mycelium.train.Scheme.parse(s.id())).isEqualTo(s);
        }
    }

    /** Standard error of a run, captured (not a terminal, as in a log file). */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void progressWrittenToAFileIsPlainLines(@TempDir Path tmp) {
        assertThat(Progress.stderrIsTerminal()).as("the test JVM's stderr is not a terminal").isFalse();
        Run r = run("demo", "--steps", "40", "--out", tmp.resolve("demo").toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).as("progress on stderr").contains("demo 100%").contains("40/40");
        assertThat(r.err() + r.out()).as("no ANSI escape, no carriage return").doesNotContain("\u001b").doesNotContain("\r");
        for (String line : r.err().split("\n")) assertThat(line.length()).as(line).isLessThanOrEqualTo(120);
    }

    @Test
    void plainProgressWritesAtMostOneLinePerIntervalAndTheLastStateOnClose() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress.PlainLines p = new Progress.PlainLines(new PrintStream(buf, true, StandardCharsets.UTF_8), 60_000);
        for (int i = 1; i <= 100; i++) p.accept("task " + i + "/100");
        p.close();
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("task 100/100" + System.lineSeparator());
    }

    @Test
    void hogwildWithoutMnistSkipsTheTaskWithAWarning(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("no-data"));
        String old = System.setProperty("mycelium.data", empty.toString());
        try {
            Path out = tmp.resolve("t1");
            Run r = run("reproduce", "hogwild-table1", "--quick", "--epochs", "1", "--models", "gcn", "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("skipping the mnist task").contains("MYCELIUM_DATA");
            List<String> rows = Files.readAllLines(out.resolve("table1.csv"));
            assertThat(rows).hasSize(1 + 4); // chains, count, sum, coordinates
            assertThat(String.join("\n", rows)).doesNotContain("mnist");

            Path never = tmp.resolve("never");
            Run asked = run("reproduce", "hogwild-table1", "--quick", "--tasks", "mnist", "--out", never.toString());
            assertThat(asked.code()).isEqualTo(2);
            assertThat(asked.err()).contains("mnist task needs the MNIST images").contains("--mnist");
            Run wrong = run("reproduce", "hogwild-table1", "--quick", "--tasks", "mnist", "--mnist", empty.resolve("nope").toString(),
                    "--out", never.toString());
            assertThat(wrong.code()).isEqualTo(2);
            assertThat(wrong.err()).contains("--mnist " + empty.resolve("nope"));
            assertThat(never).doesNotExist();
        } finally {
            if (old == null) System.clearProperty("mycelium.data");
            else System.setProperty("mycelium.data", old);
        }
    }
}
