package io.mycelium.task;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.engine.Engine;
import io.mycelium.graph.Graph;
import io.mycelium.graph.Operator;
import io.mycelium.graph.ShiftOperator;
import io.mycelium.model.Activation;
import io.mycelium.model.Gcnn;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Dataset;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * Node regression of the training paper, Section IV-A, as DESIGN §4 fixes it: a Barabási–Albert
 * graph, the normalized Laplacian as shift, a sigmoid GCNN teacher (U(0,1) weights, Θ1 doubled)
 * labelling mixed-type features with N(0, 0.1²) noise, and a student of the same shape initialized
 * U(0,1).
 */
public final class NodeRegression {
    /** The experiment's knobs; {@link #paper()} is Section IV-A. */
    public record Config(int nodes, int m, int hidden, int trainSamples, int testSamples, int batch, double lr, int epochs,
                         double noise, int consensusRounds, long seed) {
        public Config {
            if (nodes <= m || m < 1) throw new IllegalArgumentException("need nodes > m >= 1");
            if (hidden < 1 || trainSamples < 1 || testSamples < 1 || epochs < 0) throw new IllegalArgumentException("sizes must be positive");
            if (batch < 1 || batch > trainSamples) throw new IllegalArgumentException("batch size must be in 1.." + trainSamples + ", got " + batch);
            if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive");
            if (consensusRounds < 1) throw new IllegalArgumentException("consensus rounds K must be at least 1");
        }

        public static Config paper() { return new Config(100, 2, 10, 1000, 200, 100, 1e-3, 1000, 0.1, 1, 1); }

        public Config withEpochs(int e) { return new Config(nodes, m, hidden, trainSamples, testSamples, batch, lr, e, noise, consensusRounds, seed); }

        public Config withSeed(long s) { return new Config(nodes, m, hidden, trainSamples, testSamples, batch, lr, epochs, noise, consensusRounds, s); }

        public Config withSize(int n, int train, int test, int b) { return new Config(n, m, hidden, train, test, b, lr, epochs, noise, consensusRounds, seed); }
    }

    public static final int FEATURES = 10;

    /** Everything a run needs, built from one seed. */
    public record Problem(Config config, Graph graph, Operator shift, Operator consensus, Gcnn student, Params init,
                          Dataset train, Dataset test) {}

    private NodeRegression() {}

    public static Problem build(Config c) {
        UniformRandomProvider rng = Init.rng(c.seed());
        Graph g = TaskGraphs.barabasiAlbert(c.nodes(), c.m(), rng.nextLong());
        Operator s = ShiftOperator.NORMALIZED_LAPLACIAN.of(g);
        Gcnn teacher = new Gcnn(s, new int[] {FEATURES, c.hidden(), 1}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Gcnn.UNIFORM01);
        Params tp = new Params();
        teacher.init(tp, rng);
        for (int l = 0; l < teacher.layers(); l++) {
            double[] d = tp.get(Gcnn.theta1(l)).data();
            for (int q = 0; q < d.length; q++) d[q] *= 2;
        }
        Gcnn student = new Gcnn(s, new int[] {FEATURES, c.hidden(), 1}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, Gcnn.UNIFORM01);
        Params init = new Params();
        student.init(init, rng);
        Dataset train = samples(g, teacher, tp, c.trainSamples(), c.noise(), rng);
        Dataset test = samples(g, teacher, tp, c.testSamples(), c.noise(), rng);
        return new Problem(c, g, s, ShiftOperator.metropolisHastings(g), student, init, train, test);
    }

    /**
     * The 10 features of a node: U(0,1), N(0,1), an integer in 0..4, Bernoulli(0.25),
     * Bernoulli(0.75), and a one-hot of 5 categories.
     */
    static Tensor features(int nodes, int samples, UniformRandomProvider rng) {
        var gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] x = new double[nodes * samples * FEATURES];
        for (int s = 0; s < samples; s++)
            for (int i = 0; i < nodes; i++) {
                int o = (i * samples + s) * FEATURES;
                x[o] = rng.nextDouble();
                x[o + 1] = gauss.sample();
                x[o + 2] = rng.nextInt(5);
                x[o + 3] = rng.nextDouble() < 0.25 ? 1 : 0;
                x[o + 4] = rng.nextDouble() < 0.75 ? 1 : 0;
                x[o + 5 + rng.nextInt(5)] = 1;
            }
        return new Tensor(x, nodes, samples, FEATURES);
    }

    static Dataset samples(Graph g, Gcnn teacher, Params tp, int count, double noise, UniformRandomProvider rng) {
        Tensor x = features(g.n(), count, rng);
        Tensor clean = Engine.synchronous(g, tp).run(h -> {
            Tape t = h.tape();
            return t.reshape(teacher.forward(t, t.constant(x)), g.n(), count).value().copy();
        }).getFirst();
        var gauss = ZigguratSampler.NormalizedGaussian.of(rng);
        double[] y = clean.data();
        for (int q = 0; q < y.length; q++) y[q] += noise * gauss.sample();
        return new Dataset(x, clean);
    }
}
