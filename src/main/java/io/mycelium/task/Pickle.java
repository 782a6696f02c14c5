package io.mycelium.task;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for exactly what the Planetoid {@code ind.*} files contain: Python-2 pickles (protocol 2)
 * of a {@code scipy.sparse.csr_matrix}, a {@code numpy.ndarray}, or a {@code collections.defaultdict}
 * of lists. It runs the opcodes those files use and nothing else, building plain Java values:
 * ints as {@link Long}, byte strings as latin-1 {@link String}, tuples and lists as {@link List},
 * dicts as {@link Map}, and any class instance as an {@link Obj} holding its class name, constructor
 * arguments and the state its {@code BUILD} received. No code from the file is ever run.
 */
public final class Pickle {
    private Pickle() {}

    /** An instance of a Python class: {@code cls} is "module name", {@code args} the constructor arguments. */
    public static final class Obj {
        public final String cls;
        public final List<Object> args;
        public Object state;
        public final Map<Object, Object> items = new LinkedHashMap<>();

        Obj(String cls, List<Object> args) {
            this.cls = cls;
            this.args = args;
        }

        @Override
        public String toString() { return cls + args; }
    }

    /** A class reference from GLOBAL, before it is called. */
    record Global(String name) {}

    public static Object read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        try {
            return parse(b);
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a pickle this reader understands (" + e.getMessage() + ")", e);
        }
    }

    private static final Object MARK = new Object();

    static Object parse(byte[] b) {
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        List<Object> stack = new ArrayList<>();
        Map<Integer, Object> memo = new java.util.HashMap<>();
        while (true) {
            if (!in.hasRemaining()) throw new IllegalStateException("ends without STOP");
            int pos = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> { int proto = in.get() & 0xff; if (proto > 2) throw new IllegalStateException("protocol " + proto); }
                case '.' -> { return pop(stack); }
                case 'c' -> stack.add(new Global(line(in) + " " + line(in)));
                case 'q' -> memo.put(in.get() & 0xff, top(stack));
                case 'r' -> memo.put(in.getInt(), top(stack));
                case 'h' -> stack.add(memoGet(memo, in.get() & 0xff));
                case 'j' -> stack.add(memoGet(memo, in.getInt()));
                case ')' -> stack.add(List.of());
                case '}' -> stack.add(new LinkedHashMap<>());
                case ']' -> stack.add(new ArrayList<>());
                case '(' -> stack.add(MARK);
                case 't' -> stack.add(popMark(stack));
                case 0x85 -> { Object a = pop(stack); stack.add(List.of(a)); }
                case 0x86 -> { Object y = pop(stack), x = pop(stack); stack.add(List.of(x, y)); }
                case 0x87 -> { Object z = pop(stack), y = pop(stack), x = pop(stack); stack.add(List.of(x, y, z)); }
                case 'U' -> stack.add(string(in, in.get() & 0xff));
                case 'T' -> stack.add(string(in, in.getInt()));
                case 'J' -> stack.add((long) in.getInt());
                case 'K' -> stack.add((long) (in.get() & 0xff));
                case 'M' -> stack.add((long) (in.getShort() & 0xffff));
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'N' -> stack.add(null);
                case 0x81, 'R' -> {
                    Object args = pop(stack), cls = pop(stack);
                    if (!(cls instanceof Global g)) throw new IllegalStateException("call of a non-class at byte " + pos);
                    stack.add(new Obj(g.name(), asList(args, pos)));
                }
                case 'b' -> {
                    Object state = pop(stack);
                    if (!(top(stack) instanceof Obj o)) throw new IllegalStateException("BUILD on a non-object at byte " + pos);
                    o.state = state;
                }
                case 'u' -> {
                    List<Object> kv = popMark(stack);
                    Map<Object, Object> m = dict(top(stack), pos);
                    for (int i = 0; i + 1 < kv.size(); i += 2) m.put(kv.get(i), kv.get(i + 1));
                }
                case 'a' -> { Object x = pop(stack); list(top(stack), pos).add(x); }
                case 'e' -> { List<Object> xs = popMark(stack); list(top(stack), pos).addAll(xs); }
                default -> throw new IllegalStateException(String.format("opcode 0x%02x at byte %d is not used by Planetoid files", op, pos));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o, int pos) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        if (o instanceof Obj x) return x.items;
        throw new IllegalStateException("SETITEMS on a non-dict at byte " + pos);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, int pos) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw new IllegalStateException("APPEND on a non-list at byte " + pos);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o, int pos) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw new IllegalStateException("arguments are not a tuple at byte " + pos);
    }

    private static Object memoGet(Map<Integer, Object> memo, int k) {
        if (!memo.containsKey(k)) throw new IllegalStateException("memo " + k + " not set");
        return memo.get(k);
    }

    private static String line(ByteBuffer in) {
        StringBuilder s = new StringBuilder();
        for (byte c; (c = in.get()) != '\n'; ) s.append((char) (c & 0xff));
        return s.toString();
    }

    private static String string(ByteBuffer in, int len) {
        if (len < 0 || len > in.remaining()) throw new IllegalStateException("string of " + len + " bytes past the end");
        byte[] s = new byte[len];
        in.get(s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    private static Object top(List<Object> stack) {
        if (stack.isEmpty()) throw new IllegalStateException("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private static Object pop(List<Object> stack) {
        if (stack.isEmpty()) throw new IllegalStateException("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw new IllegalStateException("unexpected MARK");
        return o;
    }

    private static List<Object> popMark(List<Object> stack) {
        int k = stack.lastIndexOf(MARK);
        if (k < 0) throw new IllegalStateException("no MARK");
        List<Object> xs = new ArrayList<>(stack.subList(k + 1, stack.size()));
        stack.subList(k, stack.size()).clear();
        return xs;
    }

    /** The flat values and shape of a pickled {@code numpy.ndarray} of 4- or 8-byte ints or floats, little-endian, C order. */
    public record NdArray(int[] shape, double[] values) {
        public int rows() { return shape[0]; }

        public int cols() { return shape.length > 1 ? shape[1] : 1; }
    }

    public static NdArray ndarray(Object o) {
        if (!(o instanceof Obj a) || !a.cls.equals("numpy.core.multiarray _reconstruct"))
            throw new IllegalStateException("expected a numpy array, found " + describe(o));
        List<?> st = (List<?>) a.state;
        List<?> shapeL = (List<?>) st.get(1);
        int[] shape = shapeL.stream().mapToInt(x -> Math.toIntExact((Long) x)).toArray();
        Obj dtype = (Obj) st.get(2);
        if (Boolean.TRUE.equals(st.get(3))) throw new IllegalStateException("Fortran-order arrays are not supported");
        String descr = (String) dtype.args.get(0);
        String order = (String) ((List<?>) dtype.state).get(1);
        if (order.equals(">")) throw new IllegalStateException("big-endian arrays are not supported");
        byte[] raw = ((String) st.get(4)).getBytes(StandardCharsets.ISO_8859_1);
        long count = 1;
        for (int s : shape) count *= s;
        int width = descr.endsWith("8") ? 8 : 4;
        if (raw.length != count * width) throw new IllegalStateException("array of " + count + " " + descr + " values holds " + raw.length + " bytes");
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[(int) count];
        for (int i = 0; i < v.length; i++)
            v[i] = switch (descr) {
                case "i4" -> bb.getInt();
                case "i8" -> bb.getLong();
                case "f4" -> bb.getFloat();
                case "f8" -> bb.getDouble();
                default -> throw new IllegalStateException("dtype " + descr + " is not supported");
            };
        return new NdArray(shape, v);
    }

    /** A pickled {@code scipy.sparse.csr_matrix}: its shape and CSR arrays. */
    public record Csr(int rows, int cols, int[] indptr, int[] indices, double[] data) {}

    public static Csr csr(Object o) {
        if (!(o instanceof Obj m) || !m.cls.equals("scipy.sparse.csr csr_matrix") || !(m.state instanceof Map<?, ?> st))
            throw new IllegalStateException("expected a scipy.sparse.csr_matrix, found " + describe(o));
        List<?> shape = (List<?>) st.get("_shape");
        int rows = Math.toIntExact((Long) shape.get(0)), cols = Math.toIntExact((Long) shape.get(1));
        int[] indptr = ints(ndarray(st.get("indptr")).values()), indices = ints(ndarray(st.get("indices")).values());
        double[] data = ndarray(st.get("data")).values();
        if (indptr.length != rows + 1 || indices.length != data.length || indptr[rows] != data.length)
            throw new IllegalStateException("inconsistent CSR arrays");
        for (int i = 0; i < rows; i++) if (indptr[i] > indptr[i + 1]) throw new IllegalStateException("CSR row pointers decrease at row " + i);
        for (int c : indices) if (c < 0 || c >= cols) throw new IllegalStateException("CSR column " + c + " outside 0.." + (cols - 1));
        return new Csr(rows, cols, indptr, indices, data);
    }

    private static int[] ints(double[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    static String describe(Object o) {
        return o == null ? "None" : o instanceof Obj x ? x.cls : o.getClass().getSimpleName();
    }
}
