package io.mycelium.train;

import io.mycelium.comm.Accounting;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.comm.Transfer;
import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One round of consensus on the optimizer's shared tensors, broken into {@code pieces} column
 * slices that ride on other rounds (Section III-C: θ_i(t) split over the LB forward rounds of the
 * mini-batch). θ does not change within a mini-batch, so the mixed result is bit for bit what one
 * round of {@link Exchange#consensus} would give.
 */
final class ConsensusPieces {
    private final Partition part;
    private final List<Tensor> tensors;
    private final double[] flat, halo;
    private final int width, pieces;
    private int next;
    private double[] pendingHalo;
    private int pendingFrom, pendingWidth;

    ConsensusPieces(Partition part, List<Tensor> tensors, int pieces) {
        this.part = part;
        this.tensors = tensors;
        int w = 0;
        for (Tensor t : tensors) w += t.rowSize();
        this.width = w;
        this.pieces = Math.max(1, pieces);
        int n = part.size();
        flat = new double[n * w];
        int off = 0;
        for (Tensor t : tensors) {
            int rs = t.rowSize();
            for (int i = 0; i < n; i++) System.arraycopy(t.data(), i * rs, flat, i * w + off, rs);
            off += rs;
        }
        halo = new double[part.haloSize() * w];
    }

    boolean finished() { return next >= pieces; }

    /**
     * This round's piece as a transfer: piece q of P holds columns [q|x|/P, (q+1)|x|/P). Returns
     * null when the piece is empty or every piece has been sent.
     */
    Transfer board() {
        if (next >= pieces) return null;
        int from = (int) ((long) next * width / pieces), to = (int) ((long) (next + 1) * width / pieces);
        next++;
        if (to == from) return null;
        int n = part.size(), w = to - from;
        double[] local = new double[n * w];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * width + from, local, i * w, w);
        pendingHalo = new double[part.haloSize() * w];
        pendingFrom = from;
        pendingWidth = w;
        return new Transfer.Pull(local, pendingHalo, w, Accounting.BROADCAST);
    }

    void arrived() {
        if (pendingHalo == null) return;
        for (int h = 0; h < part.haloSize(); h++)
            System.arraycopy(pendingHalo, h * pendingWidth, halo, h * width + pendingFrom, pendingWidth);
        pendingHalo = null;
    }

    /** Sends whatever has not ridden yet, one round per remaining piece. */
    void flush(Comm comm) {
        while (!finished()) {
            Transfer t = board();
            if (t == null) continue;
            comm.round(t);
            arrived();
        }
    }

    /** Σ_j W_ij x_j for every shared tensor, shaped like them. */
    List<Tensor> mixed(Operator w) {
        if (!finished()) throw new IllegalStateException("consensus pieces still in flight");
        double[] out = new double[flat.length];
        Exchange.apply(part, w, flat, halo, width, out, false);
        List<Tensor> res = new ArrayList<>(tensors.size());
        int off = 0, n = part.size();
        for (Tensor t : tensors) {
            int rs = t.rowSize();
            double[] d = new double[t.size()];
            for (int i = 0; i < n; i++) System.arraycopy(out, i * width + off, d, i * rs, rs);
            res.add(new Tensor(d, t.shape()));
            off += rs;
        }
        return res;
    }
}
