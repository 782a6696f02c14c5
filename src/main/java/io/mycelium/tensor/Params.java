package io.mycelium.tensor;


import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named trainable tensors with a leading copies axis: one tied copy ({@code [1, ...]}, how
 * centralized training runs) or one copy per node ({@code [n, ...]}, the θ_i of distributed
 * training). Which of the two is a flag fixed at construction ({@link #Params()} tied,
 * {@link #untied()} per node), not read off the shape: per-node parameters of a one-node graph
 * (or of a one-node partition) have one copy and are still per node. All tensors of one
 * {@code Params} have the same number of copies.
 */
public final class Params {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    private final boolean tied;

    /** Empty tied parameters: every tensor added has one copy. */
    public Params() { this(true); }

    private Params(boolean tied) { this.tied = tied; }

    /** Empty per-node parameters: every tensor added has one copy per node (of the graph or partition they belong to). */
    public static Params untied() { return new Params(false); }

    /** Empty parameters, tied exactly when these are (for gradients and optimizer state shaped like them). */
    public Params emptyLike() { return new Params(tied); }

    public Params add(String name, Tensor t) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("parameter '" + name + "' already exists");
        if (tied && t.rows() != 1)
            throw new IllegalArgumentException("tied parameter '" + name + "' has " + t.rows() + " copies; per-node copies go into Params.untied()");
        if (!tensors.isEmpty() && t.rows() != copies())
            throw new IllegalArgumentException("parameter '" + name + "' has " + t.rows() + " copies, others have " + copies());
        tensors.put(name, t);
        return this;
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter '" + name + "'; have " + tensors.keySet());
        return t;
    }

    public boolean has(String name) { return tensors.containsKey(name); }

    public Set<String> names() { return tensors.keySet(); }

    public Map<String, Tensor> asMap() { return java.util.Collections.unmodifiableMap(tensors); }

    /** Number of copies: 1 when tied, n when per node. */
    public int copies() { return tensors.isEmpty() ? 1 : tensors.values().iterator().next().rows(); }

    /** One copy shared by every node (centralized training), as opposed to one copy per node. */
    public boolean isTied() { return tied; }

    /** |θ|: scalars in one copy. */
    public int count() {
        int c = 0;
        for (Tensor t : tensors.values()) c += t.rowSize();
        return c;
    }

    /** Per-node copies of tied parameters: θ_i = θ for every node, as Algorithm 1 initializes them. */
    public Params perNode(int n) {
        if (!isTied()) throw new IllegalStateException("parameters are already per node (" + copies() + " copies)");
        Params p = untied();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            int[] s = t.shape();
            s[0] = n;
            double[] d = new double[n * t.rowSize()];
            for (int i = 0; i < n; i++) System.arraycopy(t.data(), 0, d, i * t.rowSize(), t.rowSize());
            p.add(e.getKey(), new Tensor(d, s));
        }
        return p;
    }

    /** The average copy, θ = (1/|V|) Σ θ_i (line 15 of Algorithm 1), as tied parameters. */
    public Params mean() {
        Params p = new Params();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            int rs = t.rowSize(), c = t.rows();
            int[] s = t.shape();
            s[0] = 1;
            double[] d = new double[rs];
            for (int i = 0; i < c; i++) for (int k = 0; k < rs; k++) d[k] += t.data()[i * rs + k];
            for (int k = 0; k < rs; k++) d[k] /= c;
            p.add(e.getKey(), new Tensor(d, s));
        }
        return p;
    }

    /** The parameters of a group of nodes: their rows of per-node copies (copied), or the tied tensors themselves. */
    public Params slice(int[] nodes) {
        if (isTied()) return this;
        Params p = untied();
        for (var e : tensors.entrySet()) p.add(e.getKey(), e.getValue().rows(nodes));
        return p;
    }

    /** Writes a group of nodes' copies ({@link #slice} of {@code nodes}) back into these parameters. */
    public void writeBack(int[] nodes, Params local) {
        if (local == this) return;
        for (var e : tensors.entrySet()) {
            Tensor l = local.get(e.getKey());
            if (isTied()) e.getValue().copyFrom(l);
            else l.scatterRowsInto(e.getValue(), nodes);
        }
    }

    public Params copy() {
        Params p = emptyLike();
        for (var e : tensors.entrySet()) p.add(e.getKey(), e.getValue().copy());
        return p;
    }

    public Params zerosLike() {
        Params p = emptyLike();
        for (var e : tensors.entrySet()) p.add(e.getKey(), Tensor.zeros(e.getValue().shape()));
        return p;
    }

    /** Largest absolute difference over all tensors. */
    public double maxAbsDiff(Params o) {
        double m = 0;
        for (var e : tensors.entrySet()) m = Math.max(m, e.getValue().maxAbsDiff(o.get(e.getKey())));
        return m;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Params{");
        tensors.forEach((k, v) -> b.append(k).append(java.util.Arrays.toString(v.shape())).append(' '));
        return b.append('}').toString();
    }
}
