package io.mycelium.model;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tape's local backward of a GCNN against eq. (11)–(14) of the training paper written out as
 * dense loops over nodes, with distinct per-node copies θ_i so that the S_ji Θ1^j Q_j term of eq.
 * (14) is really exercised; and the distributed (per-node engine) gradients against the centralized ones.
 */
class GcnnGradientTest {

    /** A random case: graph, shift operator, widths, activations, per-node parameters, data. */
    record Case(Graph g, Operator s, Gcnn model, Params perNode, Tensor x, Tensor y) {}

    static Case randomCase(long seed) {
        UniformRandomProvider rng = Init.rng(seed);
        int n = 5 + rng.nextInt(12);
        Graph g = TestGraphs.connected(n, 0.2, rng);
        Operator s = switch ((int) (seed % 3)) {
            case 0 -> ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
            case 1 -> ShiftOperator.ADJACENCY.of(g);
            default -> asymmetric(g, rng);
        };
        int layers = 1 + rng.nextInt(3);
        int[] widths = new int[layers + 1];
        for (int l = 0; l <= layers; l++) widths[l] = 1 + rng.nextInt(5);
        widths[layers] = 1;
        Activation[] acts = new Activation[layers];
        for (int l = 0; l < layers; l++) acts[l] = Activation.values()[rng.nextInt(Activation.values().length)];
        Gcnn model = new Gcnn(s, widths, acts, Gcnn.GLOROT);
        Params tied = new Params();
        model.init(tied, rng);
        Params per = tied.perNode(n);
        for (String name : per.names()) {
            double[] d = per.get(name).data();
            for (int k = 0; k < d.length; k++) d[k] += 0.3 * (rng.nextDouble() - 0.5);
        }
        return new Case(g, s, model, per, Init.normal(rng, 0, 1, n, widths[0]), Init.normal(rng, 0, 1, n, 1));
    }

    static Operator asymmetric(Graph g, UniformRandomProvider rng) {
        double[] self = new double[g.n()], w = new double[g.directedEdgeCount()];
        for (int i = 0; i < self.length; i++) self[i] = rng.nextDouble() - 0.5;
        for (int p = 0; p < w.length; p++) w[p] = rng.nextDouble() - 0.5;
        return Operator.of("random", g, self, w);
    }

    /** Gradients of Σ_j (ŷ_j − y_j)^2 with respect to every θ_i, from the tape of one host. */
    static Params tapeGradients(Host h, Gcnn model, Tensor x, Tensor y) {
        Tape t = h.tape();
        Var out = model.forward(t, t.constant(h.rows(x)));
        Var loss = t.sumRows(t.square(t.sub(out, t.constant(h.rows(y)))));
        t.backward(loss);
        return t.paramGrads();
    }

    /** Eq. (10)–(14) as dense loops. Returns per-node gradients named like the model's parameters. */
    static Params oracle(Case c) {
        int n = c.g().n(), layers = c.model().layers();
        double[][] S = c.s().toDense();
        double[][][] X = new double[layers + 1][][];   // X[l][i][k]
        double[][][] SX = new double[layers][][];     // Σ_j S_ij X^{l}_j
        double[][][] H = new double[layers][][];
        X[0] = new double[n][];
        for (int i = 0; i < n; i++) X[0][i] = row(c.x(), i);
        for (int l = 0; l < layers; l++) {
            int gi = c.model().width(l), go = c.model().width(l + 1);
            SX[l] = new double[n][gi];
            H[l] = new double[n][go];
            X[l + 1] = new double[n][go];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) for (int k = 0; k < gi; k++) SX[l][i][k] += S[i][j] * X[l][j][k];
            for (int i = 0; i < n; i++) {
                double[][] t0 = weight(c.perNode(), Gcnn.theta0(l), i, gi, go), t1 = weight(c.perNode(), Gcnn.theta1(l), i, gi, go);
                for (int m = 0; m < go; m++) {
                    double h = 0;
                    for (int k = 0; k < gi; k++) h += X[l][i][k] * t0[k][m] + SX[l][i][k] * t1[k][m];
                    H[l][i][m] = h;
                    X[l + 1][i][m] = c.model().activation(l).at(h);
                }
            }
        }
        Params grads = c.perNode().zerosLike();
        double[][] Z = new double[n][1];
        for (int i = 0; i < n; i++) Z[i][0] = 2 * (X[layers][i][0] - c.y().data()[i]);          // eq. (11)
        for (int l = layers - 1; l >= 0; l--) {
            int gi = c.model().width(l), go = c.model().width(l + 1);
            double[][] Q = new double[n][go];
            for (int i = 0; i < n; i++)
                for (int m = 0; m < go; m++) Q[i][m] = Z[i][m] * c.model().activation(l).derivative(H[l][i][m]); // eq. (12)
            double[] d0 = grads.get(Gcnn.theta0(l)).data(), d1 = grads.get(Gcnn.theta1(l)).data();
            for (int i = 0; i < n; i++)
                for (int k = 0; k < gi; k++)
                    for (int m = 0; m < go; m++) {
                        d0[(i * gi + k) * go + m] = Q[i][m] * X[l][i][k];                          // eq. (13a)
                        d1[(i * gi + k) * go + m] = Q[i][m] * SX[l][i][k];                         // eq. (13b)
                    }
            double[][] zPrev = new double[n][gi];
            for (int i = 0; i < n; i++) {                                                           // eq. (14)
                double[][] t0 = weight(c.perNode(), Gcnn.theta0(l), i, gi, go), t1 = weight(c.perNode(), Gcnn.theta1(l), i, gi, go);
                for (int k = 0; k < gi; k++)
                    for (int m = 0; m < go; m++) zPrev[i][k] += (t0[k][m] + S[i][i] * t1[k][m]) * Q[i][m];
                for (int j = 0; j < n; j++) {
                    if (j == i || S[j][i] == 0) continue;
                    double[][] t1j = weight(c.perNode(), Gcnn.theta1(l), j, gi, go);
                    for (int k = 0; k < gi; k++) for (int m = 0; m < go; m++) zPrev[i][k] += S[j][i] * t1j[k][m] * Q[j][m];
                }
            }
            Z = zPrev;
        }
        return grads;
    }

    static double maxAbs(Params p) {
        double m = 0;
        for (String n : p.names()) m = Math.max(m, p.get(n).maxAbs());
        return m;
    }

    private static double[] row(Tensor t, int i) {
        int w = t.rowSize();
        double[] r = new double[w];
        System.arraycopy(t.data(), i * w, r, 0, w);
        return r;
    }

    private static double[][] weight(Params p, String name, int node, int gi, int go) {
        double[] d = p.get(name).data();
        double[][] w = new double[gi][go];
        for (int k = 0; k < gi; k++) for (int m = 0; m < go; m++) w[k][m] = d[(node * gi + k) * go + m];
        return w;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void tapeGradientsMatchTheLocalBackpropagationOfEq13And14(long seed) {
        Case c = randomCase(seed);
        Engine e = Engine.synchronous(c.g(), c.perNode());
        Params tape = e.run(h -> tapeGradients(h, c.model(), c.x(), c.y())).getFirst();
        Params oracle = oracle(c);
        assertThat(maxAbs(oracle)).isGreaterThan(1e-3);
        assertThat(tape.maxAbsDiff(oracle)).isLessThan(1e-10);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26})
    void perNodeEngineGivesTheSameGradientsAsTheSynchronousOne(long seed) {
        Case c = randomCase(seed);
        Params sync = Engine.synchronous(c.g(), c.perNode()).run(h -> tapeGradients(h, c.model(), c.x(), c.y())).getFirst();
        Engine dist = Engine.perNode(c.g(), c.perNode().copy());
        List<Params> parts = dist.run(h -> tapeGradients(h, c.model(), c.x(), c.y()));
        Params assembled = c.perNode().zerosLike();
        for (int p = 0; p < parts.size(); p++) assembled.writeBack(dist.hosts().get(p).partition().nodes(), parts.get(p));
        assertThat(assembled.maxAbsDiff(sync)).isLessThan(1e-10);
        assertThat(assembled.maxAbsDiff(oracle(c))).isLessThan(1e-10);
    }

    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33, 34, 35, 36})
    void sumOfPerCopyGradientsIsTheTiedGradient(long seed) {
        Case c = randomCase(seed);
        Params tied = c.perNode().mean();
        Params tiedGrad = Engine.synchronous(c.g(), tied).run(h -> tapeGradients(h, c.model(), c.x(), c.y())).getFirst();
        Engine dist = Engine.perNode(c.g(), tied.perNode(c.g().n()));
        List<Params> parts = dist.run(h -> tapeGradients(h, c.model(), c.x(), c.y()));
        for (String name : tiedGrad.names()) {
            double[] sum = new double[tiedGrad.get(name).size()];
            for (Params p : parts) {
                double[] d = p.get(name).data();
                for (int q = 0; q < d.length; q++) sum[q] += d[q];
            }
            assertThat(new Tensor(sum, tiedGrad.get(name).shape()).maxAbsDiff(tiedGrad.get(name))).isLessThan(1e-10);
        }
        assertThat(maxAbs(tiedGrad)).isGreaterThan(1e-3);
    }
}
