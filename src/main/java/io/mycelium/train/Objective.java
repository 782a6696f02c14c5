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

    /**
     * This objective with whatever constants it takes from the training graphs (regression: the
     * targets' mean and standard deviation, see {@link Regression}); the others return themselves.
     */
    default Objective fitTo(java.util.List<GraphSample> train) { return this; }

    /** Binary classification of every row from one logit; binary cross-entropy; metric: % misclassified. */
    static Objective binaryClassification(boolean graphLevel) { return new Binary(graphLevel); }

    /** Regression of every row's J targets; mean squared error; metric: relative RMSE in %. Outputs are the predictions as they are. */
    static Objective regression(int width, boolean graphLevel) { return new Regression(width, graphLevel, 0, 1); }

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

    /**
     * Regression with the model's outputs o read as standardized predictions: the prediction is
     * {@code center + scale · o}, the loss the mean squared error of the predictions divided by
     * scale² (so MSE of o against the standardized targets) and the metric the relative RMSE of the
     * predictions. {@link #fitTo} takes center and scale from the training targets (mean and standard
     * deviation over all their entries).
     *
     * <p>Why: Adam moves every parameter by about the learning rate per step, so a readout whose
     * outputs are O(1) (the energy GNNs' tanh MLP) needs thousands of steps just to reach targets of
     * 25–35 (the count and sum tasks): measured, an energy GNN on 40 sum chains was still at 78%
     * relative RMSE after 60 epochs (the mean predictor has 14%). The standardized model class is the
     * same (the readout's last layer is affine); only its starting point and scale change, for every
     * model alike.
     */
    record Regression(int outputWidth, boolean graphLevel, double center, double scale) implements Objective {
        public Regression {
            if (!(scale > 0) || !Double.isFinite(center)) throw new IllegalArgumentException("regression needs a positive scale and a finite center");
        }

        @Override
        public Regression fitTo(java.util.List<GraphSample> train) {
            double s = 0, s2 = 0;
            long m = 0;
            for (GraphSample g : train)
                for (double v : g.y().data()) {
                    s += v;
                    s2 += v * v;
                    m++;
                }
            if (m == 0) return this;
            double mean = s / m, var = Math.max(0, s2 / m - mean * mean);
            // constant targets: keep the unit scale (any scale fits them)
            return new Regression(outputWidth, graphLevel, mean, var > 1e-12 ? Math.sqrt(var) : 1);
        }

        /** The prediction an output stands for. */
        public double prediction(double out) { return center + scale * out; }

        public double loss(GraphBatch b, Tensor out, Tensor dOut) {
            double[] o = out.data(), y = target(b, this).data(), g = dOut.data();
            double l = 0;
            int m = o.length;
            for (int i = 0; i < m; i++) {
                double d = o[i] - (y[i] - center) / scale;
                l += d * d;
                g[i] = 2 * d / m;
            }
            return l / m;
        }

        public void accumulate(GraphBatch b, Tensor out, double[] acc) {
            double[] o = out.data(), y = target(b, this).data();
            for (int i = 0; i < o.length; i++) {
                double d = prediction(o[i]) - y[i];
                acc[0] += d * d;
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
