package io.mycelium.engine;

import io.mycelium.tensor.Tensor;

/**
 * What an asynchronous run produced and saw.
 *
 * @param state          final per-node rows: embeddings (implicit and layered explicit models), or the
 *                       outputs of a layer-matched explicit run
 * @param output         per-node outputs (the readout of the embeddings)
 * @param ticks          ticks simulated
 * @param converged      implicit models: every node's change stayed below the tolerance for a full
 *                       staleness window; explicit models: every node finished its updates
 * @param updates        node updates per node
 * @param staleness      histogram of the age (t − tick the value was produced) of every value read
 *                       from a neighbour; the last bin collects everything beyond the schedule's bound
 * @param maxStaleness   largest age read
 * @param unreceived     reads of a neighbour from which nothing had been received yet (zeros were used)
 * @param trace          per tick, the largest change of an updating node's row (0 when none updated)
 * @param rounds         rounds of message passing charged (one per exchange per tick; one per tick
 *                       in layered runs, where each node sends its current embedding once)
 * @param seconds        wall time of the tick loop
 * @param layerMismatches layered explicit runs: reads by a node computing layer l of a neighbour's
 *                       embedding of another layer than l (0 in a synchronous run; 0 for other runs)
 */
public record AsyncRun(Tensor state, Tensor output, int ticks, boolean converged, int[] updates, long[] staleness,
                       int maxStaleness, long unreceived, double[] trace, long rounds, double seconds, long layerMismatches) {

    /** The same run with {@code output} as its per-node outputs (the readout of its state). */
    AsyncRun withOutput(Tensor output) {
        return new AsyncRun(state, output, ticks, converged, updates, staleness, maxStaleness, unreceived, trace, rounds, seconds, layerMismatches);
    }

    public long totalUpdates() {
        long s = 0;
        for (int u : updates) s += u;
        return s;
    }

    /** Mean age of the values read (received ones). */
    public double meanStaleness() {
        long c = 0;
        double s = 0;
        for (int a = 0; a < staleness.length; a++) {
            c += staleness[a];
            s += (double) a * staleness[a];
        }
        return c == 0 ? 0 : s / c;
    }

    public long reads() {
        long c = unreceived;
        for (long v : staleness) c += v;
        return c;
    }
}
