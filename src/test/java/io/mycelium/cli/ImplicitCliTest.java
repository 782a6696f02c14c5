package io.mycelium.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reproduce hogwild-table3 and distributed-implicit: bad input is exit 2 with nothing written; a tiny
 * run writes its tables; a resumed table ends with the same bits as an uninterrupted one.
 */
class ImplicitCliTest {
    @TempDir
    Path tmp;

    @Test
    void badInputIsExitTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("reproduce", "hogwild-table3", "--datasets", "imdb", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--datasets").contains("imdb");
        r = CliRun.of("reproduce", "hogwild-table3", "--data", tmp.resolve("none").toString(), "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--data").contains("not a directory");
        Files.createDirectories(tmp.resolve("data/MUTAG"));
        Files.writeString(tmp.resolve("data/MUTAG/MUTAG_graph_indicator.txt"), "1\n1\nx\n");
        r = CliRun.of("reproduce", "hogwild-table3", "--data", tmp.resolve("data").toString(), "--datasets", "mutag", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("MUTAG_graph_indicator.txt:3").doesNotContain("\tat ");
        r = CliRun.of("reproduce", "distributed-implicit", "--models", "gcn", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("gcn is explicit");
        r = CliRun.of("reproduce", "distributed-implicit", "--tasks", "chains", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        r = CliRun.of("reproduce", "distributed-implicit", "--restart-at", "1.5", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--restart-at");
        r = CliRun.of("reproduce", "distributed-implicit", "--stagger", "0", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--stagger");
        // fold selection: a fold outside --folds, --folds alone, folds of count, too few folds, a negative batch, an unknown placement
        String[][] bad = {{"--fold", "10"}, {"--fold", "-1"}, {"--folds", "10"}, {"--fold", "0", "--tasks", "count,mutag"}, {"--folds", "1", "--fold", "0"},
                {"--batch-size", "-1"}, {"--placement", "random"}, {"--val-fold", "4"}, {"--fold", "3", "--val-fold", "3"}, {"--fold", "3", "--val-fold", "10"}};
        String[] says = {"--fold must be between 0 and 9 (--folds 10), got 10", "got -1", "--folds needs --fold", "count and sum have none",
                "--folds must be at least 2", "--batch-size", "--placement: 'random' is not redrawn, shuffled or in-order",
                "--val-fold J needs --fold K", "--val-fold must be between 0 and 9 (--folds 10) and differ from --fold 3, got 3", "got 10"};
        for (int i = 0; i < bad.length; i++) {
            List<String> args = new ArrayList<>(List.of("reproduce", "distributed-implicit", "--out", out.toString()));
            args.addAll(List.of(bad[i]));
            r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", bad[i])).isEqualTo(2);
            assertThat(r.err()).contains(says[i]).doesNotContain("\tat ");
        }
        for (String cmd : new String[] {"hogwild-table3", "distributed-implicit"}) {
            r = CliRun.of("reproduce", cmd, "--init", "he", "--out", out.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--init").contains("'he'").contains("glorot or torch");
        }
        assertThat(out).doesNotExist();
    }

    @Test
    void aTinyDistributedRunWritesItsTableWithAsynchronousChange() throws Exception {
        Path out = tmp.resolve("di");
        CliRun r = CliRun.of("reproduce", "distributed-implicit", "--quick", "--epochs", "2", "--schemes", "centralized,d-amsgrad", "--runs", "1",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        java.util.List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertThat(rows).hasSize(3);
        for (String row : rows.subList(1, 3)) {
            String[] c = row.split(",");
            assertThat(Double.parseDouble(c[4])).as("test error").isBetween(0.0, 200.0);
            assertThat(Double.parseDouble(c[13])).as("max output change under asynchrony").isLessThan(1e-6);
            assertThat(c[15]).as("converged").isEqualTo("true");
        }
        assertThat(rows.get(2)).startsWith("ignn,count,d-amsgrad,");
        assertThat(Double.parseDouble(rows.get(2).split(",")[9])).as("consensus rounds per batch").isEqualTo(1.0);
        String[] header = rows.get(0).split(","), tied = rows.get(1).split(",");
        int replaced = List.of(header).indexOf("replaced_train_error"), loss = List.of(header).indexOf("test_loss");
        assertThat(tied[replaced]).as("a tied copy's error does not depend on the placement").isEqualTo(tied[17]);
        assertThat(tied[loss]).as("a tied copy's test loss is its average's").isEqualTo(tied[List.of(header).indexOf("averaged_test_loss")]);
        // the trained models: one tied copy centrally, one copy per device distributed
        var central = io.mycelium.artifact.ModelFile.read(out.resolve("models/ignn-count-centralized.myc"));
        var distributed = io.mycelium.artifact.ModelFile.read(out.resolve("models/ignn-count-d-amsgrad.myc"));
        assertThat(central.tied()).isTrue();
        assertThat(distributed.tied()).isFalse();
        assertThat(distributed.params().copies()).isEqualTo(Integer.parseInt(rows.get(2).split(",")[3]));
        assertThat(distributed.training().scheme()).isEqualTo("d-amsgrad");
    }

    @Test
    void distributedImplicitFoldsAreHogwildTable3sStratifiedFolds() throws Exception {
        Path mutag = DataDir.find("MUTAG").orElse(null);
        Assumptions.assumeTrue(mutag != null, "needs ../shared/data/MUTAG (the TU data set)");
        var d = io.mycelium.data.TuDataset.load(mutag, "MUTAG", false);
        assertThat(d.graphs()).hasSize(188);
        java.util.Map<Object, Integer> index = new java.util.IdentityHashMap<>();
        for (int g = 0; g < d.graphs().size(); g++) index.put(d.graphs().get(g), g);
        int[] dealt = io.mycelium.task.hogwild.Table3.folds(d.labels(), 10, io.mycelium.task.hogwild.Table3.FOLD_SEED);  // hogwild-table3's
        boolean[] tested = new boolean[188];
        int[] foldSize = new int[10];
        for (int k = 0; k < 10; k++) {
            var sp = io.mycelium.task.hogwild.Table3.foldSplit(d, 10, k);
            assertThat(sp.train().size() + sp.test().size()).isEqualTo(188);
            int[] perClass = new int[2];
            java.util.Set<Integer> train = new java.util.HashSet<>();
            for (var g : sp.train()) train.add(index.get(g));
            assertThat(train).hasSize(sp.train().size()).doesNotContainNull();
            for (var g : sp.test()) {
                int i = index.get(g);
                assertThat(train).as("fold %d: graph %d both trains and tests", k, i).doesNotContain(i);
                assertThat(tested[i]).as("graph %d in two test folds", i).isFalse();
                assertThat(dealt[i]).as("graph %d's fold", i).isEqualTo(k);
                tested[i] = true;
                perClass[d.labels()[i]]++;
            }
            // stratified: MUTAG's 63 / 125 graphs per class, a tenth of each (± 1 graph) in every fold
            assertThat(perClass[0]).isBetween(6, 7);
            assertThat(perClass[1]).isBetween(12, 13);
            foldSize[k] = sp.test().size();
        }
        for (int i = 0; i < 188; i++) assertThat(tested[i]).as("graph %d is tested in some fold", i).isTrue();
        // one fold through the command: it trains on the other nine folds and says so
        Path out = tmp.resolve("fold3");
        CliRun r = CliRun.of("reproduce", "distributed-implicit", "--fold", "3", "--epochs", "1", "--models", "ignn", "--schemes", "d-amsgrad",
                "--batch-size", "0", "--runs", "1", "--data", mutag.getParent().toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out.resolve("config.json")))
                .contains("MUTAG fold 3 of 10 stratified folds").contains(foldSize[3] + " test graphs, the other " + (188 - foldSize[3]) + " train");
        assertThat(Files.readAllLines(out.resolve("results.csv")).get(1)).startsWith("ignn,mutag,d-amsgrad,");
        // validation inside the folds: test fold 3 and validation fold 8 both out of training, fold 8 evaluated
        var val = io.mycelium.task.hogwild.Table3.validationSplit(d, 10, 3, 8);
        assertThat(val.train()).hasSize(188 - foldSize[3] - foldSize[8]);
        for (var g : val.train()) assertThat(dealt[index.get(g)]).as("a training graph's fold").isNotIn(3, 8);
        assertThat(val.test()).hasSize(foldSize[8]);
        for (var g : val.test()) assertThat(dealt[index.get(g)]).as("a validation graph's fold").isEqualTo(8);
        Path vo = tmp.resolve("fold3-val8");
        r = CliRun.of("reproduce", "distributed-implicit", "--fold", "3", "--val-fold", "8", "--epochs", "1", "--models", "ignn", "--schemes", "centralized",
                "--batch-size", "0", "--runs", "1", "--data", mutag.getParent().toString(), "--out", vo.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(vo.resolve("config.json"))).contains("MUTAG validation fold 8 of 10", "test fold 3 held out of training",
                foldSize[8] + " graphs of validation fold 8, the other " + (188 - foldSize[3] - foldSize[8]) + " train");
        List<String> csv = Files.readAllLines(vo.resolve("results.csv"));
        List<String> head = List.of(csv.get(0).split(","));
        String[] c = csv.get(1).split(",");
        double err = Double.parseDouble(c[head.indexOf("test_error")]), loss = Double.parseDouble(c[head.indexOf("test_loss")]);
        // the error counts fold 8's 18 graphs; the tied copy's loss is its average's, a cross-entropy of a trained-for-one-epoch model
        assertThat(err * foldSize[8] / 100).isCloseTo(Math.rint(err * foldSize[8] / 100), org.assertj.core.data.Offset.offset(1e-3));
        assertThat(loss).isEqualTo(Double.parseDouble(c[head.indexOf("averaged_test_loss")])).isBetween(0.05, 5.0);
    }

    @Test
    void aResumedTable3EndsWithTheBitsOfAnUninterruptedOne() throws Exception {
        Path mutag = DataDir.find("MUTAG").orElse(null);
        Assumptions.assumeTrue(mutag != null, "needs ../shared/data/MUTAG (the TU data set)");
        String[] common = {"reproduce", "hogwild-table3", "--quick", "--models", "ignn,gcn", "--threads", "1", "--runs", "1",
                "--data", mutag.getParent().toString()};
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c"), e = tmp.resolve("e");
        // interrupted after 2 of 3 epochs (a 2-epoch run's checkpoints hold the state after epoch 2), resumed to 3
        assertThat(run(common, "--epochs", "2", "--checkpoint-every", "1", "--out", a.toString()).code()).isZero();
        assertThat(run(common, "--epochs", "3", "--resume", a.toString(), "--out", b.toString()).code()).isZero();
        assertThat(run(common, "--epochs", "3", "--out", c.toString()).code()).isZero();
        for (String m : List.of("ignn-mutag-s1-f0.myc", "gcn-mutag-s1-f0.myc"))
            assertThat(Files.readAllBytes(b.resolve("models").resolve(m))).as(m).isEqualTo(Files.readAllBytes(c.resolve("models").resolve(m)));
        assertThat(withoutSeconds(b.resolve("runs.csv"))).isEqualTo(withoutSeconds(c.resolve("runs.csv")));
        // a finished run of as many epochs is not repeated: its row comes back as it was, wall seconds included
        assertThat(run(common, "--epochs", "2", "--resume", a.toString(), "--out", e.toString()).code()).isZero();
        assertThat(Files.readAllLines(e.resolve("runs.csv"))).isEqualTo(Files.readAllLines(a.resolve("runs.csv")));
        // the continued run starts from the stored state: a best accuracy planted in it survives
        Path ck = a.resolve("checkpoint/ignn-mutag-s1-f0.json");
        Files.writeString(ck, Files.readString(ck).replaceFirst("\"bestTestAccuracy\":[0-9.]+", "\"bestTestAccuracy\":99.5"));
        Path d = tmp.resolve("d");
        assertThat(run(common, "--epochs", "3", "--resume", a.toString(), "--out", d.toString()).code()).isZero();
        assertThat(Files.readAllLines(d.resolve("runs.csv")).get(1).split(",")[5]).isEqualTo("99.500000");
        // other settings are refused, nothing written
        CliRun r = run(common, "--epochs", "3", "--lr", "0.01", "--resume", a.toString(), "--out", tmp.resolve("f").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("other settings");
        assertThat(tmp.resolve("f")).doesNotExist();
    }

    private static CliRun run(String[] common, String... more) {
        List<String> args = new ArrayList<>(List.of(common));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** runs.csv without its last column (wall seconds). */
    private static List<String> withoutSeconds(Path runs) throws java.io.IOException {
        return Files.readAllLines(runs).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
