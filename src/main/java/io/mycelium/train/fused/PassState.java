package io.mycelium.train.fused;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Operator;
import io.mycelium.model.Activation;
import io.mycelium.model.GcnnForm;
import io.mycelium.tensor.Aligned;
import io.mycelium.tensor.VectorMath;

/**
 * What the kernels of one {@link GcnnPass} share: the model's form, the host's partition and link,
 * and the per-layer row buffers, feature-major ({@code [node][feature][stride]}, stride = B rounded
 * up to whole vectors). Element 0 of every buffer sits at {@link #A} ({@link Aligned}), so every row
 * and every vector is on a cache-line boundary; weights and gradients (tensors) have no such offset.
 * Padded samples are zero on the way in and have zero output gradients, so they never reach a
 * weight gradient and no loop needs a scalar tail.
 */
final class PassState {
    static final int LANES = VectorMath.LANES;
    static final int A = Aligned.DOUBLES;
    /** Outputs one block of the sample-major kernels covers: four vectors. */
    static final int WIDE = 4 * LANES;
    /** Chunks of a tied weight gradient (a constant: chunking never depends on the machine). */
    static final int TIED_CHUNKS = 4;
    /** Nodes whose tied gradient entries one register block sums before adding them to a chunk's buffer (their rows stay in L2). */
    static final int TIED_TILE = 8;

    final GcnnForm form;
    final Partition part;
    final Comm comm;
    final Operator shift;
    final boolean tied;
    final int n;
    int samples, stride;          // B, and B rounded up to whole vectors: the length of a feature row
    double[][] x, sx;             // per layer: X^l and S X^l; x[L] is the output
    double[][] z;                 // backward: Z^l per layer, same layout as x
    double[] msg;                 // backward: the messages Θ1 Q of eq. (14), widest layer
    double[] late;                // a late-shift layer's X^l Θ1 forward, S Q backward: one output wide

    PassState(GcnnForm form, Comm comm, boolean tied) {
        this.form = form;
        this.comm = comm;
        this.part = comm.partition();
        this.shift = form.shift();
        this.tied = tied;
        this.n = part.size();
    }

    int layers() { return form.layers(); }

    int width(int l) { return form.width(l); }

    Activation activation(int l) { return form.activation(l); }

    /** Whether this host holds every node it reads (no halo): then rows of neighbours are local. */
    boolean whole() { return part.haloSize() == 0; }

    /**
     * Sizes the per-layer buffers for {@code B} samples (reused while B stays). Fresh buffers are
     * zero, and the padding of X^0 is never written, so padded samples enter every layer as zeros.
     */
    double[] resize(int B) {
        int L = layers(), P = (B + LANES - 1) / LANES * LANES;
        if (x == null || samples != B) {
            x = new double[L + 1][];
            sx = new double[L][];
            z = new double[L + 1][];
            for (int l = 0; l <= L; l++) x[l] = Aligned.doubles(n * P * width(l));
            for (int l = 0; l < L; l++) sx[l] = Aligned.doubles(n * P * width(l));
            for (int l = 1; l <= L; l++) z[l] = Aligned.doubles(n * P * width(l));
            msg = Aligned.doubles(n * P * form.maxWidth());
            late = Aligned.doubles(n * P);
        }
        samples = B;
        stride = P;
        return x[0];
    }

    /**
     * {@code into = S from} over rows {@code width · stride} long: one round of messages (the
     * padding travels too, a few percent of the batched path's messages, which are not the paper's
     * rounds and are not charged; it keeps every row a whole number of vectors). {@code add}: add
     * into {@code into} instead of overwriting it.
     */
    void shift(double[] from, int width, double[] into, boolean add) {
        int len = stride * width;
        double[] halo = Exchange.pull(comm, from, A, len);
        Exchange.apply(part, shift, from, A, halo, len, into, add);
    }
}
