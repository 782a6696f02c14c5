package io.mycelium.model;

import io.mycelium.autodiff.Tape;

/**
 * A fixed-point model whose {@link #step} is linear before its activation:
 * {@code h ← φ(S h M + e(x))} (IGNN, GSD/APPNP, and any user model of that shape). Implementing
 * this interface is how a model opts into engines' fast kernels: an engine that can run the form
 * asks for it once per run and iterates it itself, instead of recording {@code step} on a tape every
 * tick. The form must describe {@code step} exactly (see {@link LinearForm} for the order of the
 * arithmetic that makes the two agree bit for bit); engines pin the two against each other in
 * their tests.
 */
public interface LinearFixedPoint extends ImplicitModel {
    /**
     * The step's form on the tape's graph ({@code tape.partition().graph()}) for {@code input}, with
     * the parameters the tape holds: the encoding is computed here, once, on the tape. The returned
     * arrays may be the tape's buffers; callers copy what they keep beyond the tape's next use.
     */
    LinearForm linearForm(Tape tape, GraphInput input);
}
