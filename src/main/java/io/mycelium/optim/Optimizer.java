package io.mycelium.optim;

import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * One node's (or one host's) parameter update at the end of a mini-batch. State lives in the map
 * the caller passes (a host's {@code state()}), so every node keeps its own moments.
 *
 * <p>A distributed optimizer first needs one round of consensus on some tensors (θ, and for
 * D-AMSGrad the second-moment tracker). It names them in {@link #shared}; the training schedule
 * mixes them, in one round of their own or in pieces riding on the forward rounds, and hands the
 * mixed values {@code Σ_j W_ij x_j} to {@link #step}.
 */
public interface Optimizer {
    /** Tensors to average with the neighbours before the step, in a fixed order; empty for a local optimizer. */
    default List<Tensor> shared(Params params, Map<String, Object> state) { return List.of(); }

    /** Applies the update for the mini-batch's summed gradients; {@code mixed} matches {@link #shared}. */
    void step(Params params, Map<String, Object> state, Params grads, List<Tensor> mixed);

    /** Zero tensors shaped like {@code params}, kept in {@code state} under {@code key}. */
    static Params slot(Map<String, Object> state, String key, Params params) {
        Object o = state.get(key);
        if (o instanceof Params p && p.isTied() == params.isTied() && p.copies() == params.copies() && p.names().equals(params.names())) return p;
        Params p = params.zerosLike();
        state.put(key, p);
        return p;
    }

    /** The θ tensors of {@code params} in name order. */
    static List<Tensor> tensors(Params params) { return params.names().stream().map(params::get).toList(); }
}
