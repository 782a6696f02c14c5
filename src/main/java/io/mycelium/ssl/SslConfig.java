package io.mycelium.ssl;

/**
 * The encoder and its layer-wise loss, shared by every trainer (centralized, decentralized, end to end).
 *
 * <p>Encoder: {@code layers} GCN layers of width {@code width}, u_v^l = Σ_{u∈N(v)∪v} h_u^{l−1} /
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
 */
public record SslConfig(int layers, int width, double tau, int negatives, double negWeight, Optimizer optimizer, double lr, int epochs, long seed) {
    public enum Optimizer { SGD, ADAM }

    public SslConfig {
        if (layers < 1) throw new IllegalArgumentException("layers must be at least 1, got " + layers);
        if (width < 1) throw new IllegalArgumentException("width must be at least 1, got " + width);
        if (!(tau > 0)) throw new IllegalArgumentException("tau must be positive, got " + tau);
        if (negatives < 0) throw new IllegalArgumentException("negatives must be at least 0, got " + negatives);
        if (!(negWeight >= 0)) throw new IllegalArgumentException("negative weight must be at least 0, got " + negWeight);
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (epochs < 0) throw new IllegalArgumentException("epochs must be at least 0, got " + epochs);
    }

    public static SslConfig defaults() { return new SslConfig(2, 64, 0.5, 8, 1.0, Optimizer.ADAM, 0.01, 100, 1); }

    public SslConfig withSeed(long s) { return new SslConfig(layers, width, tau, negatives, negWeight, optimizer, lr, epochs, s); }

    public SslConfig withEpochs(int e) { return new SslConfig(layers, width, tau, negatives, negWeight, optimizer, lr, e, seed); }

    public SslConfig withWidth(int w) { return new SslConfig(layers, w, tau, negatives, negWeight, optimizer, lr, epochs, seed); }

    public SslConfig withLr(double r) { return new SslConfig(layers, width, tau, negatives, negWeight, optimizer, r, epochs, seed); }

    /** Input width of layer l (1-based). */
    int in(int l, int inputDim) { return l == 1 ? inputDim : width; }

    /** Parameters of layer l: W (in × width, row-major) then b (width). */
    int paramCount(int l, int inputDim) { return in(l, inputDim) * width + width; }

    int embeddingDim() { return layers * width; }
}
