package io.mycelium.train;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * Table I of the training paper, measured: each row's schedule runs one mini-batch on the
 * synchronous engine with width recording on, and the engine's counters are set beside the paper's
 * formula for the rounds and its description of the message sizes.
 */
public final class TableI {
    private TableI() {}

    public enum Row {
        FWD_ONLY(Scheme.SGD, "Forward pass (FWD) only", "LB", "g_l"),
        D_NAIVE(Scheme.D_NAIVE, "FWD + D-naive (grad. consensus per sample) + reuse", "B(2L-1)+BK", "g_l, |θ|"),
        PER_BATCH(Scheme.D_NAIVE_BATCH, "FWD + Grad. consensus per batch + Info. reuse", "2BL-B+K", "g_l, |θ|"),
        PIGGYBACK(Scheme.D_NAIVE_PB, "FWD + Grad. consensus per batch + reuse + piggyback", "LB+L-1+K", "g_l + g_{L-l-1}, |θ|"),
        DIST_OPT(Scheme.D_SGD, "FWD + Dist. Opt. in (17) + reuse + piggyback", "LB+L-1", "g_l + g_{L-l-1} + |θ|/LB");

        public final Scheme scheme;
        public final String label, roundsFormula, sizeFormula;

        Row(Scheme scheme, String label, String roundsFormula, String sizeFormula) {
            this.scheme = scheme;
            this.label = label;
            this.roundsFormula = roundsFormula;
            this.sizeFormula = sizeFormula;
        }

        /** The paper's rounds per mini-batch. */
        public long rounds(int L, int B, int K) {
            return switch (this) {
                case FWD_ONLY -> (long) L * B;
                case D_NAIVE -> (long) B * (2L * L - 1) + (long) B * K;
                case PER_BATCH -> 2L * B * L - B + K;
                case PIGGYBACK -> (long) L * B + L - 1 + K;
                case DIST_OPT -> (long) L * B + L - 1;
            };
        }

        /**
         * The per-node message width of every round, as Section III-C describes the schedule:
         * forward round l sends X^l (g_l); the backward of layer l sends g_{l-1}, layers L..2; the
         * consensus sends |θ|; piggybacked, forward round l of sample b > 1 also carries backward
         * round l+1 of sample b−1, and piece q of |θ| split evenly over the LB forward rounds.
         */
        public List<Integer> widths(int[] g, int B, int K) {
            int L = g.length - 1, theta = 0;
            for (int l = 0; l < L; l++) theta += 2 * g[l] * g[l + 1];
            List<Integer> w = new ArrayList<>();
            boolean pb = this == PIGGYBACK || this == DIST_OPT;
            for (int b = 0; b < B; b++) {
                for (int l = 0; l < L; l++) {
                    int width = g[l];
                    if (pb && b > 0 && l < L - 1) width += g[L - 1 - l];
                    if (this == DIST_OPT) {
                        long q = (long) b * L + l, P = (long) L * B;
                        width += (int) ((q + 1) * theta / P - q * theta / P);
                    }
                    w.add(width);
                }
                if (this == FWD_ONLY) continue;
                if (!pb || b == B - 1) for (int l = L - 1; l >= 1; l--) w.add(g[l]);
                if (this == D_NAIVE) for (int k = 0; k < K; k++) w.add(theta);
            }
            if (this == PER_BATCH || this == PIGGYBACK) for (int k = 0; k < K; k++) w.add(theta);
            return w;
        }
    }

    public record Result(Row row, long measuredRounds, long paperRounds, List<Integer> measuredWidths, List<Integer> paperWidths,
                         long floats) {
        public boolean agrees() { return measuredRounds == paperRounds && measuredWidths.equals(paperWidths); }
    }

    /** Runs every row's schedule for one mini-batch of B samples with a GCNN of the given widths. */
    public static List<Result> measure(Graph g, int[] widths, int batch, int k, long seed) {
        if (batch < 1) throw new IllegalArgumentException("batch size B must be at least 1, got " + batch);
        Operator s = ShiftOperator.NORMALIZED_LAPLACIAN.of(g), w = ShiftOperator.metropolisHastings(g);
        Activation[] acts = new Activation[widths.length - 1];
        java.util.Arrays.fill(acts, Activation.SIGMOID);
        Gcnn model = new Gcnn(s, widths, acts, Gcnn.GLOROT);
        UniformRandomProvider rng = Init.rng(seed);
        Params tied = new Params();
        model.init(tied, rng);
        Dataset data = new Dataset(Init.uniform(rng, 0, 1, g.n(), batch, widths[0]), Init.uniform(rng, 0, 1, g.n(), batch));
        int[] samples = new int[batch];
        for (int b = 0; b < batch; b++) samples[b] = b;
        List<Result> out = new ArrayList<>();
        for (Row row : Row.values()) {
            Params p = row.scheme.centralized() ? tied.copy() : tied.perNode(g.n());
            Trainer t = new Trainer(Engine.synchronous(g, p), model, row.scheme, 1e-3, w, k).recordWidths();
            Traffic tr = t.perSample(data, samples).traffic();
            out.add(new Result(row, tr.rounds(), row.rounds(widths.length - 1, batch, k), tr.widths(), row.widths(widths, batch, k), tr.floats()));
        }
        return out;
    }

    /** Widths as "w×count" runs, e.g. {@code 10,10,20,10 -> "10×2 20 10"}. */
    public static String runs(List<Integer> widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < widths.size(); ) {
            int j = i;
            while (j < widths.size() && widths.get(j).equals(widths.get(i))) j++;
            if (!b.isEmpty()) b.append(' ');
            b.append(widths.get(i));
            if (j - i > 1) b.append('×').append(j - i);
            i = j;
        }
        return b.toString();
    }

}
