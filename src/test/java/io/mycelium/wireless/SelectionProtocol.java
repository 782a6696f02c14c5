package io.mycelium.wireless;

import io.mycelium.tensor.Params;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The variance protocol of docs/reproductions/wireless.md ("Reducing the variance of the reported
 * actor"), not a test: for each seed and scheme one default training run, then the actor each rule
 * reports (R0 the current validation argmax, C1 the argmax on 500 validation graphs, C2 the argmax of
 * the centred 5-point mean of R0's validation curve, C3 the mean of the last 10 actors), scored on the
 * 500 held-out graphs only. It never reads the 10 test graphs' ratios.
 *
 * <pre>java ... io.mycelium.wireless.SelectionProtocol DATA_DIR SEED...</pre>
 */
public final class SelectionProtocol {
    static final String[] RULES = {"R0", "C1", "C2", "C3"};
    static final int WARMUP = 5, K = 55, TAIL = 10, HALF_WINDOW = 2;

    public static void main(String[] args) {
        SchedulingTestSet test = SchedulingTestSet.read(Path.of(args[0]));   // train() logs it; its ratios are not read here
        int n = test.graphs().getFirst().n();
        SchedulingTestSet heldOut = SchedulingTestSet.drawnLikeTheTestSet(n, 100, 2021);
        int seeds = args.length - 1;
        double[][][] held = new double[2][RULES.length][seeds];
        for (int si = 0; si < seeds; si++) {
            long seed = Long.parseLong(args[si + 1]);
            LinkScheduling.Config p = LinkScheduling.Config.paper();
            LinkScheduling.Config cfg = new LinkScheduling.Config(K, 100, n, ConflictGraphs.Protocol.POOL, p.minDegree(), p.maxDegree(), p.actorLr(),
                    p.criticLr(), seed, LinkScheduling.Config.VALIDATION_PER_DENSITY, WARMUP, true);
            SchedulingTestSet large = LinkScheduling.validationSet(n, 100, seed);
            for (LinkScheduling.Scheme scheme : LinkScheduling.Scheme.values()) {
                List<Params> history = new ArrayList<>();
                LinkScheduling.Curve c = LinkScheduling.train(cfg, scheme, test, new LinkScheduling.Progress() {
                    public void step() {}

                    public void actor(int updates, Params actor) { history.add(actor); }
                });
                if (history.size() != K + 1) throw new IllegalStateException("history of " + history.size());
                double[] v = c.validationRatio();
                int r0 = argmax(k -> v[k]);
                if (r0 != c.selectedAfter()) throw new IllegalStateException("R0 recomputed " + r0 + " != " + c.selectedAfter());
                double[] vl = new double[K + 1];
                for (int k = WARMUP + 1; k <= K; k++) vl[k] = LinkScheduling.testRatio(large, history.get(k));
                int c1 = argmax(k -> vl[k]);
                int c2 = argmax(k -> {
                    double s = 0;
                    int m = 0;
                    for (int j = Math.max(WARMUP + 1, k - HALF_WINDOW); j <= Math.min(K, k + HALF_WINDOW); j++, m++) s += v[j];
                    return s / m;
                });
                Params c3 = mean(history.subList(K - TAIL + 1, K + 1));
                Params[] actors = {history.get(r0), history.get(c1), history.get(c2), c3};
                int q = scheme.ordinal();
                for (int r = 0; r < RULES.length; r++) held[q][r][si] = LinkScheduling.testRatio(heldOut, actors[r]);
                System.out.printf(Locale.ROOT, "seed %d %s: after R0 %d, C1 %d, C2 %d; held-out R0 %.5f C1 %.5f C2 %.5f C3 %.5f%n", seed, scheme.id(), r0, c1, c2,
                        held[q][0][si], held[q][1][si], held[q][2][si], held[q][3][si]);
            }
        }
        double[][] score = new double[2][RULES.length];
        for (int q = 0; q < 2; q++)
            for (int r = 0; r < RULES.length; r++) {
                double[] x = held[q][r];
                double mu = java.util.Arrays.stream(x).average().orElseThrow(), ss = 0;
                for (double y : x) ss += (y - mu) * (y - mu);
                score[q][r] = mu;
                System.out.printf(Locale.ROOT, "%s %s: held-out mean %.5f sd %.5f%n", LinkScheduling.Scheme.values()[q].id(), RULES[r], mu,
                        x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0);
            }
        int best = 1;
        for (int r = 2; r < RULES.length; r++) if (score[0][r] + score[1][r] > score[0][best] + score[1][best]) best = r;
        boolean adopt = score[0][best] > score[0][0] && score[1][best] > score[1][0];
        System.out.printf(Locale.ROOT, "best candidate %s (%.5f / %.5f against R0 %.5f / %.5f): %s%n", RULES[best], score[0][best], score[1][best],
                score[0][0], score[1][0], adopt ? "adopted" : "not adopted, R0 stays");
    }

    /** The earliest k in WARMUP+1..K with the largest value. */
    static int argmax(java.util.function.IntToDoubleFunction f) {
        int best = WARMUP + 1;
        for (int k = WARMUP + 2; k <= K; k++) if (f.applyAsDouble(k) > f.applyAsDouble(best)) best = k;
        return best;
    }

    /** The element-wise mean of actors of the same layout. */
    static Params mean(List<Params> actors) {
        Params m = actors.getFirst().zerosLike();
        for (Params a : actors)
            for (String name : m.names()) {
                double[] s = m.get(name).data(), x = a.get(name).data();
                for (int i = 0; i < s.length; i++) s[i] += x[i] / actors.size();
            }
        return m;
    }
}
