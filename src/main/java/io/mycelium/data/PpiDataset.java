package io.mycelium.data;

import io.mycelium.util.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.GraphSample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The protein–protein interaction data set (PPI) in the GraphSAGE format (Hamilton et al., 2017), as
 * the hogwild paper's Table 4 uses it: in a directory, {@code PREFIX-G.json} (a node-link graph:
 * {@code nodes} with {@code id}, {@code val}, {@code test}; {@code links} with {@code source},
 * {@code target}), {@code PREFIX-id_map.json} (node id → row of the feature matrix),
 * {@code PREFIX-feats.npy} (a NumPy array {@code [rows, 50]}, float64 or float32) and
 * {@code PREFIX-class_map.json} (node id → its 121 binary labels).
 *
 * <p>The file holds the 24 tissue graphs as one graph; they are its connected components, and each
 * component belongs to one split by its nodes' flags (20 train, 2 validation, 2 test). The data
 * itself is not shipped with Mycelium and cannot be fetched here; the loader is tested on small files
 * written in the same format.
 */
public record PpiDataset(List<GraphSample> train, List<GraphSample> validation, List<GraphSample> test, int featureWidth, int labelWidth) {

    public static PpiDataset load(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) throw new InputException(dir + ": not a directory (GraphSAGE PPI files " + prefix + "-G.json, ...)");
        ObjectMapper json = new ObjectMapper();
        JsonNode g = read(json, dir.resolve(prefix + "-G.json"));
        JsonNode idMap = read(json, dir.resolve(prefix + "-id_map.json"));
        JsonNode classMap = read(json, dir.resolve(prefix + "-class_map.json"));
        double[][] feats = npy(dir.resolve(prefix + "-feats.npy"));
        Path gf = dir.resolve(prefix + "-G.json");
        JsonNode nodes = g.get("nodes"), links = g.get("links");
        if (nodes == null || !nodes.isArray() || links == null || !links.isArray())
            throw new InputException(gf + ": expected a node-link graph with 'nodes' and 'links' arrays");
        int n = nodes.size();
        Map<String, Integer> index = new HashMap<>();
        String[] ids = new String[n];
        byte[] split = new byte[n]; // 0 train, 1 validation, 2 test
        for (int i = 0; i < n; i++) {
            JsonNode v = nodes.get(i);
            if (!v.has("id")) throw new InputException(gf + ": node " + i + " has no 'id'");
            ids[i] = v.get("id").asText();
            if (index.put(ids[i], i) != null) throw new InputException(gf + ": node id " + ids[i] + " appears twice");
            split[i] = (byte) (v.path("test").asBoolean(false) ? 2 : v.path("val").asBoolean(false) ? 1 : 0);
        }
        int[] u = new int[links.size()], w = new int[links.size()];
        int m = 0;
        for (int k = 0; k < links.size(); k++) {
            JsonNode l = links.get(k);
            Integer a = index.get(l.path("source").asText(null)), b = index.get(l.path("target").asText(null));
            if (a == null || b == null) throw new InputException(gf + ": link " + k + " names a node that is not in 'nodes'");
            if (a.intValue() == b.intValue()) continue;
            u[m] = a;
            w[m++] = b;
        }
        Graph whole = Graph.fromEdges(n, java.util.Arrays.copyOf(u, m), java.util.Arrays.copyOf(w, m));
        int featureWidth = feats.length == 0 ? 0 : feats[0].length;
        double[][] x = new double[n][];
        double[][] y = new double[n][];
        int labelWidth = -1;
        for (int i = 0; i < n; i++) {
            JsonNode row = idMap.get(ids[i]);
            if (row == null || !row.canConvertToInt()) throw new InputException(dir.resolve(prefix + "-id_map.json") + ": no row for node " + ids[i]);
            int r = row.asInt();
            if (r < 0 || r >= feats.length) throw new InputException(dir.resolve(prefix + "-id_map.json") + ": node " + ids[i] + " maps to row " + r
                    + ", the features have " + feats.length);
            x[i] = feats[r];
            JsonNode lab = classMap.get(ids[i]);
            Path cf = dir.resolve(prefix + "-class_map.json");
            if (lab == null || !lab.isArray()) throw new InputException(cf + ": no label list for node " + ids[i]);
            if (labelWidth < 0) labelWidth = lab.size();
            if (lab.size() != labelWidth) throw new InputException(cf + ": node " + ids[i] + " has " + lab.size() + " labels, others " + labelWidth);
            y[i] = new double[labelWidth];
            for (int k = 0; k < labelWidth; k++) {
                double v = lab.get(k).asDouble(Double.NaN);
                if (v != 0 && v != 1) throw new InputException(cf + ": node " + ids[i] + " label " + k + " is not 0 or 1");
                y[i][k] = v;
            }
        }
        List<GraphSample> tr = new ArrayList<>(), va = new ArrayList<>(), te = new ArrayList<>();
        for (int[] comp : components(whole)) {
            byte s = split[comp[0]];
            for (int i : comp) if (split[i] != s) throw new InputException(gf + ": a connected graph mixes splits (node " + ids[i] + ")");
            (s == 0 ? tr : s == 1 ? va : te).add(sample(whole, comp, x, y, featureWidth, labelWidth));
        }
        return new PpiDataset(List.copyOf(tr), List.copyOf(va), List.copyOf(te), featureWidth, labelWidth);
    }

    private static GraphSample sample(Graph whole, int[] comp, double[][] x, double[][] y, int fw, int lw) {
        int[] local = new int[whole.n()];
        java.util.Arrays.fill(local, -1);
        for (int i = 0; i < comp.length; i++) local[comp[i]] = i;
        List<int[]> e = new ArrayList<>();
        int[] off = whole.offsets(), nb = whole.neighbours();
        for (int i : comp)
            for (int p = off[i]; p < off[i + 1]; p++) if (i < nb[p]) e.add(new int[] {local[i], local[nb[p]]});
        Graph g = Graph.fromEdges(comp.length, e.stream().mapToInt(a -> a[0]).toArray(), e.stream().mapToInt(a -> a[1]).toArray());
        Tensor xs = Tensor.zeros(comp.length, fw), ys = Tensor.zeros(comp.length, lw);
        for (int i = 0; i < comp.length; i++) {
            System.arraycopy(x[comp[i]], 0, xs.data(), i * fw, fw);
            System.arraycopy(y[comp[i]], 0, ys.data(), i * lw, lw);
        }
        return new GraphSample(g, xs, null, ys);
    }

    /** Connected components, each as its node ids in ascending order, ordered by their smallest node. */
    static List<int[]> components(Graph g) {
        int[] comp = new int[g.n()];
        java.util.Arrays.fill(comp, -1);
        List<int[]> out = new ArrayList<>();
        int[] stack = new int[g.n()];
        for (int s = 0; s < g.n(); s++) {
            if (comp[s] >= 0) continue;
            List<Integer> members = new ArrayList<>();
            int top = 0;
            stack[top++] = s;
            comp[s] = out.size();
            while (top > 0) {
                int i = stack[--top];
                members.add(i);
                for (int p = g.offsets()[i]; p < g.offsets()[i + 1]; p++) {
                    int j = g.neighbours()[p];
                    if (comp[j] < 0) {
                        comp[j] = out.size();
                        stack[top++] = j;
                    }
                }
            }
            out.add(members.stream().mapToInt(Integer::intValue).sorted().toArray());
        }
        return out;
    }

    private static JsonNode read(ObjectMapper json, Path f) {
        if (!Files.isRegularFile(f)) throw new InputException(f + ": missing (GraphSAGE PPI needs -G.json, -id_map.json, -class_map.json, -feats.npy)");
        try {
            return json.readTree(f.toFile());
        } catch (IOException e) {
            throw new InputException(f + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }

    /**
     * A two-dimensional NumPy array ({@code .npy} format version 1 or 2, C order, little-endian
     * float64, float32 or int64) as rows.
     */
    public static double[][] npy(Path f) {
        byte[] all;
        try {
            all = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new InputException(f + ": cannot read (" + e.getMessage() + ")", e);
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || !new String(all, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY"))
            throw new InputException(f + ": not a NumPy .npy file (no \\x93NUMPY magic)");
        int major = all[6];
        int headerLen, start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else throw new InputException(f + ": .npy version " + major + " is not supported");
        if (start + headerLen > all.length) throw new InputException(f + ": truncated header");
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        String descr = field(f, header, "descr").replace("'", "").trim();
        if (field(f, header, "fortran_order").trim().equals("True")) throw new InputException(f + ": Fortran-order arrays are not supported");
        String shape = field(f, header, "shape").replaceAll("[()\\s]", "");
        String[] dims = shape.split(",");
        if (dims.length != 2) throw new InputException(f + ": expected a 2-dimensional array, shape (" + shape + ")");
        int rows = Integer.parseInt(dims[0]), cols = Integer.parseInt(dims[1]);
        int size = switch (descr) {
            case "<f8", "<i8" -> 8;
            case "<f4" -> 4;
            default -> throw new InputException(f + ": dtype " + descr + " is not supported (float64, float32 or int64)");
        };
        long need = (long) rows * cols * size;
        int data = start + headerLen;
        if (all.length - data < need) throw new InputException(f + ": truncated data: " + (all.length - data) + " bytes for " + need);
        double[][] out = new double[rows][cols];
        b.position(data);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) out[r][c] = switch (descr) {
                case "<f8" -> b.getDouble();
                case "<f4" -> b.getFloat();
                default -> (double) b.getLong();
            };
        return out;
    }

    private static String field(Path f, String header, String key) {
        int k = header.indexOf("'" + key + "'");
        if (k < 0) throw new InputException(f + ": header has no '" + key + "'");
        int colon = header.indexOf(':', k);
        int end = key.equals("shape") ? header.indexOf(')', colon) + 1 : header.indexOf(',', colon);
        if (colon < 0 || end <= colon) throw new InputException(f + ": malformed header near '" + key + "'");
        return header.substring(colon + 1, end);
    }
}
