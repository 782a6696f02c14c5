package io.mycelium.train.fused;

import jdk.incubator.vector.DoubleVector;

import static io.mycelium.tensor.VectorMath.LANES;
import static io.mycelium.tensor.VectorMath.V;
import static io.mycelium.tensor.VectorMath.bc;

/**
 * {@link NarrowBack}'s coefficients for an output one wide: node i's own entry (Θ0_i + S_ii Θ1_i)
 * at {@code (i + rowPtr[i]) k}, then S_ij Θ1_j for its edges in CSR order.
 */
final class EdgeCoefficients {
    private final PassState s;
    private double[] coef;

    EdgeCoefficients(PassState s) { this.s = s; }

    double[] of(double[] W0, boolean tied, double[] W1, int k) {
        int n = s.n;
        int[] rowPtr = s.part.rowPtr(), cols = s.part.cols();
        double[] self = s.part.selfWeights(s.shift), w = s.part.edgeWeights(s.shift);
        int entries = n + rowPtr[n];        // node i's own entry sits at i + rowPtr[i], its edge e at i + e + 1
        if (coef == null || coef.length < entries * k) coef = new double[entries * k];
        double[] C = coef;
        int whole = k / LANES * LANES;     // the same operations as vectors (HotSpot left these loops scalar), then the rest
        for (int i = 0; i < n; i++) {
            int wi = tied ? 0 : i * k, own = (i + rowPtr[i]) * k;
            DoubleVector si = bc(self[i]);
            for (int kk = 0; kk < whole; kk += LANES)
                DoubleVector.fromArray(V, W0, wi + kk).add(DoubleVector.fromArray(V, W1, wi + kk).mul(si)).intoArray(C, own + kk);
            for (int kk = whole; kk < k; kk++) C[own + kk] = W0[wi + kk] + self[i] * W1[wi + kk];
            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                int wj = tied ? 0 : cols[e] * k, o = (i + e + 1) * k;
                DoubleVector we = bc(w[e]);
                for (int kk = 0; kk < whole; kk += LANES) DoubleVector.fromArray(V, W1, wj + kk).mul(we).intoArray(C, o + kk);
                for (int kk = whole; kk < k; kk++) C[o + kk] = w[e] * W1[wj + kk];
            }
        }
        return C;
    }

}
