package io.mycelium.ssl;

import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pin for "decentralized = centralized": lockstep rounds, gossip replaced by exact averaging of the
 * step, the centralized trainer's negative draws. Every node's copy must then equal the centralized
 * trainer's parameters after every round, and the deployed embeddings its embeddings.
 */
class LockstepEquivalenceTest {
    static SslGraph smallGraph(int n, int dim, long seed) {
        Graph g = Generators.erdosRenyiAverageDegree(n, 4, seed);
        double[] x = new double[n * dim];
        for (int k = 0; k < x.length; k++) x[k] = Draw.uniform(Draw.hash(seed, 77, k, 0, 0)) < 0.3 ? 1 : 0;
        return SslGraph.of(g, x, dim);
    }

    @Test
    void lockstepWithExactAveragingIsTheCentralizedTrainer() {
        SslGraph data = smallGraph(40, 12, 5);
        SslConfig c = new SslConfig(new int[] {6, 6}, 0.5, 3, 1.0, SslConfig.Optimizer.ADAM, 0.02, 0.8, 15, 3);
        CentralizedLayerwise central = new CentralizedLayerwise(data, c);
        DecentralizedSsl dec = new DecentralizedSsl(data, c, DecentralizedConfig.exactLockstep());
        double maxDiff = 0, maxMove = 0;
        double[][] init = {null, central.parameters(1), central.parameters(2)};
        for (int r = 1; r <= c.epochs(); r++) {
            central.round();
            dec.round();
            for (int l = 1; l <= 2; l++) {
                double[] ref = central.parameters(l);
                for (int v = 0; v < data.n(); v++) {
                    double[] mine = dec.parameters(v, l);
                    int w = c.width(l), rows = ref.length / w - 1;
                    for (int k = 0; k < ref.length; k++)
                        if (k / w >= rows || dec.holds(v, l, k / w)) maxDiff = Math.max(maxDiff, Math.abs(mine[k] - ref[k]));
                }
                for (int k = 0; k < ref.length; k++) maxMove = Math.max(maxMove, Math.abs(ref[k] - init[l][k]));
            }
        }
        assertThat(maxMove).as("training moved the parameters").isGreaterThan(0.05);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-10);
        double[] e1 = central.embedding(), e2 = dec.embedding();
        for (int k = 0; k < e1.length; k++) assertThat(Math.abs(e1[k] - e2[k])).isLessThanOrEqualTo(1e-10);
        // the consensus embedding is a fresh forward pass of the (here identical) copies
        int n = data.n(), w = c.width(1);
        double[] u1 = Encoder.affine(Encoder.aggregate(data.graph(), data.inputs(), 12), n, 12, w, central.parameters(1));
        double[] u2 = Encoder.affine(Encoder.aggregate(data.graph(), CentralizedLayerwise.relu(u1), w), n, w, w, central.parameters(2));
        double[] e3 = dec.consensusEmbedding();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < w; j++) {
                assertThat(e3[(i * 2) * w + j]).isCloseTo(Math.max(0, u1[i * w + j]), org.assertj.core.api.Assertions.within(1e-10));
                assertThat(e3[(i * 2 + 1) * w + j]).isCloseTo(Math.max(0, u2[i * w + j]), org.assertj.core.api.Assertions.within(1e-10));
            }
        System.out.printf("lockstep + exact averaging vs centralized: max |Δθ| = %.3g over %d rounds (parameters moved up to %.3f)%n", maxDiff, c.epochs(), maxMove);
    }

    @Test
    void withoutAveragingTheCopiesDrift() {
        SslGraph data = smallGraph(40, 12, 5);
        SslConfig c = new SslConfig(new int[] {6, 6}, 0.5, 3, 1.0, SslConfig.Optimizer.ADAM, 0.02, 0, 5, 3);
        CentralizedLayerwise central = new CentralizedLayerwise(data, c);
        DecentralizedSsl dec = new DecentralizedSsl(data, c, DecentralizedConfig.exactLockstep().withMerge(DecentralizedConfig.Merge.NONE));
        for (int r = 1; r <= c.epochs(); r++) { central.round(); dec.round(); }
        double maxDiff = 0;
        double[] ref = central.parameters(1);
        for (int v = 0; v < data.n(); v++) {
            double[] mine = dec.parameters(v, 1);
            for (int k = 0; k < ref.length; k++) maxDiff = Math.max(maxDiff, Math.abs(mine[k] - ref[k]));
        }
        assertThat(maxDiff).as("local-only steps are not the centralized step").isGreaterThan(1e-3);
    }
}
