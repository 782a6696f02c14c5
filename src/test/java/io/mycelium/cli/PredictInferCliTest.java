package io.mycelium.cli;

import io.mycelium.artifact.CustomModelFile;
import io.mycelium.artifact.ModelFile;
import io.mycelium.autodiff.Tape;
import io.mycelium.engine.Engine;
import io.mycelium.graph.EdgeListReader;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Ignn;
import io.mycelium.model.Model;
import io.mycelium.task.CsvDataset;
import io.mycelium.task.NodeRegression;
import io.mycelium.task.NodeRegressionRun;
import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import io.mycelium.train.GraphNet;
import io.mycelium.train.GraphReadout;
import io.mycelium.train.GraphSample;
import io.mycelium.train.GraphTrainer;
import io.mycelium.train.Objective;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mycelium predict} and {@code mycelium infer} on models saved from small training runs in this JVM. */
class PredictInferCliTest {
    @TempDir
    Path tmp;

    /** Parses predict's CSV into {@code [nodes, samples, k]}. */
    static Tensor outputs(List<String> lines, int nodes, int samples, int k) {
        assertThat(lines.get(0)).startsWith(ModelRun.MARKER);
        assertThat(lines.get(1)).isEqualTo("sample,node" + (k == 1 ? ",y1" : ",y1,y2"));
        assertThat(lines).hasSize(2 + nodes * samples);
        Tensor y = Tensor.zeros(nodes, samples, k);
        for (String l : lines.subList(2, lines.size())) {
            String[] f = l.split(",");
            int s = Integer.parseInt(f[0]), i = Integer.parseInt(f[1]);
            for (int c = 0; c < k; c++) y.data()[(i * samples + s) * k + c] = Double.parseDouble(f[2 + c]);
        }
        return y;
    }

    /** The trained per-node GCNN's outputs in memory, on the reference synchronous engine (as its trainer evaluates it). */
    static Tensor inMemory(Model m, Graph g, Params p, Tensor x) {
        return Engine.synchronous(g, p).run(h -> {
            Tape t = h.newTape();
            return m.forward(t, t.constant(x)).value().copy();
        }).getFirst();
    }

    record Saved(Path model, Path graph, Path features, Path labels, Tensor expected, TrainingRun.Result result) {}

    /** A small node-regression run with per-node copies (D-SGD), saved as reproduce node-regression saves it. */
    Saved trainedGcnn() throws Exception {
        NodeRegression.Config c = NodeRegression.Config.paper().withSize(20, 40, 6, 10).withEpochs(3).withSeed(2);
        NodeRegression.Problem p = NodeRegression.build(c);
        TrainingRun.Result r = NodeRegressionRun.run(p, Scheme.D_SGD, null);
        assertThat(r.params().isTied()).isFalse();
        Path dir = Files.createDirectories(tmp.resolve("d-sgd"));
        RunFiles.writeModel(dir, r, p.graph(), c.seed(), c.epochs());
        Path graph = tmp.resolve("graph.txt"), f = tmp.resolve("x.csv"), l = tmp.resolve("y.csv");
        EdgeListReader.write(p.graph(), graph);
        CsvDataset.write(p.test(), f, l);
        return new Saved(dir.resolve("model.myc"), graph, f, l, inMemory(r.model(), p.graph(), r.params(), p.test().x()), r);
    }

    @Test
    void predictReproducesTheTrainedPerNodeGcnnBitForBit() throws Exception {
        Saved s = trainedGcnn();
        Path out = tmp.resolve("pred.csv");
        CliRun run = CliRun.of("predict", s.model().toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        Tensor y = outputs(Files.readAllLines(out), 20, 6, 1);
        for (int q = 0; q < y.size(); q++)
            assertThat(Double.doubleToRawLongBits(y.data()[q])).as("output " + q).isEqualTo(Double.doubleToRawLongBits(s.expected().data()[q]));
        // and the outputs are the trained model's: their MSE is the run's last test MSE
        Tensor t = CsvDataset.read(s.features(), s.labels(), 20).y();
        double mse = 0;
        for (int q = 0; q < y.size(); q++) mse += Math.pow(y.data()[q] - t.data()[q], 2) / y.size();
        assertThat(mse).isCloseTo(s.result().last().testMse(), org.assertj.core.data.Offset.offset(1e-12));
        // standard output when --out is not given: the same lines
        CliRun toStdout = CliRun.of("predict", s.model().toString(), "--graph", s.graph().toString(), "--features", s.features().toString());
        assertThat(toStdout.code()).isZero();
        assertThat(toStdout.out().lines().toList()).isEqualTo(Files.readAllLines(out));
    }

    @Test
    void aCorruptedOrMismatchedModelIsRefusedAndNothingIsWritten() throws Exception {
        Saved s = trainedGcnn();
        Path out = tmp.resolve("pred.csv");
        byte[] b = Files.readAllBytes(s.model());
        b[b.length / 2] ^= 1;
        Path bad = tmp.resolve("bad.myc");
        Files.write(bad, b);
        for (String cmd : List.of("predict", "infer")) {
            CliRun run = CliRun.of(cmd, bad.toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", out.toString());
            assertThat(run.code()).isEqualTo(2);
            assertThat(run.err()).contains(bad.toString()).contains("corrupted");
            assertThat(out).doesNotExist();
        }
        Path other = tmp.resolve("other.txt");
        EdgeListReader.write(Generators.parse("ba:20:2", 99), other);
        CliRun run = CliRun.of("predict", s.model().toString(), "--graph", other.toString(), "--features", s.features().toString(), "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("one parameter copy per node").contains("--graph " + other);
        assertThat(out).doesNotExist();
        Files.writeString(out, "not ours\n");
        run = CliRun.of("predict", s.model().toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", out.toString(), "--force");
        assertThat(run.code()).isEqualTo(2);
        assertThat(Files.readString(out)).isEqualTo("not ours\n");
    }

    @Test
    void aCustomModelFileIsRefusedNamingWhatItHolds() throws Exception {
        Saved s = trainedGcnn();
        Path custom = tmp.resolve("uwmmse.myc"), out = tmp.resolve("pred.csv");
        new CustomModelFile("uwmmse", "UWMMSE power allocation", null, new Params().add("theta", new Tensor(new double[] {1, 2}, 1, 2)), null, null)
                .write(custom);
        for (String cmd : List.of("predict", "infer")) {
            CliRun run = CliRun.of(cmd, custom.toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", out.toString());
            assertThat(run.code()).as(cmd).isEqualTo(2);
            assertThat(run.err()).contains(custom.toString()).contains("custom 'uwmmse' model (UWMMSE power allocation)").contains("not a registered graph model");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void aModelReadingEdgeFeaturesIsRefusedAndAnOutputScaleIsApplied() throws Exception {
        Saved s = trainedGcnn();
        Path out = tmp.resolve("pred.csv");
        var energy = new io.mycelium.model.energy.EnergyGnn(io.mycelium.model.energy.EnergyGnn.Variant.EDGE_WISE, NodeRegression.FEATURES, 1, 1);
        Path e = tmp.resolve("energy.myc");
        ModelFile.ofTied(energy, energy.init(Init.rng(2)), null, null).write(e);
        CliRun run = CliRun.of("predict", e.toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", out.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains(e.toString()).contains("1 feature(s) per edge");
        assertThat(out).doesNotExist();

        // the same tied model with and without an output scale: predictions c + s * output
        Ignn ignn = Ignn.paper(NodeRegression.FEATURES, 1);
        Params p = ignn.init(Init.rng(5));
        Path plain = tmp.resolve("plain.myc"), scaled = tmp.resolve("scaled.myc"), o1 = tmp.resolve("o1.csv"), o2 = tmp.resolve("o2.csv");
        ModelFile.ofTied(ignn, p, null, null).write(plain);
        ModelFile.ofTied(ignn, p, null, new ModelFile.OutputScale(30, 0.5)).write(scaled);
        assertThat(ModelFile.read(scaled).outputScale()).isEqualTo(new ModelFile.OutputScale(30, 0.5));
        assertThat(ModelFile.read(plain).graph()).isNull();
        for (Path[] m : new Path[][] {{plain, o1}, {scaled, o2}})
            assertThat(CliRun.of("predict", m[0].toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", m[1].toString()).code()).isZero();
        List<String> a = Files.readAllLines(o1), b = Files.readAllLines(o2);
        assertThat(b).hasSameSizeAs(a);
        for (int i = 2; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            assertThat(Double.parseDouble(y[2])).isEqualTo(30 + 0.5 * Double.parseDouble(x[2]));
        }
    }

    /** An IGNN trained for a few epochs on a 16-node graph (tied parameters), saved with its graph and features. */
    Saved trainedIgnn() throws Exception {
        Graph g = Generators.parse("ba:16:2", 3);
        UniformRandomProvider rng = Init.rng(4);
        int samples = 8;
        List<GraphSample> train = new ArrayList<>();
        double[][][] xs = new double[samples][][];
        double[][] ys = new double[samples][];
        for (int s = 0; s < samples; s++) {
            double[] x = new double[g.n() * 3], y = new double[g.n()];
            for (int q = 0; q < x.length; q++) x[q] = rng.nextDouble();
            for (int i = 0; i < g.n(); i++) {   // target: node i's first feature plus its neighbours' mean
                double m = 0;
                for (int p = g.offsets()[i]; p < g.offsets()[i + 1]; p++) m += x[g.neighbours()[p] * 3] / g.degree(i);
                y[i] = x[i * 3] + m;
            }
            train.add(new GraphSample(g, new Tensor(x, g.n(), 3), null, new Tensor(y, g.n(), 1)));
            xs[s] = new double[g.n()][];
            for (int i = 0; i < g.n(); i++) xs[s][i] = java.util.Arrays.copyOfRange(x, i * 3, i * 3 + 3);
            ys[s] = y;
        }
        // tanh, k = 4: the paper's ReLU IGNN trained this briefly can sit with every state at zero (a constant output)
        java.util.function.Supplier<Ignn> ignn = () -> new Ignn(3, 4, new int[] {8}, new int[] {4}, 1, Activation.TANH, 0.95, ShiftOperator.RENORMALIZED_ADJACENCY, 1.0);
        GraphTrainer tr = new GraphTrainer(GraphNet.of(gr -> ignn.get(), GraphNet.Solver.of(1e-9, 5000)), Objective.regression(1, false), null, train,
                new GraphTrainer.Config(4, 4, 0.01, 1, 1, 0, 1));
        tr.train(e -> {});
        Path model = tmp.resolve("ignn.myc"), graph = tmp.resolve("g.txt"), f = tmp.resolve("gx.csv"), l = tmp.resolve("gy.csv");
        ModelFile.of(ignn.get(), tr.params(), g, new ModelFile.Training("amsgrad", 1, 4, null, Double.NaN)).write(model);
        EdgeListReader.write(g, graph);
        CsvDataset.write(Dataset.of(xs, ys), f, l);
        return new Saved(model, graph, f, l, null, null);
    }

    @Test
    void inferOnATrainedIgnnConvergesToPredictsOutputs() throws Exception {
        Saved s = trainedIgnn();
        Path pred = tmp.resolve("pred.csv"), async = tmp.resolve("async.csv");
        CliRun p = CliRun.of("predict", s.model().toString(), "--graph", s.graph().toString(), "--features", s.features().toString(), "--out", pred.toString());
        assertThat(p.code()).as(p.err()).isZero();
        CliRun i = CliRun.of("infer", s.model().toString(), "--graph", s.graph().toString(), "--features", s.features().toString(),
                "--stagger", "4", "--history", "3", "--loss", "0.1", "--seed", "5", "--labels", s.labels().toString(), "--out", async.toString());
        assertThat(i.code()).as(i.err()).isZero();
        assertThat(i.out()).contains("ignn model (implicit").contains("asynchronous").contains("MSE: synchronous");
        Tensor sync = outputs(Files.readAllLines(pred), 16, 8, 1), hog = outputs(Files.readAllLines(async), 16, 8, 1);
        double max = 0;
        for (int q = 0; q < sync.size(); q++) max = Math.max(max, Math.abs(sync.data()[q] - hog.data()[q]));
        assertThat(max).isLessThan(1e-6);
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (double v : sync.data()) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        assertThat(hi - lo).as("a model whose state collapsed to a constant would pass trivially").isGreaterThan(0.05);
        assertThat(i.out()).doesNotContain("without converging");
        graphLevelPredictIsTheMeanThenTheReadoutMlp(s);
        // the asynchronous schedule really was asynchronous: values older than one tick were read
        assertThat(i.out()).containsPattern("staleness of the values read: mean [1-9]");
    }

    /**
     * The same IGNN saved with a graph readout (mean of the node outputs, then an MLP with tanh between
     * layers): predict writes one row per sample, equal to that computed here from predict's node outputs.
     */
    void graphLevelPredictIsTheMeanThenTheReadoutMlp(Saved nodeLevel) throws Exception {
        ModelFile m = ModelFile.read(nodeLevel.model());
        Params p = m.params().copy();
        GraphReadout head = new GraphReadout(1, 3, 1);
        head.init(p, Init.rng(9));
        Path gm = tmp.resolve("graph-level.myc"), out = tmp.resolve("graphs.csv");
        new ModelFile(m.spec(), head, p, m.graph(), m.training()).write(gm);
        CliRun r = CliRun.of("predict", gm.toString(), "--graph", nodeLevel.graph().toString(), "--features", nodeLevel.features().toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(1)).isEqualTo("sample,y1");
        assertThat(lines).hasSize(2 + 8);
        Tensor nodes = outputs(Files.readAllLines(tmp.resolve("pred.csv")), 16, 8, 1);
        double[] w0 = p.get("graph-readout.w0").data(), b0 = p.get("graph-readout.b0").data(), w1 = p.get("graph-readout.w1").data(), b1 = p.get("graph-readout.b1").data();
        for (int s = 0; s < 8; s++) {
            double mean = 0;
            for (int i = 0; i < 16; i++) mean += nodes.data()[i * 8 + s] / 16;
            double y = b1[0];
            for (int h = 0; h < 3; h++) y += Math.tanh(mean * w0[h] + b0[h]) * w1[h];
            String[] f = lines.get(2 + s).split(",");
            assertThat(Integer.parseInt(f[0])).isEqualTo(s);
            assertThat(Double.parseDouble(f[1])).isCloseTo(y, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    static java.util.stream.Stream<String> registered() { return io.mycelium.task.hogwild.Models.all().stream().map(io.mycelium.task.hogwild.Models.Entry::id); }

    /**
     * Every registered model, saved with fresh tied parameters, runs under predict and infer; implicit
     * models reach predict's answer asynchronously (1e-6), explicit ones finish their layers.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("registered")
    void everyRegisteredModelRunsUnderPredictAndInfer(String id) throws Exception {
        Graph g = Generators.parse("ba:10:2", 6);
        io.mycelium.model.Trainable m = io.mycelium.task.hogwild.Models.get(id).factory().create(2, 0, 2);
        Path model = tmp.resolve(id + ".myc"), graph = tmp.resolve("g.txt"), f = tmp.resolve("x.csv"), l = tmp.resolve("y.csv");
        ModelFile.of(m, m.init(Init.rng(8)), g, null).write(model);
        EdgeListReader.write(g, graph);
        UniformRandomProvider rng = Init.rng(9);
        double[][][] xs = new double[1][10][2];
        double[][] ys = new double[1][10];
        for (double[][] x : xs) for (double[] row : x) for (int c = 0; c < 2; c++) row[c] = rng.nextDouble();
        CsvDataset.write(Dataset.of(xs, ys), f, l);
        Path pred = tmp.resolve("p.csv"), async = tmp.resolve("a.csv");
        CliRun p = CliRun.of("predict", model.toString(), "--graph", graph.toString(), "--features", f.toString(), "--out", pred.toString(), "--tol", "1e-9");
        assertThat(p.code()).as(p.err()).isZero();
        // energy GNNs contract by 1 - αβ = 0.996 per step: 1e-9 keeps both runs within 1e-9 / 0.004 of the fixed point
        CliRun i = CliRun.of("infer", model.toString(), "--graph", graph.toString(), "--features", f.toString(), "--stagger", "3", "--history", "2",
                "--out", async.toString(), "--tol", "1e-9");
        assertThat(i.code()).as(i.err()).isZero();
        Tensor sync = outputs(Files.readAllLines(pred), 10, 1, 2), hog = outputs(Files.readAllLines(async), 10, 1, 2);
        for (double v : sync.data()) assertThat(v).isFinite();
        if (m instanceof io.mycelium.model.ImplicitModel) {
            assertThat(i.out()).doesNotContain("without converging");
            for (int q = 0; q < sync.size(); q++) assertThat(hog.data()[q]).isCloseTo(sync.data()[q], org.assertj.core.data.Offset.offset(1e-6));
        } else assertThat(i.out()).contains("explicit: one layer per update");
    }
}
