package io.mycelium.task.hogwild;

import java.util.Map;

/** The published numbers of the hogwild paper's Tables 1 and 2 (percent), as {mean, std} by model row and task id. */
public final class PaperTables {
    private PaperTables() {}

    private static Map<String, double[]> row(double... v) {
        return Map.of("chains", new double[] {v[0], v[1]}, "count", new double[] {v[2], v[3]}, "sum", new double[] {v[4], v[5]},
                "coordinates", new double[] {v[6], v[7]}, "mnist", new double[] {v[8], v[9]});
    }

    /** Table 1: test error (classification error or relative RMSE), mean ± std over seeds and splits. */
    public static final Map<String, Map<String, double[]>> TABLE1 = Map.of(
            "IGNN", row(26.9, 13.3, 40.2, 5.5, 12.8, 0.8, 52.0, 5.5, 30.4, 0.7),
            "GSDGNN", row(35.9, 6.3, 40.3, 0.6, 13.3, 0.2, 44.0, 1.0, 29.3, 0.6),
            "Energy GNN node-wise", row(15.8, 17.9, 19.5, 1.7, 12.2, 0.7, 41.3, 2.4, 13.8, 0.8),
            "Energy GNN edge-wise", row(1.2, 2.2, 4.0, 3.6, 4.9, 3.3, 33.5, 3.2, 13.0, 0.6),
            "Energy GNN + Attention", row(0.25, 0.5, 3.6, 3.8, 6.0, 4.0, 30.9, 1.8, 13.8, 0.8),
            "GCN", row(47.0, 0.0, 40.7, 1.0, 13.1, 0.3, 53.2, 0.9, 29.7, 0.5),
            "GAT", row(47.0, 0.0, 41.5, 0.8, 12.9, 0.5, 39.3, 1.0, 15.3, 3.2));

    /** Table 2: change from synchronous to asynchronous inference, mean ± std over 5 asynchronous runs. */
    public static final Map<String, Map<String, double[]>> TABLE2 = Map.of(
            "IGNN", row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            "GSDGNN", row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            "Energy GNN node-wise", row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            "Energy GNN edge-wise", row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            "Energy GNN + Attention", row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            "GCN", row(38.8, 3.3, 584.6, 42.4, 2.6, 0.2, 63.4, 0.0, 37.4, 10.3),
            "GAT", row(6.6, 1.8, 250.3, 58.6, 45.1, 2.1, 97.0, 34.4, 50.4, 3.5));

    /** The published {mean, std}, or null when the paper has no such cell. */
    public static double[] lookup(Map<String, Map<String, double[]>> table, String paperName, String task) {
        Map<String, double[]> r = table.get(paperName);
        return r == null ? null : r.get(task);
    }
}
