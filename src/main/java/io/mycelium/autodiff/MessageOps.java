package io.mycelium.autodiff;

import io.mycelium.comm.Accounting;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

/**
 * The tape's message-passing ops ({@link Tape#exchange}, {@link Tape#neighbours} and the edge ops):
 * the only ops that read another node's rows, each one round of messages forward and its adjoint one
 * round back. Tape records them; their arithmetic lives here.
 */
final class MessageOps {
    private MessageOps() {}

    /**
     * One round of message passing: node i receives every neighbour's row and computes
     * {@code self_i x_i + Σ_j S_ij x_j}. The adjoint is one round in the opposite direction: a
     * broadcast of the gradient rows when S is symmetric (each receiver applies its own S_ji, the
     * message Θ1 Q of eq. 14), otherwise per-edge messages S_ij g_i.
     */
    static Var exchange(Tape t, Var x, Operator op) {
        Partition part = t.partition();
        int w = x.value.rowSize();
        checkRows(t, x, "exchange");
        double[] halo = Exchange.pull(t.comm(), x.value.data(), w);
        Tensor o = t.alloc(x.value.shape());
        Exchange.apply(part, op, x.value.data(), halo, w, o.data(), false);
        Var.Exchanging adjoint;
        if (op.symmetric()) {
            adjoint = new Var.Exchanging() {
                double[] gh;
                Tensor gy;

                @Override
                public Transfer prepare(Tensor grad) {
                    gy = grad;
                    gh = new double[part.haloSize() * w];
                    return new Transfer.Pull(grad.data(), gh, w, Accounting.BROADCAST);
                }

                @Override
                public void finish() { Exchange.apply(part, op, gy.data(), gh, w, t.g(x), true); }
            };
        } else {
            adjoint = grad -> {
                double[] gg = grad.data(), gx = t.g(x), hs = new double[part.haloSize() * w];
                double[] self = part.selfWeights(op), ew = part.edgeWeights(op);
                int n = part.size();
                int[] rp = part.rowPtr(), cols = part.cols();
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < w; k++) gx[i * w + k] += self[i] * gg[i * w + k];
                    for (int e = rp[i]; e < rp[i + 1]; e++) {
                        int c = cols[e];
                        double[] dst = c < n ? gx : hs;
                        int d = (c < n ? c : c - n) * w;
                        for (int k = 0; k < w; k++) dst[d + k] += ew[e] * gg[i * w + k];
                    }
                }
                return new Transfer.Push(hs, gx, w, Accounting.UNICAST);
            };
        }
        return t.op(o, adjoint, x);
    }

    /**
     * One round of message passing that keeps messages apart: an edge tensor
     * {@code [edges, ...]} whose row for the incoming edge (i ← j) is x_j. Its adjoint sends each
     * edge's gradient back to the edge's source (per-edge messages).
     */
    static Var neighbours(Tape t, Var x) {
        Partition part = t.partition();
        checkRows(t, x, "neighbours");
        int w = x.value.rowSize(), n = part.size();
        double[] halo = Exchange.pull(t.comm(), x.value.data(), w);
        int[] s = x.value.shape();
        s[0] = part.edgeCount();
        Tensor o = t.alloc(s);
        double[] a = x.value.data(), y = o.data();
        int[] cols = part.cols();
        for (int e = 0; e < cols.length && e < s[0]; e++) {
            int c = cols[e];
            if (c < n) System.arraycopy(a, c * w, y, e * w, w);
            else System.arraycopy(halo, (c - n) * w, y, e * w, w);
        }
        Var.Exchanging adjoint = grad -> {
            double[] gg = grad.data(), gx = t.g(x), hs = new double[part.haloSize() * w];
            for (int e = 0; e < part.edgeCount(); e++) {
                int c = cols[e];
                double[] dst = c < n ? gx : hs;
                int d = (c < n ? c : c - n) * w;
                for (int k = 0; k < w; k++) dst[d + k] += gg[e * w + k];
            }
            return new Transfer.Push(hs, gx, w, Accounting.UNICAST);
        };
        return t.op(o, adjoint, x);
    }

    /** Edge tensor whose row for the incoming edge (i ← j) is x_i: a node's own value, no message. */
    static Var atDestination(Tape t, Var x) {
        Partition part = t.partition();
        checkRows(t, x, "atDestination");
        int w = x.value.rowSize();
        int[] s = x.value.shape();
        s[0] = part.edgeCount();
        Tensor o = t.alloc(s);
        double[] a = x.value.data(), y = o.data();
        int[] rp = part.rowPtr();
        for (int i = 0; i < part.size(); i++)
            for (int e = rp[i]; e < rp[i + 1]; e++) System.arraycopy(a, i * w, y, e * w, w);
        return t.op(o, gy -> {
            double[] gx = t.g(x), gg = gy.data();
            for (int i = 0; i < part.size(); i++)
                for (int e = rp[i]; e < rp[i + 1]; e++) for (int k = 0; k < w; k++) gx[i * w + k] += gg[e * w + k];
        }, x);
    }

    /** Sums each node's incoming-edge rows: {@code [edges, ...] -> [nodes, ...]}. */
    static Var edgeSum(Tape t, Var e) {
        Partition part = t.partition();
        checkEdges(t, e, "edgeSum");
        int w = e.value.rowSize();
        int[] s = e.value.shape();
        s[0] = part.size();
        Tensor o = t.allocZero(s);
        double[] a = e.value.data(), y = o.data();
        int[] rp = part.rowPtr();
        for (int i = 0; i < part.size(); i++)
            for (int q = rp[i]; q < rp[i + 1]; q++) for (int k = 0; k < w; k++) y[i * w + k] += a[q * w + k];
        return t.op(o, gy -> {
            double[] ge = t.g(e), gg = gy.data();
            for (int i = 0; i < part.size(); i++)
                for (int q = rp[i]; q < rp[i + 1]; q++) for (int k = 0; k < w; k++) ge[q * w + k] += gg[i * w + k];
        }, e);
    }

    /**
     * Softmax over each node's incoming edges (attention), separately for every column of the
     * edge rows. A node without neighbours gets no weights.
     */
    static Var edgeSoftmax(Tape t, Var e) {
        Partition part = t.partition();
        checkEdges(t, e, "edgeSoftmax");
        int w = e.value.rowSize();
        Tensor o = t.alloc(e.value.shape());
        double[] a = e.value.data(), y = o.data();
        int[] rp = part.rowPtr();
        for (int i = 0; i < part.size(); i++)
            for (int k = 0; k < w; k++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int q = rp[i]; q < rp[i + 1]; q++) mx = Math.max(mx, a[q * w + k]);
                double z = 0;
                for (int q = rp[i]; q < rp[i + 1]; q++) z += Math.exp(a[q * w + k] - mx);
                for (int q = rp[i]; q < rp[i + 1]; q++) y[q * w + k] = Math.exp(a[q * w + k] - mx) / z;
            }
        return t.op(o, gy -> {
            double[] ge = t.g(e), gg = gy.data();
            for (int i = 0; i < part.size(); i++)
                for (int k = 0; k < w; k++) {
                    double dot = 0;
                    for (int q = rp[i]; q < rp[i + 1]; q++) dot += gg[q * w + k] * y[q * w + k];
                    for (int q = rp[i]; q < rp[i + 1]; q++) ge[q * w + k] += y[q * w + k] * (gg[q * w + k] - dot);
                }
        }, e);
    }

    private static void checkRows(Tape t, Var x, String what) {
        Partition part = t.partition();
        if (x.value.rows() != part.size())
            throw new IllegalArgumentException(what + " needs one row per local node (" + part.size() + "), got " + x.value.rows());
    }

    private static void checkEdges(Tape t, Var x, String what) {
        Partition part = t.partition();
        if (x.value.rows() != part.edgeCount())
            throw new IllegalArgumentException(what + " needs one row per local edge (" + part.edgeCount() + "), got " + x.value.rows());
    }
}
