package io.mycelium.train;

import io.mycelium.tensor.Tensor;
import io.mycelium.util.Checks;

/**
 * Samples on one graph, stored node-major so that a host's share is one row slice:
 * {@code x} is {@code [nodes, samples, features]}, {@code y} is {@code [nodes, samples]}.
 */
public record Dataset(Tensor x, Tensor y) {
    public Dataset {
        if (x.rank() != 3 || y.rank() != 2 || x.dim(0) != y.dim(0) || x.dim(1) != y.dim(1))
            throw new IllegalArgumentException("dataset needs x [nodes, samples, features] and y [nodes, samples], got "
                    + java.util.Arrays.toString(x.shape()) + " and " + java.util.Arrays.toString(y.shape()));
        Checks.finite("dataset x (features)", x.data());
        Checks.finite("dataset y (labels)", y.data());
    }

    public int nodes() { return x.dim(0); }

    public int samples() { return x.dim(1); }

    public int features() { return x.dim(2); }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive) of every node. */
    public Dataset range(int from, int to) {
        if (from < 0 || to > samples() || from >= to) throw new IllegalArgumentException("no samples in " + from + ".." + to + " of " + samples());
        int n = nodes(), s = samples(), g = features(), c = to - from;
        double[] x = new double[n * c * g], y = new double[n * c], sx = x().data(), sy = y().data();
        for (int i = 0; i < n; i++) {
            System.arraycopy(sx, (i * s + from) * g, x, i * c * g, c * g);
            System.arraycopy(sy, i * s + from, y, i * c, c);
        }
        return new Dataset(new Tensor(x, n, c, g), new Tensor(y, n, c));
    }

    /** From sample-major arrays {@code xs[s][node][feature]} and {@code ys[s][node]}. */
    public static Dataset of(double[][][] xs, double[][] ys) {
        int s = xs.length, n = xs[0].length, g = xs[0][0].length;
        double[] x = new double[n * s * g], y = new double[n * s];
        for (int q = 0; q < s; q++)
            for (int i = 0; i < n; i++) {
                System.arraycopy(xs[q][i], 0, x, (i * s + q) * g, g);
                y[i * s + q] = ys[q][i];
            }
        return new Dataset(new Tensor(x, n, s, g), new Tensor(y, n, s));
    }

    /** Rows {@code [rows, samples.length, features]} of the given samples, from node-major local data. */
    static Tensor gatherX(Tensor localX, int[] samples) {
        int rows = localX.dim(0), s = localX.dim(1), g = localX.dim(2);
        double[] src = localX.data(), out = new double[rows * samples.length * g];
        for (int i = 0; i < rows; i++)
            for (int b = 0; b < samples.length; b++) System.arraycopy(src, (i * s + samples[b]) * g, out, (i * samples.length + b) * g, g);
        return new Tensor(out, rows, samples.length, g);
    }

    /** {@code [rows, samples.length, 1]} labels. */
    static Tensor gatherY(Tensor localY, int[] samples) {
        int rows = localY.dim(0), s = localY.dim(1);
        double[] src = localY.data(), out = new double[rows * samples.length];
        for (int i = 0; i < rows; i++) for (int b = 0; b < samples.length; b++) out[i * samples.length + b] = src[i * s + samples[b]];
        return new Tensor(out, rows, samples.length, 1);
    }
}
