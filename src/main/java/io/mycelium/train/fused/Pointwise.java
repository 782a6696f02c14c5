package io.mycelium.train.fused;

import io.mycelium.model.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;
import static io.mycelium.tensor.VectorMath.sigmoid;

/** The activations and their slopes on rows of the pass's buffers, as the tape computes them. */
final class Pointwise {
    private Pointwise() {}

    /** The activation on {@code v[off, off + len)} in place; len is a whole number of vectors. */
    static void activate(Activation act, double[] v, int off, int len) {
        switch (act) {
            case SIGMOID -> { for (int q = off; q < off + len; q += LANES) sigmoid(DoubleVector.fromArray(V, v, q)).intoArray(v, q); }
            case RELU -> {                       // v <= 0 ? 0 : v, as the tape has it (-0 becomes 0, NaN stays NaN)
                for (int q = off; q < off + len; q += LANES) {
                    DoubleVector h = DoubleVector.fromArray(V, v, q);
                    h.blend(0.0, h.compare(VectorOperators.LE, 0.0)).intoArray(v, q);
                }
            }
            case TANH -> { for (int q = off; q < off + len; q++) v[q] = Math.tanh(v[q]); }
            case IDENTITY -> { }
        }
    }

    /** {@code z ⊙= σ'(h)} from y = σ(h), as the tape computes it; len is a whole number of vectors. */
    static void slope(Activation act, double[] y, double[] z, int len) { slope(act, y, PassState.A, z, PassState.A, len); }

    /** {@code z[zo, zo + len) ⊙= σ'} of {@code y[yo, yo + len)}, as the tape computes it; len is a whole number of vectors. */
    static void slope(Activation act, double[] y, int yo, double[] z, int zo, int len) {
        int d = yo - zo;
        switch (act) {
            case SIGMOID -> {
                for (int q = zo; q < zo + len; q += LANES) {
                    DoubleVector yv = DoubleVector.fromArray(V, y, q + d);
                    DoubleVector.fromArray(V, z, q).mul(yv.mul(bc(1.0).sub(yv))).intoArray(z, q);
                }
            }
            case RELU -> {                       // 0 where y <= 0, else z (a NaN y lets z through), as the tape has it
                for (int q = zo; q < zo + len; q += LANES) {
                    DoubleVector yv = DoubleVector.fromArray(V, y, q + d);
                    DoubleVector.fromArray(V, z, q).blend(0.0, yv.compare(VectorOperators.LE, 0.0)).intoArray(z, q);
                }
            }
            case TANH -> { for (int q = zo; q < zo + len; q++) z[q] *= 1 - y[q + d] * y[q + d]; }
            case IDENTITY -> { }
        }
    }

}
