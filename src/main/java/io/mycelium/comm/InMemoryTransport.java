package io.mycelium.comm;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Delivers messages between partitions of one process through FIFO links, one per ordered pair
 * of neighbouring partitions. Every partition runs the same program, so the k-th message on a link
 * belongs to the k-th round: no tags are needed. Each partition must run on its own thread.
 */
public final class InMemoryTransport {
    private final List<Partition> parts;
    /** inbox[p][k]: messages to partition p from its k-th peer. */
    private final LinkedBlockingQueue<double[][]>[][] inbox;
    /** slot[p][k]: the position of p among the peers of its k-th peer. */
    private final int[][] slot;

    @SuppressWarnings("unchecked")
    public InMemoryTransport(List<Partition> parts) {
        this.parts = parts;
        inbox = new LinkedBlockingQueue[parts.size()][];
        slot = new int[parts.size()][];
        for (Partition p : parts) {
            int[] peers = p.peers();
            inbox[p.index()] = new LinkedBlockingQueue[peers.length];
            slot[p.index()] = new int[peers.length];
            for (int k = 0; k < peers.length; k++) {
                inbox[p.index()][k] = new LinkedBlockingQueue<>();
                slot[p.index()][k] = java.util.Arrays.binarySearch(parts.get(peers[k]).peers(), p.index());
            }
        }
    }

    public Comm comm(Partition p) {
        if (parts.get(p.index()) != p) throw new IllegalArgumentException("partition not of this transport");
        return new Comm(p) {
            @Override
            protected void deliver(Transfer[] ts) {
                int me = p.index();
                int[] peers = p.peers();
                for (int k = 0; k < peers.length; k++) inbox[peers[k]][slot[me][k]].add(outgoing(p, k, ts));
                for (int k = 0; k < peers.length; k++) {
                    double[][] msg;
                    try {
                        msg = inbox[me][k].take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("partition " + me + " interrupted while waiting for partition " + peers[k], e);
                    }
                    incoming(p, k, ts, msg);
                }
            }
        };
    }

    /**
     * What partition {@code p} sends its {@code k}-th peer in a round of transfers {@code ts}: one fresh
     * array per transfer, the rows that peer needs (pulls) or the halo sums it owns (pushes).
     */
    public static double[][] outgoing(Partition p, int k, Transfer[] ts) {
        double[][] msg = new double[ts.length][];
        for (int t = 0; t < ts.length; t++) {
            msg[t] = switch (ts[t]) {
                case Transfer.Pull pull -> gather(pull.local(), pull.offset(), p.sendRows(k), pull.width());
                case Transfer.Push push -> gather(push.haloSums(), 0, p.recvHalo(k), push.width());
            };
        }
        return msg;
    }

    /** Applies what {@code p}'s {@code k}-th peer sent in the same round: halo rows in, or contributions added. */
    public static void incoming(Partition p, int k, Transfer[] ts, double[][] msg) {
        if (msg.length != ts.length)
            throw new IllegalStateException("partitions " + p.index() + " and " + p.peers()[k] + " are out of step");
        for (int t = 0; t < ts.length; t++) {
            switch (ts[t]) {
                case Transfer.Pull pull -> scatter(msg[t], pull.halo(), p.recvHalo(k), pull.width());
                case Transfer.Push push -> addInto(msg[t], push.local(), p.sendRows(k), push.width());
            }
        }
    }

    private static double[] gather(double[] src, int offset, int[] rows, int w) {
        double[] out = new double[rows.length * w];
        for (int r = 0; r < rows.length; r++) System.arraycopy(src, offset + rows[r] * w, out, r * w, w);
        return out;
    }

    private static void scatter(double[] msg, double[] dst, int[] rows, int w) {
        for (int r = 0; r < rows.length; r++) System.arraycopy(msg, r * w, dst, rows[r] * w, w);
    }

    private static void addInto(double[] msg, double[] dst, int[] rows, int w) {
        for (int r = 0; r < rows.length; r++) {
            int o = rows[r] * w;
            for (int c = 0; c < w; c++) dst[o + c] += msg[r * w + c];
        }
    }
}
