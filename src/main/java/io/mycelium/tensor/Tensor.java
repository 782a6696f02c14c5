package io.mycelium.tensor;

import java.util.Arrays;

/**
 * A dense row-major array of doubles whose axis 0 is the node axis.
 *
 * <p>Activations are {@code [nodes, ...]} (commonly {@code [nodes, samples, features]}); per-edge
 * values are {@code [edges, ...]}; parameters are {@code [copies, ...]} with one copy per node or a
 * single tied copy. Everything past axis 0 is "the row": a node's own data, which never needs
 * communication to read.
 */
public final class Tensor {
    private final int[] shape;
    private final double[] data;

    public Tensor(double[] data, int... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("a tensor needs at least the node axis");
        long size = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            size *= d;
        }
        if (size != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size + " values, got " + data.length);
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) { return new Tensor(new double[sizeOf(shape)], shape); }

    public static Tensor of(double[] data, int... shape) { return new Tensor(data, shape); }

    public static Tensor full(double value, int... shape) {
        double[] d = new double[sizeOf(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape);
    }

    public static int sizeOf(int... shape) {
        long s = 1;
        for (int d : shape) s *= d;
        if (s > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) s;
    }

    /** The backing array; writes are visible. */
    public double[] data() { return data; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public int dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }

    public int size() { return data.length; }

    public int rows() { return shape[0]; }

    /** Values per row: the product of all dimensions after the node axis. */
    public int rowSize() { return shape[0] == 0 ? sizeOf(Arrays.copyOfRange(shape, 1, shape.length)) : data.length / shape[0]; }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    public boolean hasShape(int... s) { return Arrays.equals(shape, s); }

    public double get(int... idx) { return data[offset(idx)]; }

    public void set(double v, int... idx) { data[offset(idx)] = v; }

    private int offset(int[] idx) {
        if (idx.length != shape.length) throw new IllegalArgumentException("index rank " + idx.length + " != " + shape.length);
        int o = 0;
        for (int a = 0; a < idx.length; a++) {
            if (idx[a] < 0 || idx[a] >= shape[a]) throw new IndexOutOfBoundsException(Arrays.toString(idx) + " in " + Arrays.toString(shape));
            o = o * shape[a] + idx[a];
        }
        return o;
    }

    public Tensor copy() { return new Tensor(data.clone(), shape); }

    /** Same data, another shape with the same size. */
    public Tensor reshape(int... newShape) { return new Tensor(data, newShape); }

    /** A copy of the given rows, in the given order. */
    public Tensor rows(int[] rowIds) {
        int rs = rowSize();
        int[] s = shape.clone();
        s[0] = rowIds.length;
        double[] d = new double[rowIds.length * rs];
        for (int r = 0; r < rowIds.length; r++) System.arraycopy(data, rowIds[r] * rs, d, r * rs, rs);
        return new Tensor(d, s);
    }

    /** Writes this tensor's rows into {@code target} at the given row ids. */
    public void scatterRowsInto(Tensor target, int[] rowIds) {
        int rs = rowSize();
        if (target.rowSize() != rs) throw new IllegalArgumentException("row sizes differ");
        for (int r = 0; r < rowIds.length; r++) System.arraycopy(data, r * rs, target.data, rowIds[r] * rs, rs);
    }

    public void fill(double v) { Arrays.fill(data, v); }

    public void copyFrom(Tensor o) {
        if (o.data.length != data.length) throw new IllegalArgumentException("sizes differ");
        System.arraycopy(o.data, 0, data, 0, data.length);
    }

    public double sum() {
        double s = 0;
        for (double v : data) s += v;
        return s;
    }

    public double maxAbsDiff(Tensor o) {
        if (!sameShape(o)) throw new IllegalArgumentException(Arrays.toString(shape) + " vs " + Arrays.toString(o.shape));
        double m = 0;
        for (int i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i] - o.data[i]));
        return m;
    }

    public double maxAbs() {
        double m = 0;
        for (double v : data) m = Math.max(m, Math.abs(v));
        return m;
    }

    public boolean bitwiseEquals(Tensor o) { return Arrays.equals(shape, o.shape) && Arrays.equals(data, o.data); }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (data.length <= 16 ? Arrays.toString(data) : "");
    }
}
