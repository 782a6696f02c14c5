package io.mycelium.train;

import io.mycelium.tensor.Tensor;

/**
 * The loss and the reported metric of a graph-set task, computed from the model's outputs (one row
 * per node, or per graph for graph-level tasks). Losses are written by hand with their gradients
 * because some of them are not local: the coordinates loss compares every pair of nodes of a graph,
 * which no node can compute from its neighbourhood. Training is centralized, so that is allowed;
 * inference never needs the loss.
 *
 * <p>The metric is accumulated over batches as two sums ({@code acc[0]}, {@code acc[1]}) and turned
 * into a percentage by {@link #finish}: classification error, or the root mean squared error
 * normalized by the root mean square of the targets (the paper's relative RMSE).
 */
public interface Objective {
    /** Width of each output row the model must produce. */
    int outputWidth();

    /** Whether outputs and targets are one row per graph (mean of node outputs → MLP) instead of per node. */
    default boolean graphLevel() { return false; }

    /** Mean loss of the batch; writes its gradient with respect to {@code out} into {@code dOut}. */
    double loss(GraphBatch b, Tensor out, Tensor dOut);

    /** Adds the batch's metric sums into {@code acc}. */
    void accumulate(GraphBatch b, Tensor out, double[] acc);

    /** The metric, in percent, from accumulated sums. */
    double finish(double[] acc);

    String metricName();

    /** Binary classification of every row from one logit; binary cross-entropy; metric: % misclassified. */
    static Objective binaryClassification(boolean graphLevel) { return new Binary(graphLevel); }

    /** Regression of every row's J targets; mean squared error; metric: relative RMSE in %. */
    static Objective regression(int width, boolean graphLevel) { return new Regression(width, graphLevel); }

    /**
     * Relative localization: each node outputs a position in R², the loss is the mean squared error
     * between the true pairwise distances of all node pairs of a graph and those of the outputs (the
     * targets are the true positions); metric: relative RMSE of the distances in %.
     */
    static Objective pairwiseDistances() { return new PairwiseDistances(); }

    record Binary(boolean graphLevel) implements Objective {
        public int outputWidth() { return 1; }

        public double loss(GraphBatch b, Tensor out, Tensor dOut) {
            double[] z = out.data(), y = target(b, this).data(), g = dOut.data();
            double l = 0;
            int m = z.length;
            for (int i = 0; i < m; i++) {
                double s = sigmoid(z[i]);
                l += Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i]))) - y[i] * z[i];
                g[i] = (s - y[i]) / m;
            }
            return l / m;
        }

        public void accumulate(GraphBatch b, Tensor out, double[] acc) {
            double[] z = out.data(), y = target(b, this).data();
            for (int i = 0; i < z.length; i++) {
                if ((z[i] > 0) != (y[i] > 0.5)) acc[0]++;
                acc[1]++;
            }
        }

        public double finish(double[] acc) { return 100 * acc[0] / acc[1]; }

        public String metricName() { return "classification error %"; }
    }

    record Regression(int outputWidth, boolean graphLevel) implements Objective {
        public double loss(GraphBatch b, Tensor out, Tensor dOut) {
            double[] o = out.data(), y = target(b, this).data(), g = dOut.data();
            double l = 0;
            int m = o.length;
            for (int i = 0; i < m; i++) {
                double d = o[i] - y[i];
                l += d * d;
                g[i] = 2 * d / m;
            }
            return l / m;
        }

        public void accumulate(GraphBatch b, Tensor out, double[] acc) {
            double[] o = out.data(), y = target(b, this).data();
            for (int i = 0; i < o.length; i++) {
                acc[0] += (o[i] - y[i]) * (o[i] - y[i]);
                acc[1] += y[i] * y[i];
            }
        }

        public double finish(double[] acc) { return 100 * Math.sqrt(acc[0] / acc[1]); }

        public String metricName() { return "relative RMSE %"; }
    }

    final class PairwiseDistances implements Objective {
        /** Keeps the distance of two coinciding predicted points differentiable. */
        static final double EPS = 1e-12;

        public int outputWidth() { return 2; }

        public double loss(GraphBatch b, Tensor out, Tensor dOut) {
            double[] o = out.data(), y = b.y().data(), g = dOut.data();
            java.util.Arrays.fill(g, 0);
            long pairs = pairCount(b);
            double l = 0;
            for (int q = 0; q < b.graphs(); q++)
                for (int i = b.first()[q]; i < b.first()[q + 1]; i++)
                    for (int j = i + 1; j < b.first()[q + 1]; j++) {
                        double dx = o[2 * i] - o[2 * j], dy = o[2 * i + 1] - o[2 * j + 1];
                        double dh = Math.sqrt(dx * dx + dy * dy + EPS);
                        double r = dh - dist(y, i, j);
                        l += r * r;
                        double c = 2 * r / (dh * pairs);
                        g[2 * i] += c * dx;
                        g[2 * i + 1] += c * dy;
                        g[2 * j] -= c * dx;
                        g[2 * j + 1] -= c * dy;
                    }
            return l / pairs;
        }

        public void accumulate(GraphBatch b, Tensor out, double[] acc) {
            double[] o = out.data(), y = b.y().data();
            for (int q = 0; q < b.graphs(); q++)
                for (int i = b.first()[q]; i < b.first()[q + 1]; i++)
                    for (int j = i + 1; j < b.first()[q + 1]; j++) {
                        double d = dist(y, i, j), r = dist(o, i, j) - d;
                        acc[0] += r * r;
                        acc[1] += d * d;
                    }
        }

        public double finish(double[] acc) { return 100 * Math.sqrt(acc[0] / acc[1]); }

        public String metricName() { return "relative RMSE of pairwise distances %"; }

        private static double dist(double[] p, int i, int j) { return Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]); }

        private static long pairCount(GraphBatch b) {
            long c = 0;
            for (int q = 0; q < b.graphs(); q++) c += (long) b.size(q) * (b.size(q) - 1) / 2;
            return Math.max(1, c);
        }
    }

    private static Tensor target(GraphBatch b, Objective o) {
        int rows = o.graphLevel() ? b.graphs() : b.n();
        if (b.y().rows() != rows || b.y().dim(1) != o.outputWidth())
            throw new IllegalArgumentException("targets are " + java.util.Arrays.toString(b.y().shape()) + ", expected [" + rows + ", " + o.outputWidth() + "]");
        return b.y();
    }

    private static double sigmoid(double v) {
        if (v >= 0) return 1 / (1 + Math.exp(-v));
        double e = Math.exp(v);
        return e / (1 + e);
    }
}
