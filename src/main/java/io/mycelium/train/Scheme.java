package io.mycelium.train;

import io.mycelium.optim.Adam;
import io.mycelium.optim.DAmsGrad;
import io.mycelium.optim.DSgd;
import io.mycelium.optim.Optimizer;
import io.mycelium.optim.Sgd;

import java.util.Arrays;
import java.util.Locale;

/**
 * The training schemes of Section III and Fig. 2(a). Centralized schemes train tied parameters and
 * are charged only for their forward rounds (the paper's convention); the others train per-node
 * copies and are charged for every round they take.
 */
public enum Scheme {
    SGD("sgd", true, GradConsensus.NONE, false),
    ADAM("adam", true, GradConsensus.NONE, false),
    /**
     * K rounds of consensus per sample (eq. 8, 15). What travels is each sample's share of the local
     * update, θ_i/B − α ∇̂J_i(b), so that the mini-batch ends with θ_i ← Σ_j (W^K)_ij (θ_j − α Σ_b ∇̂J_j(b)):
     * consensus on the gradients while the copies agree, and a pull back together when finite K has
     * let them drift (as in the authors' code). With K = 1 it follows SGD epoch by epoch.
     */
    D_NAIVE("d-naive", false, GradConsensus.PER_SAMPLE, false),
    /** The same update with the gradients summed over the mini-batch first, then K rounds (Table I, row 3). */
    D_NAIVE_BATCH("d-naive-batch", false, GradConsensus.PER_BATCH, false),
    /** As {@link #D_NAIVE_BATCH}, with sample b−1's backward riding on sample b's forward rounds. */
    D_NAIVE_PB("d-naive-pb", false, GradConsensus.PER_BATCH, true),
    D_SGD("d-sgd", false, GradConsensus.NONE, true),
    D_ADAM("d-adam", false, GradConsensus.NONE, true),
    /** D-AMSGrad in the published order (Chen et al.). */
    D_AMSGRAD("d-amsgrad", false, GradConsensus.NONE, true),
    /** D-AMSGrad with the tracker advanced before the step (not published; {@link DAmsGrad}'s comment says when it helps). */
    D_AMSGRAD_TRACKER_FIRST("d-amsgrad-tracker-first", false, GradConsensus.NONE, true);

    /** Where D-naive's K rounds of gradient consensus happen. */
    public enum GradConsensus { NONE, PER_SAMPLE, PER_BATCH }

    /** The seven schemes of Fig. 2(a). */
    public static final Scheme[] FIGURE_2A = {SGD, ADAM, D_NAIVE, D_NAIVE_PB, D_SGD, D_ADAM, D_AMSGRAD};

    private final String id;
    private final boolean centralized;
    private final GradConsensus gradConsensus;
    private final boolean piggyback;

    Scheme(String id, boolean centralized, GradConsensus gc, boolean piggyback) {
        this.id = id;
        this.centralized = centralized;
        this.gradConsensus = gc;
        this.piggyback = piggyback;
    }

    public String id() { return id; }

    /** Tied parameters on one host; only forward rounds are charged. */
    public boolean centralized() { return centralized; }

    public GradConsensus gradConsensus() { return gradConsensus; }

    public boolean piggyback() { return piggyback; }

    public Optimizer optimizer(double lr) {
        return switch (this) {
            case SGD, D_NAIVE, D_NAIVE_BATCH, D_NAIVE_PB -> new Sgd(lr);
            case ADAM -> Adam.centralized(lr);
            case D_SGD -> new DSgd(lr);
            case D_ADAM -> Adam.distributed(lr);
            case D_AMSGRAD -> DAmsGrad.of(lr);
            case D_AMSGRAD_TRACKER_FIRST -> DAmsGrad.trackerFirst(lr);
        };
    }

    public static Scheme parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Scheme v : values()) if (v.id.equals(k)) return v;
        throw new io.mycelium.util.InputException("unknown scheme '" + s + "'; choose one of "
                + Arrays.stream(values()).map(Scheme::id).toList());
    }

    @Override
    public String toString() { return id; }
}
