package io.mycelium.net;

import io.mycelium.tensor.Params;
import io.mycelium.engine.Host;
import io.mycelium.tensor.Tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A partition's state after an epoch: its shares so far, its parameter rows and its optimizer
 * state (every {@link Params} and {@code Long} entry of the host's state except the trainer's
 * {@code train.*} scratch). Each is deterministic at an epoch's end, so the partitions' files of
 * one epoch form a consistent cut without stopping anyone; the coordinator commits an epoch when
 * every partition has written it ({@link #commit}).
 */
final class Checkpoint {
    private Checkpoint() {}

    static Path file(Path dir, String scheme, int partition, int epoch) { return dir.resolve(scheme + "-part" + partition + "-epoch" + epoch + ".ckpt"); }

    static void save(Path dir, String scheme, int partition, int epoch, NetTraining.Share sh, Host h) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".ckpt", ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(epoch);
            out.writeDouble(sh.train0());
            doubles(out, sh.test());
            doubles(out, sh.batches());
            params(out, h.params());
            Map<String, Object> keep = new TreeMap<>();
            for (var e : h.state().entrySet())
                if (!e.getKey().startsWith("train.") && (e.getValue() instanceof Params || e.getValue() instanceof Long)) keep.put(e.getKey(), e.getValue());
            out.writeInt(keep.size());
            for (var e : keep.entrySet()) {
                out.writeUTF(e.getKey());
                if (e.getValue() instanceof Long l) {
                    out.writeByte('L');
                    out.writeLong(l);
                } else {
                    out.writeByte('P');
                    params(out, (Params) e.getValue());
                }
            }
        }
        Files.move(tmp, file(dir, scheme, partition, epoch), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Restores host {@code h} and returns the shares saved with it. */
    static NetTraining.Share load(Path dir, String scheme, int partition, int epoch, Host h) throws IOException {
        Path f = file(dir, scheme, partition, epoch);
        if (!Files.isRegularFile(f)) throw new IOException("no checkpoint " + f + " (was it written on this machine?)");
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
            if (in.readInt() != epoch) throw new IOException(f + ": another epoch inside");
            NetTraining.Share sh = new NetTraining.Share(in.readDouble(), doubles(in), doubles(in));
            copyInto(readParams(in), h.params(), f);
            int entries = in.readInt();
            for (int q = 0; q < entries; q++) {
                String key = in.readUTF();
                h.state().put(key, in.readByte() == 'L' ? (Object) in.readLong() : readParams(in));
            }
            return sh;
        }
    }

    private static void copyInto(Params from, Params to, Path f) throws IOException {
        if (!from.names().equals(to.names())) throw new IOException(f + ": parameters " + from.names() + ", expected " + to.names());
        for (String n : to.names()) {
            double[] a = from.get(n).data(), b = to.get(n).data();
            if (a.length != b.length) throw new IOException(f + ": " + n + " has " + a.length + " values, expected " + b.length);
            System.arraycopy(a, 0, b, 0, a.length);
        }
    }

    /** Records that every partition has written {@code scheme}'s checkpoint after {@code epoch}. */
    static void commit(Path dir, String scheme, int epoch) throws IOException {
        Map<String, Integer> c = committed(dir);
        c.put(scheme, epoch);
        StringBuilder b = new StringBuilder();
        c.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        Path tmp = Files.createTempFile(dir, ".committed", ".tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, dir.resolve("committed"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The last committed epoch of each scheme (empty when nothing is). */
    static Map<String, Integer> committed(Path dir) throws IOException {
        Map<String, Integer> c = new LinkedHashMap<>();
        Path f = dir.resolve("committed");
        if (!Files.isRegularFile(f)) return c;
        for (String line : Files.readAllLines(f)) {
            String[] w = line.trim().split(" ");
            if (w.length == 2) c.put(w[0], Integer.parseInt(w[1]));
        }
        return c;
    }

    private static void doubles(DataOutputStream out, double[] d) throws IOException {
        out.writeInt(d.length);
        for (double v : d) out.writeLong(Double.doubleToRawLongBits(v));
    }

    private static double[] doubles(DataInputStream in) throws IOException {
        double[] d = new double[in.readInt()];
        for (int i = 0; i < d.length; i++) d[i] = Double.longBitsToDouble(in.readLong());
        return d;
    }

    private static void params(DataOutputStream out, Params p) throws IOException {
        out.writeBoolean(p.isTied());
        out.writeInt(p.names().size());
        for (String n : p.names()) {
            Tensor t = p.get(n);
            out.writeUTF(n);
            int[] shape = t.shape();
            out.writeInt(shape.length);
            for (int d : shape) out.writeInt(d);
            doubles(out, t.data());
        }
    }

    private static Params readParams(DataInputStream in) throws IOException {
        Params p = in.readBoolean() ? new Params() : Params.untied();
        int names = in.readInt();
        for (int q = 0; q < names; q++) {
            String n = in.readUTF();
            int[] shape = new int[in.readInt()];
            for (int d = 0; d < shape.length; d++) shape[d] = in.readInt();
            double[] data = doubles(in);
            Tensor t = Tensor.zeros(shape);
            System.arraycopy(data, 0, t.data(), 0, data.length);
            p.add(n, t);
        }
        return p;
    }
}
