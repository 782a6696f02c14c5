package io.mycelium.autodiff;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.engine.Engine;
import io.mycelium.engine.Host;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the tape's gradient of {@code <seed, f(inputs)>} (random seed) with central finite
 * differences, for every element of every input.
 */
public final class GradCheck {
    static final double H = 1e-5;

    private GradCheck() {}

    /** Returns the relative error ‖g − fd‖ / max(‖g‖, ‖fd‖) over all inputs, asserting it is ≤ tol. */
    public static double check(Graph g, List<Tensor> inputs, BiFunction<Tape, List<Var>, Var> f, UniformRandomProvider r, double tol) {
        return check(g, new Params(), inputs, f, r, tol);
    }

    /** As above, also differentiating with respect to every tensor of {@code params} (perturbed in place and restored). */
    public static double check(Graph g, Params params, List<Tensor> inputs, BiFunction<Tape, List<Var>, Var> f, UniformRandomProvider r, double tol) {
        Host host = Engine.synchronous(g, params).hosts().getFirst();
        Tape t = host.tape();
        List<Var> vs = new ArrayList<>();
        for (Tensor x : inputs) vs.add(t.variable(x));
        Var out = f.apply(t, vs);
        Tensor seed = Init.normal(r, 0, 1, out.shape());
        t.vjp(out, seed);
        List<Tensor> grads = new ArrayList<>();
        for (Var v : vs) grads.add(v.grad() == null ? Tensor.zeros(v.shape()) : v.grad().copy());
        List<Tensor> all = new ArrayList<>(inputs);
        for (String name : params.names()) {
            all.add(params.get(name));
            grads.add(t.paramGrad(name).copy());
        }
        double num = 0, ng = 0, nf = 0;
        for (int k = 0; k < all.size(); k++) {
            double[] x = all.get(k).data();
            for (int i = 0; i < x.length; i++) {
                double keep = x[i];
                x[i] = keep + H;
                double plus = eval(host, inputs, f, seed);
                x[i] = keep - H;
                double minus = eval(host, inputs, f, seed);
                x[i] = keep;
                double fd = (plus - minus) / (2 * H);
                double gv = grads.get(k).data()[i];
                num += (gv - fd) * (gv - fd);
                ng += gv * gv;
                nf += fd * fd;
            }
        }
        double rel = Math.sqrt(num) / Math.max(1e-12, Math.max(Math.sqrt(ng), Math.sqrt(nf)));
        assertThat(rel).as("relative gradient error").isLessThanOrEqualTo(tol);
        assertThat(Math.sqrt(ng)).as("gradient is not trivially zero").isGreaterThan(0);
        return rel;
    }

    private static double eval(Host host, List<Tensor> inputs, BiFunction<Tape, List<Var>, Var> f, Tensor seed) {
        Tape t = host.newTape();
        List<Var> vs = new ArrayList<>();
        for (Tensor x : inputs) vs.add(t.constant(x));
        double[] o = f.apply(t, vs).value().data(), s = seed.data();
        double acc = 0;
        for (int i = 0; i < o.length; i++) acc += o[i] * s[i];
        return acc;
    }
}
