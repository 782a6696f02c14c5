package io.mycelium.autodiff;

import io.mycelium.tensor.Parallel;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;

/** The tape's linear-algebra ops ({@link Tape#matmul}, {@link Tape#transpose}) with their adjoints. */
final class LinearOps {
    private LinearOps() {}

    /**
     * {@code x · w} over the last axis of x. {@code w} is {@code [copies, k, m]}: one tied copy
     * (a single large product over all rows) or one copy per node of x (θ_i applied to node i's rows).
     * A rank-2 {@code [k, m]} w is tied.
     */
    static Var matmul(Tape t, Var x, Var w) {
        int[] xs = x.value.shape(), ws = w.value.shape();
        int k = xs[xs.length - 1];
        int wk = ws[ws.length - 2], m = ws[ws.length - 1];
        int copies = ws.length == 2 ? 1 : ws[0];
        if (ws.length < 2 || ws.length > 3 || wk != k)
            throw new IllegalArgumentException("matmul: x " + Arrays.toString(xs) + " and w " + Arrays.toString(ws) + " do not fit");
        int n = xs[0];
        boolean tied = copies == 1;
        if (!tied && copies != n) throw new IllegalArgumentException("matmul: " + copies + " weight copies for " + n + " nodes");
        int rows = x.value.size() / k;
        int perNode = n == 0 ? 0 : rows / n;
        int[] os = xs.clone();
        os[os.length - 1] = m;
        Tensor o = t.alloc(os);
        double[] X = x.value.data(), W = w.value.data(), O = o.data();
        int km = k * m;
        Parallel.forRange(rows, Parallel.chunks(rows, km), (c, from, to) -> {
            for (int r = from; r < to; r++) {
                int wo = tied ? 0 : (r / perNode) * km, xo = r * k, oo = r * m;
                Arrays.fill(O, oo, oo + m, 0);
                for (int kk = 0; kk < k; kk++) {
                    double xv = X[xo + kk];
                    int wr = wo + kk * m;
                    for (int j = 0; j < m; j++) O[oo + j] += xv * W[wr + j];
                }
            }
        });
        return t.op(o, gy -> {
            double[] G = gy.data();
            double[] gx = t.g(x);
            if (gx != null) {
                Parallel.forRange(rows, Parallel.chunks(rows, km), (c, from, to) -> {
                    for (int r = from; r < to; r++) {
                        int wo = tied ? 0 : (r / perNode) * km, xo = r * k, oo = r * m;
                        for (int kk = 0; kk < k; kk++) {
                            int wr = wo + kk * m;
                            double s = 0;
                            for (int j = 0; j < m; j++) s += G[oo + j] * W[wr + j];
                            gx[xo + kk] += s;
                        }
                    }
                });
            }
            double[] gw = t.g(w);
            if (gw == null) return;
            if (!tied) {
                Parallel.forRange(n, Parallel.chunks(n, (long) perNode * km), (c, from, to) -> {
                    for (int i = from; i < to; i++) outerAcc(X, G, gw, i * perNode, (i + 1) * perNode, k, m, i * km);
                });
            } else {
                int chunks = Parallel.chunks(rows, km);
                if (chunks == 1) {
                    outerAcc(X, G, gw, 0, rows, k, m, 0);
                } else {
                    double[][] partial = new double[chunks][km];
                    Parallel.forRange(rows, chunks, (c, from, to) -> outerAcc(X, G, partial[c], from, to, k, m, 0));
                    for (double[] p : partial) for (int q = 0; q < km; q++) gw[q] += p[q];
                }
            }
        }, x, w);
    }

    /**
     * acc[off + kk*m + j] += Σ_{r in [from,to)} X[r,kk] G[r,j]. A zero X[r,kk] (ReLU's many zeros) is
     * skipped only when row r of G is finite, so 0·NaN and 0·Inf still reach the sum as IEEE has them.
     */
    private static void outerAcc(double[] X, double[] G, double[] acc, int from, int to, int k, int m, int off) {
        for (int r = from; r < to; r++) {
            int xo = r * k, go = r * m;
            boolean finite = true;
            for (int j = 0; j < m && finite; j++) finite = Double.isFinite(G[go + j]);
            for (int kk = 0; kk < k; kk++) {
                double xv = X[xo + kk];
                if (xv == 0 && finite) continue;
                int ao = off + kk * m;
                for (int j = 0; j < m; j++) acc[ao + j] += xv * G[go + j];
            }
        }
    }

    /** Swaps the last two axes (e.g. to use a weight as W^T). */
    static Var transpose(Tape t, Var x) {
        int[] s = x.value.shape();
        if (s.length < 3) throw new IllegalArgumentException("transpose needs the node axis plus two more");
        int r = s[s.length - 2], c = s[s.length - 1], blocks = x.value.size() / (r * c);
        int[] os = s.clone();
        os[s.length - 2] = c;
        os[s.length - 1] = r;
        Tensor o = t.alloc(os);
        double[] a = x.value.data(), y = o.data();
        for (int b = 0; b < blocks; b++)
            for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) y[b * r * c + j * r + i] = a[b * r * c + i * c + j];
        return t.op(o, gy -> {
            double[] gx = t.g(x), gg = gy.data();
            for (int b = 0; b < blocks; b++)
                for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) gx[b * r * c + i * c + j] += gg[b * r * c + j * r + i];
        }, x);
    }
}
