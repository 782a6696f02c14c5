package io.mycelium.ssl;

/**
 * The encoder and its layer-wise loss, shared by every trainer (centralized, decentralized, end to end).
 *
 * <p>Encoder: GCN layers of widths {@code widths}, u_v^l = Σ_{u∈N(v)∪v} h_u^{l−1} /
 * √((d_u+1)(d_v+1)) · W_l + b_l and h^l = ReLU(u^l) (h^0 the input features), Glorot-uniform weights
 * and zero biases drawn from {@code seed} (every node starts from the same copy). Messages carry u^l;
 * the receiver applies the ReLU. The embedding is the concatenation [h^1 ‖ … ‖ h^L].
 *
 * <p>Loss of layer l at node v (edge reconstruction with negatives, GraphSAGE-unsup in cosine form, on
 * the linear pre-activation as GraphSAGE's last layer): with z = u/‖u‖, ℓ_v = −(1/|P_v|) Σ_{u∈P_v} log σ(z_v·z_u/τ) − (w/Q) Σ_{q≤Q} log σ(−z_v·z_{n_q}/τ), where
 * P_v are v's neighbours and n_q drawn non-neighbours; every z except z_v is a constant (their values of
 * the previous round), so the gradient reaches only layer l's parameters through v's own output.
 *
 * @param optimizer every copy's local optimizer (Adam keeps its moments per node, three doubles per parameter)
 * @param lr        learning rate (Adam: β1 0.9, β2 0.999, ε 1e-8)
 * @param lrZeroAt  the learning rate falls linearly with training time, from lr at the start to 0 at this
 *                  fraction of the training length, and stays 0 after (decentralized: the copies only merge);
 *                  0 keeps it constant (time: the round as a fraction of the training length)
 */
public record SslConfig(int[] widths, double tau, int negatives, double negWeight, Optimizer optimizer, double lr, double lrZeroAt, int epochs, long seed,
                        Loss loss, double lambda, double edgeDrop, double featureDrop) {
    public enum Optimizer { SGD, ADAM }

    /** The layer-wise loss. */
    public enum Loss {
        /** Edge reconstruction with negatives (above); tau, negatives and negWeight apply. */
        EDGE_RECONSTRUCTION,
        /**
         * CCA-SSG's decorrelation loss on two augmented views of the layer's output ({@link Decorrelation}):
         * every cached neighbour entry dropped with probability edgeDrop, every input dimension masked with
         * probability featureDrop; lambda weighs the decorrelation term. Its batch statistics are global.
         */
        DECORRELATION
    }

    /** Edge reconstruction (the loss before the decorrelation one existed). */
    public SslConfig(int[] widths, double tau, int negatives, double negWeight, Optimizer optimizer, double lr, double lrZeroAt, int epochs, long seed) {
        this(widths, tau, negatives, negWeight, optimizer, lr, lrZeroAt, epochs, seed, Loss.EDGE_RECONSTRUCTION, 1e-3, 0.4, 0.1);
    }

    public SslConfig {
        if (widths.length < 1) throw new IllegalArgumentException("at least one layer is needed");
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("every width must be at least 1, got " + java.util.Arrays.toString(widths));
        widths = widths.clone();
        if (!(tau > 0)) throw new IllegalArgumentException("tau must be positive, got " + tau);
        if (negatives < 0) throw new IllegalArgumentException("negatives must be at least 0, got " + negatives);
        if (!(negWeight >= 0)) throw new IllegalArgumentException("negative weight must be at least 0, got " + negWeight);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (!(lrZeroAt >= 0 && lrZeroAt <= 1)) throw new IllegalArgumentException("lrZeroAt must be in [0, 1], got " + lrZeroAt);
        if (epochs < 0) throw new IllegalArgumentException("epochs must be at least 0, got " + epochs);
        if (loss == null) throw new IllegalArgumentException("a loss is needed");
        if (!(lambda >= 0)) throw new IllegalArgumentException("lambda must be at least 0, got " + lambda);
        if (!(edgeDrop >= 0 && edgeDrop < 1)) throw new IllegalArgumentException("edge drop must be in [0, 1), got " + edgeDrop);
        if (!(featureDrop >= 0 && featureDrop < 1)) throw new IllegalArgumentException("feature drop must be in [0, 1), got " + featureDrop);
    }

    /** Two layers, 256 then 64 wide, τ 0.5, 8 negatives, Adam 0.01 decaying linearly to 0 at 3/4 of training, 100 epochs, seed 1. */
    public static SslConfig defaults() { return new SslConfig(new int[] {256, 64}, 0.5, 8, 1.0, Optimizer.ADAM, 0.01, 0.75, 100, 1); }

    public SslConfig withSeed(long s) { return new SslConfig(widths, tau, negatives, negWeight, optimizer, lr, lrZeroAt, epochs, s, loss, lambda, edgeDrop, featureDrop); }

    public SslConfig withEpochs(int e) { return new SslConfig(widths, tau, negatives, negWeight, optimizer, lr, lrZeroAt, e, seed, loss, lambda, edgeDrop, featureDrop); }

    public SslConfig withWidths(int... w) { return new SslConfig(w, tau, negatives, negWeight, optimizer, lr, lrZeroAt, epochs, seed, loss, lambda, edgeDrop, featureDrop); }

    public SslConfig withLr(double r) { return new SslConfig(widths, tau, negatives, negWeight, optimizer, r, lrZeroAt, epochs, seed, loss, lambda, edgeDrop, featureDrop); }

    public SslConfig withOptimizer(Optimizer o) { return new SslConfig(widths, tau, negatives, negWeight, o, lr, lrZeroAt, epochs, seed, loss, lambda, edgeDrop, featureDrop); }

    public SslConfig withLrZeroAt(double f) { return new SslConfig(widths, tau, negatives, negWeight, optimizer, lr, f, epochs, seed, loss, lambda, edgeDrop, featureDrop); }

    /** The decorrelation loss with weight {@code lam}, edge-drop and feature-drop probabilities. */
    public SslConfig withDecorrelation(double lam, double pe, double pf) { return new SslConfig(widths, tau, negatives, negWeight, optimizer, lr, lrZeroAt, epochs, seed, Loss.DECORRELATION, lam, pe, pf); }

    /** The learning rate at {@code progress} ∈ [0, 1] of training: lr·max(0, 1 − progress/lrZeroAt), or lr. */
    double lrAt(double progress) { return lrZeroAt > 0 ? lr * Math.max(0, 1 - progress / lrZeroAt) : lr; }

    @Override
    public int[] widths() { return widths.clone(); }

    public int layers() { return widths.length; }

    /** Output width of layer l (1-based). */
    public int width(int l) { return widths[l - 1]; }

    /** Input width of layer l (1-based). */
    int in(int l, int inputDim) { return l == 1 ? inputDim : widths[l - 2]; }

    /** Parameters of layer l: W (in × width, row-major) then b (width). */
    int paramCount(int l, int inputDim) { return in(l, inputDim) * width(l) + width(l); }

    /** Where layer l's output starts in a node's embedding [h^1 ‖ … ‖ h^L]. */
    int embeddingOffset(int l) {
        int o = 0;
        for (int k = 1; k < l; k++) o += widths[k - 1];
        return o;
    }

    public int embeddingDim() { return embeddingOffset(widths.length + 1); }
}
