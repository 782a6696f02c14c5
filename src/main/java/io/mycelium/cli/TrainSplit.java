package io.mycelium.cli;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import io.mycelium.train.GraphTrainer;
import io.mycelium.util.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training/test split of a {@code train} config's samples (CSV samples or TU graphs). The
 * default is a seeded shuffle, so that a file sorted by time or by class does not put one end of it
 * into the test set; {@code last} keeps the old behaviour (the last fraction in file order) and
 * {@code file} reads the assignment of every sample. Each part keeps the samples' file order.
 */
final class TrainSplit {
    private TrainSplit() {}

    /** Sample ids of the training and the test part, each ascending. */
    record Parts(int[] train, int[] test) {}

    static Parts of(TrainConfig.Data d, int count, Path config) {
        return switch (d.split()) {
            case SHUFFLE -> shuffled(count, d.testFraction(), d.seed(), config);
            case LAST -> last(count, d.testFraction(), config);
            case FILE -> file(d.splitFile(), count);
            case PUBLIC -> throw new IllegalStateException("the public split is Planetoid's own");
        };
    }

    /** The held-out count of a fraction: at least one sample, and at least one left to train on. */
    private static int held(int count, double fraction, Path config) {
        int test = (int) Math.ceil(fraction * count);
        if (test >= count) throw new Main.UserError(config + ": data.test: holds out all " + count + " samples; nothing is left to train on");
        return test;
    }

    /** A seeded Fisher–Yates permutation of the ids; its first {@code ceil(fraction · count)} are the test part. */
    static Parts shuffled(int count, double fraction, long seed, Path config) {
        int test = held(count, fraction, config);
        List<Integer> ids = new ArrayList<>(count);
        for (int q = 0; q < count; q++) ids.add(q);
        GraphTrainer.shuffle(ids, Init.rng(seed));
        boolean[] isTest = new boolean[count];
        for (int q = 0; q < test; q++) isTest[ids.get(q)] = true;
        return parts(isTest);
    }

    static Parts last(int count, double fraction, Path config) {
        int test = held(count, fraction, config);
        boolean[] isTest = new boolean[count];
        for (int q = count - test; q < count; q++) isTest[q] = true;
        return parts(isTest);
    }

    /** Lines {@code sample,train} or {@code sample,test} (an optional header, blank and {@code #} lines skipped), every sample exactly once. */
    static Parts file(Path f, int count) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f);
        } catch (IOException e) {
            throw new Main.UserError(f + ": cannot read (" + e.getMessage() + ")");
        }
        Boolean[] isTest = new Boolean[count];
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] p = l.split(",", -1);
            if (i == 0 && !p[0].strip().matches("\\d+")) continue;   // a header
            String at = f + " line " + (i + 1) + ": ";
            if (p.length != 2) throw new Main.UserError(at + "expected 'sample,train' or 'sample,test', got '" + TextFiles.printable(l) + "'");
            int s;
            try {
                s = Integer.parseInt(p[0].strip());
            } catch (NumberFormatException e) {
                throw new Main.UserError(at + "not a sample id: '" + TextFiles.printable(p[0]) + "'");
            }
            if (s < 0 || s >= count) throw new Main.UserError(at + "sample " + s + " is not in 0.." + (count - 1));
            String part = p[1].strip();
            if (!part.equals("train") && !part.equals("test")) throw new Main.UserError(at + "the part must be 'train' or 'test', got '" + TextFiles.printable(part) + "'");
            if (isTest[s] != null) throw new Main.UserError(at + "sample " + s + " is assigned twice");
            isTest[s] = part.equals("test");
        }
        boolean[] t = new boolean[count];
        for (int s = 0; s < count; s++) {
            if (isTest[s] == null) throw new Main.UserError(f + ": sample " + s + " is in neither part (every sample needs a line)");
            t[s] = isTest[s];
        }
        Parts r = parts(t);
        if (r.train().length == 0 || r.test().length == 0) throw new Main.UserError(f + ": the " + (r.train().length == 0 ? "training" : "test") + " part is empty");
        return r;
    }

    private static Parts parts(boolean[] isTest) {
        int test = 0;
        for (boolean b : isTest) if (b) test++;
        int[] tr = new int[isTest.length - test], te = new int[test];
        int a = 0, b = 0;
        for (int q = 0; q < isTest.length; q++) if (isTest[q]) te[b++] = q; else tr[a++] = q;
        return new Parts(tr, te);
    }

    /** The given samples of every node, in the given order. */
    static Dataset select(Dataset d, int[] samples) {
        int n = d.nodes(), s = d.samples(), g = d.features(), c = samples.length;
        double[] x = new double[n * c * g], y = new double[n * c], sx = d.x().data(), sy = d.y().data();
        for (int i = 0; i < n; i++)
            for (int q = 0; q < c; q++) {
                System.arraycopy(sx, (i * s + samples[q]) * g, x, (i * c + q) * g, g);
                y[i * c + q] = sy[i * s + samples[q]];
            }
        return new Dataset(new Tensor(x, n, c, g), new Tensor(y, n, c));
    }
}
