package io.mycelium.net;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Generators;
import io.mycelium.graph.Graph;
import io.mycelium.model.GraphInput;
import io.mycelium.model.GsdGnn;
import io.mycelium.model.Ignn;
import io.mycelium.model.ImplicitModel;
import io.mycelium.autodiff.Tape;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.Scheme;
import io.mycelium.train.TrainingRun;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.List;
import java.util.Locale;

/**
 * What the hosts of a run compute. Every process builds it from the same description (only that
 * travels: a config file, or the inference options) and proves it did by the hash it presents at
 * join.
 */
public sealed interface Job {
    Graph graph();

    /** Digest of everything that determines the numbers. */
    String hash();

    /** Train a GCNN under each scheme, as {@code train} does. */
    record Train(TrainingRun.Setup setup, List<Scheme> schemes, String hash) implements Job {
        @Override
        public Graph graph() { return setup.graph(); }
    }

    /**
     * Asynchronous inference of an implicit GNN ({@code ignn} or {@code gsdgnn}) with seeded
     * parameters on a random geometric graph with seeded features, to tolerance {@code tol}.
     */
    record Infer(String model, int nodes, double radius, int features, long seed, double tol, Graph graph, Tensor x, ImplicitModel m, Params params) implements Job {
        public static Infer of(String model, int nodes, double radius, int features, long seed, double tol) {
            if (nodes < 2) throw new IllegalArgumentException("--nodes must be at least 2, got " + nodes);
            if (!(radius > 0)) throw new IllegalArgumentException("--radius must be positive, got " + radius);
            if (features < 1) throw new IllegalArgumentException("--features must be at least 1, got " + features);
            if (!(tol > 0)) throw new IllegalArgumentException("--tol must be positive, got " + tol);
            Graph g = Generators.parse("rgg:" + nodes + ":" + radius, seed);
            UniformRandomProvider r = Init.rng(seed * 7 + 3);
            Tensor x = Init.normal(r, 0, 1, nodes, features);
            ImplicitModel m = switch (model) {
                case "ignn" -> Ignn.paper(features, 1);
                case "gsdgnn" -> GsdGnn.paper(features, 1);
                default -> throw new IllegalArgumentException("--model: choose ignn or gsdgnn, not '" + model + "'");
            };
            Params p = new Params();
            m.init(p, r);
            m.project(p);
            return new Infer(model, nodes, radius, features, seed, tol, g, x, m, p);
        }

        @Override
        public String hash() { return String.format(Locale.ROOT, "%s-%d-%s-%d-%d-%s", model, nodes, Double.toString(radius), features, seed, Double.toString(tol)); }

        /** One application of the update on every node of {@code h} (rows of {@code host}'s partition). */
        Tensor step(Host host, Tensor h, Tensor xRows) {
            Tape t = host.tape();
            return m.step(t, t.constant(h), GraphInput.of(t.constant(xRows))).value();
        }

        /** The synchronous fixed point, in process: iterate the whole graph until no entry moves by more than 1e-13. */
        public Tensor fixedPoint() {
            Host host = Engine.synchronous(graph, params).hosts().getFirst();
            Tensor h = Tensor.zeros(graph.n(), m.stateWidth());
            for (int it = 0; it < 1_000_000; it++) {
                Tensor next = step(host, h, x).copy();
                double d = next.maxAbsDiff(h);
                h = next;
                if (d <= 1e-13) break;
            }
            return h;
        }
    }
}
