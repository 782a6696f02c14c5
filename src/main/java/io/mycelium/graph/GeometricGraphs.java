package io.mycelium.graph;

import java.util.Arrays;

/**
 * Random geometric graphs in O(n + edges): points are bucketed into square cells at least one
 * radius wide, so every partner of a point lies in its own cell or one of the eight around it.
 */
final class GeometricGraphs {
    private GeometricGraphs() {}

    static Graph build(double[][] points, double radius) {
        int n = points.length;
        if (n < 1) throw new IllegalArgumentException("a graph needs at least one point");
        if (!(radius >= 0) || Double.isInfinite(radius))
            throw new IllegalArgumentException("radius must be a finite number >= 0, got " + radius);
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double[] p = points[i];
            if (p.length != 2 || !Double.isFinite(p[0]) || !Double.isFinite(p[1]))
                throw new IllegalArgumentException("point " + i + " must be two finite coordinates");
            minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]);
        }
        // At most about sqrt(n) cells per side keeps the cell table O(n) however small the radius.
        int maxSide = (int) Math.ceil(Math.sqrt(n));
        int cols = cellsAlong(maxX - minX, radius, maxSide);
        int rows = cellsAlong(maxY - minY, radius, maxSide);
        double cellW = (maxX - minX) / cols, cellH = (maxY - minY) / rows;

        int[] cellOf = new int[n];
        int[] start = new int[rows * cols + 1];
        for (int i = 0; i < n; i++) {
            cellOf[i] = cell(points[i][1] - minY, cellH, rows) * cols + cell(points[i][0] - minX, cellW, cols);
            start[cellOf[i] + 1]++;
        }
        for (int c = 0; c < rows * cols; c++) start[c + 1] += start[c];
        int[] members = new int[n];
        int[] fill = Arrays.copyOf(start, rows * cols);
        for (int i = 0; i < n; i++) members[fill[cellOf[i]]++] = i;

        double r2 = radius * radius;
        EdgeBuffer edges = new EdgeBuffer(Math.max(16, n));
        for (int i = 0; i < n; i++) {
            int cy = cellOf[i] / cols, cx = cellOf[i] % cols;
            double xi = points[i][0], yi = points[i][1];
            for (int y = Math.max(0, cy - 1); y <= Math.min(rows - 1, cy + 1); y++) {
                for (int x = Math.max(0, cx - 1); x <= Math.min(cols - 1, cx + 1); x++) {
                    int c = y * cols + x;
                    for (int q = start[c]; q < start[c + 1]; q++) {
                        int j = members[q];
                        if (j <= i) continue;
                        double dx = points[j][0] - xi, dy = points[j][1] - yi;
                        if (dx * dx + dy * dy <= r2) edges.add(i, j);
                    }
                }
            }
        }
        return Graph.fromEdges(n, edges.u(), edges.v());
    }

    /** Cell count along one axis such that each cell is at least one radius wide. */
    private static int cellsAlong(double extent, double radius, int maxSide) {
        if (extent <= 0) return 1;
        double fit = radius > 0 ? Math.floor(extent / radius) : maxSide;
        return (int) Math.max(1, Math.min(maxSide, fit));
    }

    private static int cell(double offset, double width, int count) {
        if (width <= 0) return 0;
        return Math.min(count - 1, (int) (offset / width));
    }
}
