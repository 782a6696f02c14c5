package io.mycelium.autodiff;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Records a program over the nodes of one partition and differentiates it in reverse mode.
 *
 * <p>Every op is per-node arithmetic except {@link #exchange} and {@link #neighbours}, which take
 * one round of message passing through the partition's {@link Comm}; their adjoints take one
 * round in the opposite direction. So the backward pass of any model is itself a local, message
 * passing program, and runs unchanged on every engine.
 *
 * <p>Buffers are recycled: after {@link #reset()} the next recording reuses the previous one's
 * arrays in order, so a training loop that records the same program each step allocates no new
 * arrays. Values and gradients are valid until the next reset (gradients: until the next backward).
 */
public final class Tape {
    final ArrayList<Var> vars = new ArrayList<>();
    private final Comm comm;
    private final Partition part;
    private final Params params;
    private final Map<String, Var> paramVars = new HashMap<>();
    private final Pool values = new Pool();
    private final Pool grads = new Pool();

    public Tape(Comm comm, Params params) {
        this.comm = comm;
        this.part = comm.partition();
        this.params = params;
    }

    public Comm comm() { return comm; }

    public Partition partition() { return part; }

    public Params params() { return params; }

    /** Forgets the recording; the next one reuses its buffers. */
    public void reset() {
        vars.clear();
        paramVars.clear();
        values.rewind();
        grads.rewind();
    }

    void clearGrads() {
        for (Var v : vars) v.grad = null;
        grads.rewind();
    }

    // ---------------------------------------------------------------- leaves

    /** A value that needs no gradient (data, labels, masks). */
    public Var constant(Tensor t) { return leaf(t, false); }

    /** A leaf whose gradient is wanted (for implicit differentiation, tests). */
    public Var variable(Tensor t) { return leaf(t, true); }

    /** The named parameter of this partition (its own copies, or the tied copy). */
    public Var param(String name) {
        Var v = paramVars.get(name);
        if (v == null) {
            v = leaf(params.get(name), true);
            paramVars.put(name, v);
        }
        return v;
    }

    /** The gradient of the named parameter from the last backward pass (zeros if it was not used). */
    public Tensor paramGrad(String name) {
        Var v = paramVars.get(name);
        return v == null || v.grad == null ? Tensor.zeros(params.get(name).shape()) : v.grad;
    }

    /** Gradients of all parameters, shaped like them (fresh tensors). */
    public Params paramGrads() {
        Params g = params.emptyLike();
        for (String n : params.names()) g.add(n, paramGrad(n).copy());
        return g;
    }

    private Var leaf(Tensor t, boolean rg) {
        Var v = new Var(vars.size(), t, rg);
        vars.add(v);
        return v;
    }

    Var op(Tensor out, Var.Backward bw, Var... in) {
        boolean rg = false;
        for (Var x : in) {
            if (x == null) continue;
            checkOwn(x);
            rg |= x.requiresGrad;
        }
        Var v = new Var(vars.size(), out, rg);
        if (rg) v.backward = bw;
        vars.add(v);
        return v;
    }

    private void checkOwn(Var x) {
        if (x.id >= vars.size() || vars.get(x.id) != x) throw new IllegalArgumentException(x + " was recorded on another tape or before reset()");
    }

    Tensor alloc(int... shape) { return new Tensor(values.take(Tensor.sizeOf(shape), false), shape); }

    Tensor allocZero(int... shape) { return new Tensor(values.take(Tensor.sizeOf(shape), true), shape); }

    /** Gradient buffer of v (zeroed on first use), or null if v needs none. */
    double[] g(Var v) {
        if (!v.requiresGrad) return null;
        if (v.grad == null) v.grad = new Tensor(grads.take(v.value.size(), true), v.value.shape());
        return v.grad.data();
    }

    // ---------------------------------------------------------------- backward

    /** Gradient of the sum of all elements of {@code out} with respect to everything recorded. */
    public void backward(Var out) { backwardPass(out, Tensor.full(1.0, out.value.shape())).run(); }

    /** Vector–Jacobian product: gradients of {@code <seed, out>}, read with {@link Var#grad()}. */
    public void vjp(Var out, Tensor seed) { backwardPass(out, seed).run(); }

    /** A backward sweep that the caller drives round by round (for piggybacking). */
    public BackwardPass backwardPass(Var out, Tensor seed) {
        checkOwn(out);
        return new BackwardPass(this, out, seed);
    }

    // ---------------------------------------------------------------- elementwise, unary

    /**
     * max(x, 0) with NaN kept: {@code v <= 0 ? 0 : v}, so a diverged value is not hidden as 0. The
     * slope is 0 where v ≤ 0 and 1 elsewhere (NaN included), so a NaN gradient passes through too.
     */
    public Var relu(Var x) {
        double[] a = x.value.data();
        Tensor o = alloc(x.value.shape());
        double[] y = o.data();
        for (int i = 0; i < y.length; i++) y[i] = a[i] <= 0 ? 0 : a[i];
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int i = 0; i < gg.length; i++) if (!(a[i] <= 0)) gx[i] += gg[i];
        }, x);
    }

    public Var sigmoid(Var x) {
        double[] a = x.value.data();
        Tensor o = alloc(x.value.shape());
        double[] y = o.data();
        for (int i = 0; i < y.length; i++) y[i] = sigmoid(a[i]);
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int i = 0; i < gg.length; i++) gx[i] += gg[i] * y[i] * (1 - y[i]);
        }, x);
    }

    static double sigmoid(double v) {
        if (v >= 0) return 1 / (1 + Math.exp(-v));
        double e = Math.exp(v);
        return e / (1 + e);
    }

    public Var tanh(Var x) {
        double[] a = x.value.data();
        Tensor o = alloc(x.value.shape());
        double[] y = o.data();
        for (int i = 0; i < y.length; i++) y[i] = Math.tanh(a[i]);
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int i = 0; i < gg.length; i++) gx[i] += gg[i] * (1 - y[i] * y[i]);
        }, x);
    }

    public Var leakyRelu(Var x, double slope) {
        return unary(x, v -> v > 0 ? v : slope * v, (v, y) -> v > 0 ? 1 : slope);
    }

    /** log(1 + e^x), computed without overflow. */
    public Var softplus(Var x) {
        return unary(x, v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), (v, y) -> sigmoid(v));
    }

    public Var exp(Var x) { return unary(x, Math::exp, (v, y) -> y); }

    public Var log(Var x) { return unary(x, Math::log, (v, y) -> 1 / v); }

    public Var sqrt(Var x) { return unary(x, Math::sqrt, (v, y) -> 0.5 / y); }

    public Var square(Var x) { return unary(x, v -> v * v, (v, y) -> 2 * v); }

    public Var abs(Var x) { return unary(x, Math::abs, (v, y) -> v >= 0 ? 1 : -1); }

    public Var neg(Var x) { return scale(x, -1); }

    public Var scale(Var x, double c) { return unary(x, v -> c * v, (v, y) -> c); }

    public Var addScalar(Var x, double c) { return unary(x, v -> v + c, (v, y) -> 1); }

    /** Clamps to [lo, hi]; the gradient is zero where clamped. */
    public Var clip(Var x, double lo, double hi) {
        if (lo > hi) throw new IllegalArgumentException("clip: lo > hi");
        return unary(x, v -> Math.min(hi, Math.max(lo, v)), (v, y) -> v > lo && v < hi ? 1 : 0);
    }

    private interface Deriv { double at(double x, double y); }

    private Var unary(Var x, DoubleUnaryOperator f, Deriv d) {
        double[] a = x.value.data();
        Tensor o = alloc(x.value.shape());
        double[] y = o.data();
        for (int i = 0; i < y.length; i++) y[i] = f.applyAsDouble(a[i]);
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int i = 0; i < gg.length; i++) gx[i] += gg[i] * d.at(a[i], y[i]);
        }, x);
    }

    // ---------------------------------------------------------------- elementwise, binary

    public Var add(Var a, Var b) { return binary(Broadcast.Kind.ADD, a, b); }

    public Var sub(Var a, Var b) { return binary(Broadcast.Kind.SUB, a, b); }

    public Var mul(Var a, Var b) { return binary(Broadcast.Kind.MUL, a, b); }

    public Var div(Var a, Var b) { return binary(Broadcast.Kind.DIV, a, b); }

    public Var max(Var a, Var b) { return binary(Broadcast.Kind.MAX, a, b); }

    public Var min(Var a, Var b) { return binary(Broadcast.Kind.MIN, a, b); }

    private Var binary(Broadcast.Kind k, Var a, Var b) {
        Broadcast plan = new Broadcast(a.value.shape(), b.value.shape());
        Tensor o = alloc(plan.out);
        plan.forward(k, a.value.data(), b.value.data(), o.data());
        return op(o, gy -> plan.backward(k, a.value.data(), b.value.data(), gy.data(), g(a), g(b)), a, b);
    }

    // ---------------------------------------------------------------- linear algebra ({@link LinearOps})

    /**
     * {@code x · w} over the last axis of x. {@code w} is {@code [copies, k, m]}: one tied copy
     * (a single large product over all rows) or one copy per node of x (θ_i applied to node i's rows).
     * A rank-2 {@code [k, m]} w is tied.
     */
    public Var matmul(Var x, Var w) { return LinearOps.matmul(this, x, w); }

    /** Swaps the last two axes (e.g. to use a weight as W^T). */
    public Var transpose(Var x) { return LinearOps.transpose(this, x); }

    // ---------------------------------------------------------------- shape

    /** Same values, another shape; axis 0 must stay. */
    public Var reshape(Var x, int... shape) {
        if (shape[0] != x.value.rows()) throw new IllegalArgumentException("reshape must keep axis 0");
        Tensor o = alloc(shape);
        if (o.size() != x.value.size()) throw new IllegalArgumentException("reshape changes the size");
        System.arraycopy(x.value.data(), 0, o.data(), 0, o.size());
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int i = 0; i < gg.length; i++) gx[i] += gg[i];
        }, x);
    }

    /** Joins along the last axis. */
    public Var concat(Var... xs) {
        int[] s0 = xs[0].value.shape();
        int rows = xs[0].value.size() / s0[s0.length - 1];
        int total = 0;
        int[] widths = new int[xs.length];
        for (int p = 0; p < xs.length; p++) {
            int[] s = xs[p].value.shape();
            widths[p] = s[s.length - 1];
            if (s.length != s0.length || !Arrays.equals(Arrays.copyOf(s, s.length - 1), Arrays.copyOf(s0, s0.length - 1)))
                throw new IllegalArgumentException("concat: " + Arrays.toString(s) + " vs " + Arrays.toString(s0));
            total += widths[p];
        }
        int[] os = s0.clone();
        os[os.length - 1] = total;
        Tensor o = alloc(os);
        double[] y = o.data();
        int width = total;
        for (int r = 0; r < rows; r++) {
            int off = 0;
            for (int p = 0; p < xs.length; p++) {
                System.arraycopy(xs[p].value.data(), r * widths[p], y, r * width + off, widths[p]);
                off += widths[p];
            }
        }
        return op(o, gy -> {
            double[] gg = gy.data();
            int off = 0;
            for (int p = 0; p < xs.length; p++) {
                double[] gx = g(xs[p]);
                if (gx != null)
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < widths[p]; c++) gx[r * widths[p] + c] += gg[r * width + off + c];
                off += widths[p];
            }
        }, xs);
    }

    /** Columns {@code [from, to)} of the last axis. */
    public Var slice(Var x, int from, int to) {
        int[] s = x.value.shape();
        int w = s[s.length - 1];
        if (from < 0 || to > w || from >= to) throw new IllegalArgumentException("slice [" + from + "," + to + ") of width " + w);
        int rows = x.value.size() / w, ow = to - from;
        int[] os = s.clone();
        os[os.length - 1] = ow;
        Tensor o = alloc(os);
        double[] a = x.value.data(), y = o.data();
        for (int r = 0; r < rows; r++) System.arraycopy(a, r * w + from, y, r * ow, ow);
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int r = 0; r < rows; r++) for (int c = 0; c < ow; c++) gx[r * w + from + c] += gg[r * ow + c];
        }, x);
    }

    // ---------------------------------------------------------------- reductions (never across nodes)

    public Var sum(Var x, int axis) { return reduce(x, axis, 0); }

    public Var mean(Var x, int axis) { return reduce(x, axis, 1); }

    /** Maximum over an axis; the gradient goes to the first maximal element. */
    public Var max(Var x, int axis) { return reduce(x, axis, 2); }

    /** Sum of each node's whole row: {@code [n, ...] -> [n]}. */
    public Var sumRows(Var x) { return reduce(x.value.rank() == 1 ? x : reshape(x, x.rows(), x.value.rowSize()), 1, 0, true); }

    /** Mean of each node's whole row: {@code [n, ...] -> [n]}. */
    public Var meanRows(Var x) { return reduce(x.value.rank() == 1 ? x : reshape(x, x.rows(), x.value.rowSize()), 1, 1, true); }

    private Var reduce(Var x, int axis, int kind) { return reduce(x, axis, kind, false); }

    private Var reduce(Var x, int axis, int kind, boolean identityIfRank1) {
        int[] s = x.value.shape();
        if (identityIfRank1 && s.length == 1) return x;
        int ax = axis < 0 ? s.length + axis : axis;
        if (ax < 1 || ax >= s.length) throw new IllegalArgumentException("reductions run over a node's own axes (1.." + (s.length - 1) + "), got " + axis);
        int outer = 1, len = s[ax], inner = 1;
        for (int k = 0; k < ax; k++) outer *= s[k];
        for (int k = ax + 1; k < s.length; k++) inner *= s[k];
        int[] os = new int[s.length - 1];
        for (int k = 0, q = 0; k < s.length; k++) if (k != ax) os[q++] = s[k];
        Tensor o = alloc(os);
        double[] a = x.value.data(), y = o.data();
        int[] arg = kind == 2 ? new int[y.length] : null;
        int fo = outer, fl = len, fi = inner;
        for (int p = 0; p < outer; p++)
            for (int q = 0; q < inner; q++) {
                int base = p * len * inner + q;
                double acc = kind == 2 ? Double.NEGATIVE_INFINITY : 0;
                int best = 0;
                for (int l = 0; l < len; l++) {
                    double v = a[base + l * inner];
                    if (kind == 2) { if (v > acc) { acc = v; best = l; } } else acc += v;
                }
                if (kind == 1) acc /= len;
                y[p * inner + q] = acc;
                if (arg != null) arg[p * inner + q] = best;
            }
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int p = 0; p < fo; p++)
                for (int q = 0; q < fi; q++) {
                    int base = p * fl * fi + q;
                    double gv = gg[p * fi + q];
                    if (kind == 2) gx[base + arg[p * fi + q] * fi] += gv;
                    else {
                        if (kind == 1) gv /= fl;
                        for (int l = 0; l < fl; l++) gx[base + l * fi] += gv;
                    }
                }
        }, x);
    }

    /** Softmax over the last axis. */
    public Var softmax(Var x) { return softmaxLast(x, false); }

    /** log-softmax over the last axis (stable). */
    public Var logSoftmax(Var x) { return softmaxLast(x, true); }

    private Var softmaxLast(Var x, boolean log) {
        int[] s = x.value.shape();
        int w = s[s.length - 1], rows = x.value.size() / w;
        Tensor o = alloc(s);
        double[] a = x.value.data(), y = o.data();
        for (int r = 0; r < rows; r++) {
            int b = r * w;
            double mx = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < w; c++) mx = Math.max(mx, a[b + c]);
            double z = 0;
            for (int c = 0; c < w; c++) z += Math.exp(a[b + c] - mx);
            double lz = Math.log(z) + mx;
            for (int c = 0; c < w; c++) y[b + c] = log ? a[b + c] - lz : Math.exp(a[b + c] - lz);
        }
        return op(o, gy -> {
            double[] gx = g(x), gg = gy.data();
            for (int r = 0; r < rows; r++) {
                int b = r * w;
                double dot = 0;
                if (log) {
                    for (int c = 0; c < w; c++) dot += gg[b + c];
                    for (int c = 0; c < w; c++) gx[b + c] += gg[b + c] - Math.exp(y[b + c]) * dot;
                } else {
                    for (int c = 0; c < w; c++) dot += gg[b + c] * y[b + c];
                    for (int c = 0; c < w; c++) gx[b + c] += y[b + c] * (gg[b + c] - dot);
                }
            }
        }, x);
    }

    // ---------------------------------------------------------------- message passing ({@link MessageOps})

    /**
     * One round of message passing: node i receives every neighbour's row and computes
     * {@code self_i x_i + Σ_j S_ij x_j}. The adjoint is one round in the opposite direction: a
     * broadcast of the gradient rows when S is symmetric (each receiver applies its own S_ji, the
     * message Θ1 Q of eq. 14), otherwise per-edge messages S_ij g_i.
     */
    public Var exchange(Var x, Operator op) { return MessageOps.exchange(this, x, op); }

    /**
     * One round of message passing that keeps messages apart: an edge tensor
     * {@code [edges, ...]} whose row for the incoming edge (i ← j) is x_j. Its adjoint sends each
     * edge's gradient back to the edge's source (per-edge messages).
     */
    public Var neighbours(Var x) { return MessageOps.neighbours(this, x); }

    /** Edge tensor whose row for the incoming edge (i ← j) is x_i: a node's own value, no message. */
    public Var atDestination(Var x) { return MessageOps.atDestination(this, x); }

    /** Sums each node's incoming-edge rows: {@code [edges, ...] -> [nodes, ...]}. */
    public Var edgeSum(Var e) { return MessageOps.edgeSum(this, e); }

    /**
     * Softmax over each node's incoming edges (attention), separately for every column of the
     * edge rows. A node without neighbours gets no weights.
     */
    public Var edgeSoftmax(Var e) { return MessageOps.edgeSoftmax(this, e); }

    /** The operator's weights on this partition's incoming edges, as a constant {@code [edges]}. */
    public Var edgeWeights(Operator op) { return constant(new Tensor(part.edgeWeights(op).clone(), part.edgeCount())); }

    /** The operator's self weights of this partition's nodes, as a constant {@code [nodes]}. */
    public Var selfWeights(Operator op) { return constant(new Tensor(part.selfWeights(op).clone(), part.size())); }

    /** Recycled arrays, handed out in the order of the previous recording. */
    private static final class Pool {
        private final ArrayList<double[]> bufs = new ArrayList<>();
        private int next;

        double[] take(int size, boolean zero) {
            double[] b;
            if (next < bufs.size() && bufs.get(next).length == size) {
                b = bufs.get(next);
                if (zero) Arrays.fill(b, 0);
            } else {
                b = new double[size];
                if (next < bufs.size()) bufs.set(next, b);
                else bufs.add(b);
            }
            next++;
            return b;
        }

        void rewind() { next = 0; }
    }
}
