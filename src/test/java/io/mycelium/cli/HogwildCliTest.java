package io.mycelium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code reproduce hogwild-table1/2} end to end at CI size, asserting the numbers they write. */
class HogwildCliTest {
    @TempDir
    Path tmp;

    static Map<String, String[]> rows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        Map<String, String[]> m = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            m.put(f[0] + "/" + f[2], f);
        }
        return m;
    }

    @Test
    void table1TrainsEveryModelOnEveryTaskAndWritesThePaperBesideOurs() throws Exception {
        Path out = tmp.resolve("t1");
        int[] code = new int[1];
        boolean mnist = Files.isDirectory(Path.of("../shared/data/MNIST")); // the shared data, when it is there
        String text = TrainingCliTest.captureOut(() -> code[0] = Main.execute("reproduce", "hogwild-table1", "--quick", "--epochs", "3",
                "--models", "ignn,gsdgnn,gcn,gat", "--tasks", mnist ? "count,chains,mnist" : "count,chains,sum", "--out", out.toString(),
                "--mnist", "../shared/data/MNIST"));
        assertThat(code[0]).isZero();
        assertThat(text).contains("| IGNN |").contains("(40.2 ± 5.5)");
        Map<String, String[]> r = rows(out.resolve("table1.csv"));
        assertThat(r).hasSize(12);
        for (String[] f : r.values()) {
            double mean = Double.parseDouble(f[3]);
            assertThat(mean).as(String.join(",", f)).isBetween(0.0, 150.0);
            assertThat(Integer.parseInt(f[5])).isEqualTo(1);
            assertThat(f[6]).as("the paper's number").isNotEmpty();
        }
        assertThat(Files.readAllLines(out.resolve("runs.csv"))).hasSize(13);
        JsonNode cfg = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(cfg.get("parameterSeeds").size()).isEqualTo(1);
        assertThat(cfg.get("config").get("epochs").asInt()).isEqualTo(3);
        assertThat(cfg.get("tasks").get("count").get("graphs").asInt()).isEqualTo(20);
        assertThat(Files.readString(out.resolve("table1.md"))).contains("| GSDGNN |");
    }

    @Test
    void smallScaleHasThePapersCountPoolAndFortySumChains() throws Exception {
        Path out = tmp.resolve("small");
        int[] code = new int[1];
        TrainingCliTest.captureOut(() -> code[0] = Main.execute("reproduce", "hogwild-table1", "--scale", "small", "--seeds", "1", "--folds", "1",
                "--epochs", "1", "--models", "gcn", "--tasks", "count,sum,chains", "--out", out.toString()));
        assertThat(code[0]).isZero();
        JsonNode tasks = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("tasks");
        assertThat(tasks.get("count").get("graphs").asInt()).isEqualTo(50);
        assertThat(tasks.get("count").get("nodes").asInt()).isEqualTo(50 * 51 / 2);
        assertThat(tasks.get("sum").get("graphs").asInt()).isEqualTo(40);
        assertThat(tasks.get("chains").get("nodes").asInt()).isEqualTo(20 * 100);
    }

    @Test
    void table2ImplicitModelsDoNotChangeUnderAsynchronyAndGcnDoes() throws Exception {
        Path out = tmp.resolve("t2");
        int[] code = new int[1];
        // coordinates: a node's predicted position depends on its whole neighbourhood, so after 40 epochs at lr 0.02 GCN's
        // outputs move with stale reads
        TrainingCliTest.captureOut(() -> code[0] = Main.execute("reproduce", "hogwild-table2", "--quick", "--epochs", "40", "--lr", "0.02",
                "--models", "ignn,gsdgnn,gcn", "--tasks", "coordinates", "--out", out.toString()));
        assertThat(code[0]).isZero();
        Map<String, String[]> r = rows(out.resolve("table2.csv"));
        for (String m : List.of("ignn", "gsdgnn")) {
            String[] f = r.get(m + "/coordinates");
            assertThat(Math.abs(Double.parseDouble(f[5]))).as(m + " mean change (points)").isLessThan(0.1);
            assertThat(Double.parseDouble(f[7])).as(m + " largest output change").isLessThan(1e-3);
            assertThat(Boolean.parseBoolean(f[10])).as(m + " converged").isTrue();
            // the asynchronous engine in lockstep gives the synchronous engine's answer (trainer_error: the trainer's own solve)
            assertThat(Double.parseDouble(f[4])).as(m + " sync error vs trainer").isCloseTo(Double.parseDouble(f[13]), org.assertj.core.data.Offset.offset(0.01));
        }
        String[] gcn = r.get("gcn/coordinates");
        assertThat(Double.parseDouble(gcn[4])).as("explicit lockstep equals synchronous").isCloseTo(Double.parseDouble(gcn[13]), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Double.parseDouble(gcn[5])).as("GCN's mean change (points)").isGreaterThan(0.5);
        assertThat(Double.parseDouble(gcn[7])).as("GCN's largest output change").isGreaterThan(0.5);
        assertThat(Integer.parseInt(gcn[9])).as("stale reads happened, within S + D = 7").isGreaterThan(1).isLessThanOrEqualTo(7);
        List<String> runs = Files.readAllLines(out.resolve("runs.csv"));
        assertThat(runs).hasSize(1 + 3 * 5);
        assertThat(runs.getFirst()).endsWith(",sync_ticks,sync_converged,ticks,converged,seconds");
        for (String line : runs.subList(1, runs.size())) {
            String[] f = line.split(",");
            if (f[0].equals("gcn")) continue;
            // implicit models converge, the asynchronous runs within 2(S + 1) times the synchronous ticks
            assertThat(Boolean.parseBoolean(f[7]) && Boolean.parseBoolean(f[9])).as(line).isTrue();
            assertThat(Integer.parseInt(f[8])).as(line).isGreaterThan(Integer.parseInt(f[6])).isLessThanOrEqualTo(10 * Integer.parseInt(f[6]) + 28);
        }
        assertThat(Files.readString(out.resolve("table2.md"))).contains("Ticks of the synchronous inference / mean of the asynchronous runs");
        assertThat(new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("table2").get("stagger").asInt()).isEqualTo(4);
    }

    @Test
    void table2EnergyGnnReachesTheSynchronousAnswer() throws Exception {
        Path out = tmp.resolve("t2e");
        assertThat(Main.execute("reproduce", "hogwild-table2", "--quick", "--epochs", "1", "--runs", "2", "--test-graphs", "3",
                "--models", "energy-node", "--tasks", "count", "--out", out.toString())).isZero();
        String[] f = rows(out.resolve("table2.csv")).get("energy-node/count");
        assertThat(Math.abs(Double.parseDouble(f[5]))).isLessThan(0.1);
        assertThat(Double.parseDouble(f[7])).isLessThan(1e-3);
    }

    static io.mycelium.task.hogwild.HogwildConfig parse(Object command, HogwildOptions.Defaults d, String... args) {
        new picocli.CommandLine(command).parseArgs(args);
        HogwildOptions o = command instanceof HogwildTable1Command c1 ? c1.opts : ((HogwildTable2Command) command).opts;
        return o.config(d);
    }

    @Test
    void table2TrainsOnRawTargetsAndGivesExplicitModelsTheirOwnEpochs() {
        HogwildOptions.Defaults t1 = new HogwildOptions.Defaults(true, 5), t2 = new HogwildOptions.Defaults(false, 1000);
        var q2 = parse(new HogwildTable2Command(), t2, "--quick");
        assertThat(q2.standardizeTargets()).isFalse();
        assertThat(q2.epochs()).isEqualTo(5);
        assertThat(q2.explicitEpochs()).isEqualTo(1000);
        var q1 = parse(new HogwildTable1Command(), t1, "--quick");
        assertThat(q1.standardizeTargets()).isTrue();
        assertThat(q1.explicitEpochs()).isEqualTo(5);
        // --epochs given: every model trains that long unless --explicit-epochs says otherwise
        assertThat(parse(new HogwildTable2Command(), t2, "--quick", "--epochs", "40").explicitEpochs()).isEqualTo(40);
        var both = parse(new HogwildTable2Command(), t2, "--epochs", "40", "--explicit-epochs", "300", "--targets", "standardized");
        assertThat(both.epochs()).isEqualTo(40);
        assertThat(both.explicitEpochs()).isEqualTo(300);
        assertThat(both.standardizeTargets()).isTrue();
        var paper = parse(new HogwildTable2Command(), t2);
        assertThat(paper.epochs()).isEqualTo(5000);
        assertThat(paper.explicitEpochs()).isEqualTo(5000);
        assertThat(parse(new HogwildTable1Command(), t1, "--targets", "raw").standardizeTargets()).isFalse();
        var four = parse(new HogwildTable1Command(), t1, "--scale", "small", "--chains", "4");
        assertThat(four.sizes().chains()).isEqualTo(4);
        assertThat(four.sizes().sums()).isEqualTo(io.mycelium.task.hogwild.HogwildTasks.Sizes.small().sums());
    }

    @Test
    void badInputExitsTwoAndWritesNothing() {
        for (String[] args : List.of(
                new String[] {"--models", "nope"}, new String[] {"--tasks", "chess"}, new String[] {"--epochs", "0"},
                new String[] {"--seeds", "0"}, new String[] {"--scale", "huge"}, new String[] {"--targets", "scaled"},
                new String[] {"--explicit-epochs", "0"}, new String[] {"--chains", "3"}, new String[] {"--mnist", "/nonexistent", "--tasks", "mnist"})) {
            for (String cmd : List.of("hogwild-table1", "hogwild-table2")) {
                Path out = tmp.resolve("bad-" + cmd + "-" + args[0].substring(2));
                String[] full = new String[args.length + 5];
                full[0] = "reproduce";
                full[1] = cmd;
                full[2] = "--quick";
                full[3] = "--out";
                full[4] = out.toString();
                System.arraycopy(args, 0, full, 5, args.length);
                assertThat(Main.execute(full)).as(String.join(" ", full)).isEqualTo(2);
                assertThat(Files.exists(out)).isFalse();
            }
        }
        assertThat(Main.execute("reproduce", "hogwild-table2", "--stagger", "0", "--out", tmp.resolve("s0").toString())).isEqualTo(2);
        assertThat(tmp.resolve("s0")).doesNotExist();
    }
}
