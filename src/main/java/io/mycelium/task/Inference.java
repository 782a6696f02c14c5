package io.mycelium.task;

import io.mycelium.engine.AsyncEngine;
import io.mycelium.engine.AsyncRun;
import io.mycelium.engine.AsyncSchedule;
import io.mycelium.graph.Graph;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphBatch;
import io.mycelium.train.GraphReadout;
import io.mycelium.train.GraphSample;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained model run on every sample of a data set, on the asynchronous engine: with
 * {@link AsyncSchedule#synchronous()} (every node every tick with its neighbours' latest values: the
 * synchronous computation, bit for bit) or with a partially asynchronous schedule. Each node uses its
 * own parameter copy when the parameters have one per node. Implicit models iterate until no node
 * changes by {@code tol} for a staleness window, or {@code maxTicks}; explicit models run their
 * layers (a GCN or GAT one layer per update, Algorithm 1 of the hogwild paper; other explicit models
 * layer-matched, see {@link AsyncEngine#runExplicit}).
 */
public final class Inference {
    private Inference() {}

    /**
     * @param outputs   {@code [nodes, samples, outputs]}
     * @param runs      one engine run per sample
     * @param residuals implicit models: per sample, the largest change one more synchronous step
     *                  makes to the final state (how far it is from the fixed point); empty for explicit ones
     */
    public record Result(Tensor outputs, List<AsyncRun> runs, double[] residuals) {
        public int maxTicks() { return runs.stream().mapToInt(AsyncRun::ticks).max().orElse(0); }

        public double meanTicks() { return runs.stream().mapToInt(AsyncRun::ticks).average().orElse(0); }

        public long unconverged() { return runs.stream().filter(r -> !r.converged()).count(); }

        public double maxResidual() {
            double m = 0;
            for (double r : residuals) m = Math.max(m, r);
            return m;
        }

        public double meanStaleness() { return runs.stream().mapToDouble(AsyncRun::meanStaleness).average().orElse(0); }

        public int maxStaleness() { return runs.stream().mapToInt(AsyncRun::maxStaleness).max().orElse(0); }
    }

    /**
     * Runs {@code model} with {@code params} on {@code x} ({@code [nodes, samples, features]}); sample s
     * runs with the schedule's seed plus s, so samples see different (reproducible) schedules.
     */
    public static Result run(Trainable model, Graph g, Params params, Tensor x, AsyncSchedule schedule, double tol, int maxTicks) {
        int n = g.n(), samples = x.dim(1), f = x.dim(2);
        if (x.dim(0) != n) throw new IllegalArgumentException("features for " + x.dim(0) + " nodes, the graph has " + n);
        List<AsyncRun> runs = new ArrayList<>(samples);
        double[] residuals = model instanceof ImplicitModel ? new double[samples] : new double[0];
        Tensor out = null;
        for (int s = 0; s < samples; s++) {
            Tensor xs = sample(x, s);
            AsyncEngine eng = new AsyncEngine(g, params, schedule.withSeed(schedule.seed() + s));
            AsyncRun r = switch (model) {
                case ImplicitModel im -> eng.runImplicit(im, xs, null, null, tol, maxTicks);
                case Model explicit -> eng.runExplicit(explicit, xs);
            };
            if (model instanceof ImplicitModel im) {
                AsyncRun step = new AsyncEngine(g, params, AsyncSchedule.synchronous()).runImplicit(im, xs, null, r.state(), tol, 1);
                residuals[s] = step.state().maxAbsDiff(r.state());
            }
            runs.add(r);
            int k = r.output().dim(1);
            if (out == null) out = Tensor.zeros(n, samples, k);
            for (int i = 0; i < n; i++) System.arraycopy(r.output().data(), i * k, out.data(), (i * samples + s) * k, k);
        }
        return new Result(out, runs, residuals);
    }

    /**
     * A graph-level model's predictions {@code [samples, J]}: {@code head} (the mean of each sample's
     * node outputs, then an MLP) over {@code nodeOut} ({@code [nodes, samples, k]}).
     */
    public static Tensor graphLevel(GraphReadout head, Graph g, Params params, Tensor nodeOut) {
        if (!params.isTied()) throw new IllegalArgumentException("a graph readout runs on tied parameters");
        int samples = nodeOut.dim(1), j = head.outputWidth();
        double[] out = new double[samples * j];
        for (int s = 0; s < samples; s++) {
            Tensor ys = sample(nodeOut, s);
            GraphBatch b = GraphBatch.of(List.of(new GraphSample(g, ys, null, Tensor.zeros(1, j))));
            System.arraycopy(head.forward(b, ys, params).data(), 0, out, s * j, j);
        }
        return new Tensor(out, samples, j);
    }

    /** Sample {@code s} of {@code [nodes, samples, f]} as {@code [nodes, f]}. */
    static Tensor sample(Tensor x, int s) {
        int n = x.dim(0), samples = x.dim(1), f = x.dim(2);
        double[] v = new double[n * f];
        for (int i = 0; i < n; i++) System.arraycopy(x.data(), (i * samples + s) * f, v, i * f, f);
        return new Tensor(v, n, f);
    }
}
