package io.mycelium.task.hogwild;

import io.mycelium.model.Gat;
import io.mycelium.model.Gcn;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Model;
import io.mycelium.model.Trainable;
import io.mycelium.model.energy.EnergyGnn;
import io.mycelium.tensor.Init;
import io.mycelium.train.GraphNet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of the hogwild reproductions, by name, in the row order of the paper's tables. To add
 * a model, add one {@link #register} line below: a factory from the task's widths to a new
 * {@link Trainable}, either a {@link Model} (explicit, trained by backprop) or an
 * {@link ImplicitModel} (trained implicitly).
 * Factories must return a new instance per call: the trainer asks for one per batch graph.
 */
public final class Models {
    private Models() {}

    /**
     * Builds a model for a task with {@code nodeFeatures} / {@code edgeFeatures} input widths (0: none)
     * and {@code out} outputs per node, its affine layers starting as {@code init} draws them.
     */
    @FunctionalInterface
    public interface Factory {
        Trainable create(int nodeFeatures, int edgeFeatures, int out, Init.Affine init);

        /** Glorot weights and zero biases. */
        default Trainable create(int nodeFeatures, int edgeFeatures, int out) { return create(nodeFeatures, edgeFeatures, out, Init.Affine.GLOROT_ZERO); }
    }

    /** A registered model: its id (CLI), its row name in the paper's tables, its factory. */
    public record Entry(String id, String paperName, Factory factory) {
        /** The model with Glorot weights and zero biases (Tables 1 and 2). */
        public Trainable create(HogwildTask t) { return create(t, Init.Affine.GLOROT_ZERO); }

        public Trainable create(HogwildTask t, Init.Affine init) { return factory.create(t.nodeFeatures(), t.edgeFeatures(), t.outputWidth(), init); }

        public boolean implicit(HogwildTask t) {
            return switch (create(t)) {
                case ImplicitModel m -> true;
                case Model m -> false;
            };
        }

        /** The trainable network for a task; implicit models are solved with {@code solver}. */
        public GraphNet net(HogwildTask t, GraphNet.Solver solver) { return net(t, solver, Init.Affine.GLOROT_ZERO); }

        public GraphNet net(HogwildTask t, GraphNet.Solver solver, Init.Affine init) { return GraphNet.of(g -> create(t, init), solver); }
    }

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        register("ignn", "IGNN", (p, r, o, i) -> Ignn.paper(p, o, i));
        register("gsdgnn", "GSDGNN", (p, r, o, i) -> GsdGnn.paper(p, o, i));
        register("energy-node", "Energy GNN node-wise", (p, r, o, i) -> energy(EnergyGnn.Variant.NODE_WISE, p, r, o, i));
        register("energy-edge", "Energy GNN edge-wise", (p, r, o, i) -> energy(EnergyGnn.Variant.EDGE_WISE, p, r, o, i));
        register("energy-attention", "Energy GNN + Attention", (p, r, o, i) -> energy(EnergyGnn.Variant.ATTENTION, p, r, o, i));
        register("gcn", "GCN", (p, r, o, i) -> Gcn.paper(p, o, i));
        register("gat", "GAT", (p, r, o, i) -> Gat.paper(p, o, i));
    }

    private static EnergyGnn energy(EnergyGnn.Variant v, int p, int r, int o, Init.Affine init) {
        return new EnergyGnn(v, p, r, o, EnergyGnn.Config.paper(v), init);
    }

    public static void register(String id, String paperName, Factory f) {
        if (REGISTRY.containsKey(id)) throw new IllegalArgumentException("model '" + id + "' is already registered");
        REGISTRY.put(id, new Entry(id, paperName, f));
    }

    public static List<Entry> all() { return new ArrayList<>(REGISTRY.values()); }

    public static Entry get(String id) {
        Entry e = REGISTRY.get(id.trim().toLowerCase(java.util.Locale.ROOT));
        if (e == null) throw new io.mycelium.util.InputException("unknown model '" + id + "'; choose from " + REGISTRY.keySet());
        return e;
    }
}
