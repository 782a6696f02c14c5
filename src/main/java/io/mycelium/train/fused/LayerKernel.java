package io.mycelium.train.fused;

import io.mycelium.tensor.Params;

/**
 * The kernels of one layer l of a {@link GcnnPass}, chosen once when the pass is built from the
 * layer's shape, whether weights are tied, and whether the host holds every node (see
 * {@link GcnnPass} and docs/kernels.md). Forward reads X^l and writes X^{l+1}; backward reads
 * Q = Z^{l+1} ⊙ σ' (eq. 12), adds the layer's weight gradients (eq. 13) and writes Z^l (eq. 14).
 */
interface LayerKernel {
    /** What the layer below still needs after {@link #backward}. */
    enum Below {
        /** Z^l is written; the slope of layer l − 1 is still to be applied. */
        SLOPE,
        /** Z^l is written and already multiplied by layer l − 1's slope. */
        SLOPED,
        /** Nothing: this was layer 0, or the kernel also took every gradient below. */
        DONE
    }

    /** X^{l+1} = σ_l(X^l Θ0 + S X^l Θ1), including the round of messages it needs. */
    void forward(Params params);

    /**
     * Backpropagates Q of this layer (in {@code z[l + 1]}): adds dΘ0 and dΘ1 into {@code grads}
     * unless {@code gradsTaken} (the output step already added them), then writes Z^l.
     */
    Below backward(Params params, Params grads, boolean gradsTaken);
}
