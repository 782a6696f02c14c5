package io.mycelium.wireless;

import io.mycelium.optim.Adam;
import io.mycelium.optim.DAmsGrad;
import io.mycelium.optim.Optimizer;

import java.util.Arrays;
import java.util.Locale;

/**
 * How UWMMSE is trained. {@link #ADAM} is the centralized run (tied parameters). The others give
 * every link its own copy: {@link #GC_ADAM} is what produced the authors' distributed curve
 * (wireless spec §0.3: per sample one Metropolis–Hastings round on the local gradients, times N,
 * summed over the batch, then a local Adam step; no consensus on the parameters), while
 * {@link #D_ADAM} and {@link #D_AMSGRAD} are the paper's eq. (17) family (one consensus round on θ,
 * and for D-AMSGrad on the second-moment tracker, then a local step on the node's own gradient).
 */
public enum PowerScheme {
    ADAM("adam", "UWMMSE centralized (Adam)"),
    GC_ADAM("gc-adam", "UWMMSE distributed (GC-Adam, the authors' D-Adam)"),
    D_ADAM("d-adam", "UWMMSE distributed (D-Adam, eq. 17)"),
    D_AMSGRAD("d-amsgrad", "UWMMSE distributed (D-AMSGrad)");

    private final String id;
    private final String label;

    PowerScheme(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() { return id; }

    public String label() { return label; }

    public boolean distributed() { return this != ADAM; }

    /** Consensus on parameters (eq. 17) rather than on gradients. */
    public boolean parameterConsensus() { return this == D_ADAM || this == D_AMSGRAD; }

    /** The optimizer with the authors' Adam constants (TF1: β1 0.9, β2 0.999, ε 1e-8). */
    public Optimizer optimizer(double lr) {
        return switch (this) {
            case ADAM, GC_ADAM -> Adam.centralized(lr);
            case D_ADAM -> Adam.distributed(lr);
            case D_AMSGRAD -> DAmsGrad.of(lr);
        };
    }

    public static PowerScheme parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (PowerScheme p : values()) if (p.id.equals(k)) return p;
        throw new IllegalArgumentException("unknown scheme '" + s + "'; choose from " + Arrays.stream(values()).map(PowerScheme::id).toList());
    }
}
