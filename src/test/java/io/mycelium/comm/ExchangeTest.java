package io.mycelium.comm;

import io.mycelium.TestGraphs;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shift's vector row kernel against the plain loop it replaces, bit for bit: rows of every
 * width class (below a vector, whole vectors, blocks and leftovers), starting at every offset
 * within a cache line (so every size of masked head and tail), local and halo sources, writing
 * and accumulating.
 */
class ExchangeTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 10, 16, 24, 32, 40, 56, 64, 320, 323})
    void rowKernelIsTheScalarLoopBitForBit(int width) {
        UniformRandomProvider rng = RandomSource.SPLIT_MIX_64.create(width);
        Graph g = TestGraphs.connected(14, 0.3, width);
        Operator op = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        int[] partOf = new int[g.n()];
        for (int v = 0; v < partOf.length; v++) partOf[v] = v % 3;
        List<Partition> parts = new java.util.ArrayList<>(Partition.split(g, partOf));
        parts.add(Partition.whole(g));
        for (Partition p : parts)
            for (int offset = 0; offset < 8; offset++)
                for (boolean accumulate : new boolean[] {false, true}) {
                    int n = p.size();
                    double[] x = random(rng, offset + n * width + 5), halo = random(rng, p.haloSize() * width);
                    double[] out = random(rng, offset + n * width + 5), expected = out.clone();
                    double[] self = p.selfWeights(op), w = p.edgeWeights(op);
                    int[] rowPtr = p.rowPtr(), cols = p.cols();
                    for (int i = 0; i < n; i++)
                        for (int t = 0; t < width; t++) {
                            int at = offset + i * width + t;
                            double v = accumulate ? expected[at] + self[i] * x[at] : self[i] * x[at];
                            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
                                int src = cols[e];
                                v += w[e] * (src < n ? x[offset + src * width + t] : halo[(src - n) * width + t]);
                            }
                            expected[at] = v;
                        }
                    Exchange.apply(p, op, x, offset, halo, width, out, accumulate);
                    assertThat(out).as("partition %d, offset %d, accumulate %s", p.index(), offset, accumulate).containsExactly(expected);
                }
    }

    private static double[] random(UniformRandomProvider rng, int size) {
        double[] a = new double[size];
        for (int q = 0; q < size; q++) a[q] = rng.nextDouble() - 0.5;
        return a;
    }
}
