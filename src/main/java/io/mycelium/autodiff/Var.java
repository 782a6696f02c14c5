package io.mycelium.autodiff;

import io.mycelium.tensor.Tensor;

/** A value recorded on a {@link Tape}, with its gradient after a backward pass. */
public final class Var {
    final int id;
    final Tensor value;
    final boolean requiresGrad;
    Backward backward;
    Tensor grad;

    Var(int id, Tensor value, boolean requiresGrad) {
        this.id = id;
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    public Tensor value() { return value; }

    /** The gradient from the last backward pass, or null if none reached this value. */
    public Tensor grad() { return grad; }

    public boolean requiresGrad() { return requiresGrad; }

    public int[] shape() { return value.shape(); }

    public int dim(int axis) { return value.dim(axis); }

    public int rows() { return value.rows(); }

    @Override
    public String toString() { return "Var#" + id + value; }

    /** Pushes the gradient of this value into its inputs' gradients. */
    interface Backward {
        void run(Tensor grad);
    }

    /** A backward step that needs a round of message passing (the adjoint of an exchange). */
    interface Exchanging extends Backward {
        /** Does the local part and returns the payload of the round, which must be delivered before {@link #finish}. */
        io.mycelium.comm.Transfer prepare(Tensor grad);

        /** Completes the step after the round. */
        default void finish() {}

        @Override
        default void run(Tensor grad) { throw new UnsupportedOperationException("exchanging steps run through BackwardPass"); }
    }
}
