package io.mycelium.graph;

import io.mycelium.tensor.Init;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * Mobile devices: n nodes at uniform positions in the unit square, each taking a random-walk step
 * of length {@code step} in a uniformly random direction (reflected at the borders) every time
 * {@link #step} is called; the graph links every two nodes within {@code radius} (a random
 * geometric graph of the current positions). Deterministic given the seed.
 */
public final class MovingNodes {
    private final double[][] positions;
    private final double radius, step;
    private final UniformRandomProvider rng;
    private Graph current;

    public MovingNodes(int n, double radius, double step, long seed) {
        if (n < 1) throw new IllegalArgumentException("moving nodes: need at least one node, got " + n);
        if (!(radius > 0) || radius > Math.sqrt(2)) throw new IllegalArgumentException("moving nodes: radius must be in (0, √2], got " + radius);
        if (!(step >= 0) || step > 1) throw new IllegalArgumentException("moving nodes: step must be in [0, 1], got " + step);
        this.rng = Init.rng(seed);
        this.positions = Generators.uniformPoints(n, rng.nextLong());
        this.radius = radius;
        this.step = step;
        this.current = Generators.randomGeometric(positions, radius);
    }

    public int n() { return positions.length; }

    /** The graph of the current positions. */
    public Graph graph() { return current; }

    /** A copy of the current positions, {@code [node][x, y]}. */
    public double[][] positions() {
        double[][] p = new double[positions.length][];
        for (int i = 0; i < p.length; i++) p[i] = positions[i].clone();
        return p;
    }

    /** Moves every node one step and returns the new graph. */
    public Graph step() {
        for (double[] p : positions) {
            double a = 2 * Math.PI * rng.nextDouble();
            p[0] = reflect(p[0] + step * Math.cos(a));
            p[1] = reflect(p[1] + step * Math.sin(a));
        }
        current = Generators.randomGeometric(positions, radius);
        return current;
    }

    /** Folds a coordinate back into [0, 1] (a step is at most 1, so one fold suffices). */
    private static double reflect(double v) {
        if (v < 0) return -v;
        if (v > 1) return 2 - v;
        return v;
    }
}
