package io.mycelium.train.fused;

import io.mycelium.tensor.Params;

/** How a layer l > 0 forms Z^l from its Q (eq. 14), chosen once per layer. */
interface InputGrads {
    /** Writes Z^l (into the pass's {@code z[l]}) from Q ({@code q}); may also add gradients of the layers below. */
    LayerKernel.Below write(Params params, Params grads, double[] q);
}
