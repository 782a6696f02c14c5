package io.mycelium.model;

import io.mycelium.graph.Operator;
import io.mycelium.tensor.Tensor;

import java.util.Arrays;

/**
 * The step of a {@link LinearFixedPoint} model written out as data: {@code h ← φ(S h M + e)} on one
 * graph, where S is a shift operator (its self weights included), M is either a {@code [k, k]}
 * matrix (row form: the aggregate row times M) or a scalar c (M = c·I), e the per-node encoding
 * {@code [n, k]} (already computed from the input, constant over the iteration) and φ one of the
 * element-wise functions a fast kernel applies exactly (ReLU as {@code v <= 0 ? 0 : v}, as {@code Tape.relu}, tanh as
 * {@link Math#tanh}, identity).
 *
 * <p>A kernel that consumes the form computes, per node i and column q, in this order:
 * {@code a = S_ii h_i + Σ_j S_ij h_j} (self term first, then the edges in CSR order), then
 * {@code s_q = Σ_a a_a M_aq} summed from 0 in increasing a (or {@code s_q = c · a_q}), then
 * {@code φ(s_q + e_iq)}, each multiply and add rounded on its own (no fused multiply-add). A model's
 * {@code step} written with the tape ops in that order ({@code exchange}, {@code matmul} or
 * {@code scale}, {@code add}, φ) gives the same bits as such a kernel.
 *
 * @param shift    S on the graph the form was made for
 * @param matrix   M ({@code k·k} entries, row-major), or null for {@code scale}·I
 * @param scale    c when {@code matrix} is null (ignored otherwise)
 * @param encoding e, {@code [n, k]}
 * @param phi      RELU, TANH or IDENTITY
 */
public record LinearForm(Operator shift, double[] matrix, double scale, Tensor encoding, Activation phi) {
    public LinearForm {
        int n = shift.graph().n();
        if (encoding.rank() != 2 || encoding.dim(0) != n)
            throw new IllegalArgumentException("the encoding must be [" + n + ", k], got " + Arrays.toString(encoding.shape()));
        int k = encoding.dim(1);
        if (matrix != null && matrix.length != k * k)
            throw new IllegalArgumentException("M must have k·k = " + k * k + " entries, got " + matrix.length);
        if (phi != Activation.RELU && phi != Activation.TANH && phi != Activation.IDENTITY)
            throw new IllegalArgumentException("a linear form's φ must be relu, tanh or identity, got " + phi);
    }

    /** {@code h ← φ(S h W + e)} with a {@code [k, k]} weight (or its one tied copy {@code [1, k, k]}). */
    public static LinearForm matrix(Operator shift, Tensor w, Tensor encoding, Activation phi) {
        return new LinearForm(shift, w.data(), 0, encoding, phi);
    }

    /** {@code h ← φ(c · S h + e)}. */
    public static LinearForm scaled(Operator shift, double c, Tensor encoding, Activation phi) {
        return new LinearForm(shift, null, c, encoding, phi);
    }

    /** State width k. */
    public int width() { return encoding.dim(1); }
}
