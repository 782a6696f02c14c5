package io.mycelium.train;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.engine.Host;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.tensor.Tensor;

import java.util.function.Function;

/**
 * Forward and adjoint solves of an implicit GNN on one host (Appendix C of the hogwild paper).
 *
 * <p>Forward: iterate {@code h ← f(h, x)} ({@link ImplicitModel#step}) until no entry changes by
 * more than {@code tol}, starting from a given {@code h0} (the previous epoch's solution when
 * training: the fixed point is unique, so a warm start only saves iterations).
 *
 * <p>Backward: with {@code a} the adjoint, {@code dL/dθ = ∂L/∂θ + (∂f/∂θ)ᵀ a} where
 * {@code a = (∂f/∂h)ᵀ a + ∂L/∂h}. The tape records {@code f(h*)} once with {@code h*} as a
 * variable; each adjoint iteration is one vector–Jacobian product through that recording (a
 * {@link Tape#vjp} clears the previous gradients first), which is itself one round of message passing
 * in the reverse direction. The iteration converges because {@code f} is a contraction (for IGNN) or
 * a gradient step on a strongly convex energy (GSD, energy GNNs): the spectral radius of ∂f/∂h is
 * below one, the same rate as the forward solve. No Jacobian is ever formed.
 */
public final class FixedPoint {
    private FixedPoint() {}

    /** Result of a solve: the solution, iterations used, and the last change (max-abs). */
    public record Solve(Tensor h, int iterations, double residual, boolean converged) {}

    /** Gradients of the loss: parameters (fresh tensors) and the adjoint solve's statistics. */
    public record Gradient(Params grads, Tensor adjoint, int iterations, double residual, boolean converged) {}

    /** Solves {@code h = f(h, x)} from {@code h0} (not modified) by plain iteration. */
    public static Solve forward(Host host, ImplicitModel m, Function<Tape, GraphInput> input, Tensor h0, double tol, int maxIter) {
        return forward(host, m, input, h0, tol, maxIter, 0);
    }

    /**
     * Solves {@code h = f(h, x)} from {@code h0} (not modified); {@code anderson > 0} accelerates the
     * iteration with that many past residuals ({@link Anderson}). Stops when an application of f
     * changes no entry by more than {@code tol} and returns that last f(h).
     */
    public static Solve forward(Host host, ImplicitModel m, Function<Tape, GraphInput> input, Tensor h0, double tol, int maxIter, int anderson) {
        Tensor h = h0.copy();
        Anderson acc = anderson > 0 ? new Anderson(anderson, h.size()) : null;
        double change = Double.POSITIVE_INFINITY;
        int it = 0;
        while (it < maxIter) {
            Tape t = host.tape();
            Var next = m.step(t, t.constant(h), input.apply(t));
            change = next.value().maxAbsDiff(h);
            it++;
            if (acc == null || change <= tol) h.copyFrom(next.value());
            else acc.next(h.data(), next.value().data());
            if (change <= tol) break;
        }
        return new Solve(h, it, change, change <= tol);
    }

    /**
     * The implicit gradient of a loss of {@code readout(h*)}: {@code dOut} is ∂L/∂(readout output)
     * and {@code adj0} the adjoint's starting point (the previous solution, or null for zeros).
     * {@code hStar} must be the converged forward solution.
     */
    public static Gradient backward(Host host, ImplicitModel m, Function<Tape, GraphInput> input, Tensor hStar,
                                    Tensor dOut, Tensor adj0, double tol, int maxIter) {
        return backward(host, m, input, hStar, dOut, adj0, tol, maxIter, 0);
    }

    /** As above; {@code anderson > 0} accelerates the (linear) adjoint iteration. */
    public static Gradient backward(Host host, ImplicitModel m, Function<Tape, GraphInput> input, Tensor hStar,
                                    Tensor dOut, Tensor adj0, double tol, int maxIter, int anderson) {
        Tape t = host.tape();
        Var h = t.variable(hStar);
        GraphInput in = input.apply(t);
        Var f = m.step(t, h, in);
        Var out = m.readout(t, h, in);
        // Direct part: ∂L/∂h through the readout, and ∂L/∂θ of the readout's own parameters.
        t.vjp(out, dOut);
        Tensor direct = h.grad() == null ? Tensor.zeros(hStar.shape()) : h.grad().copy();
        Params grads = t.paramGrads();
        // Adjoint iteration a ← (∂f/∂h)ᵀ a + ∂L/∂h.
        Tensor a = adj0 == null ? direct.copy() : adj0.copy();
        double change = Double.POSITIVE_INFINITY;
        int it = 0;
        double[] ad = a.data(), dd = direct.data(), ga = new double[ad.length];
        Anderson acc = anderson > 0 ? new Anderson(anderson, ad.length) : null;
        while (it < maxIter) {
            t.vjp(f, a);
            double[] jt = h.grad() == null ? new double[ad.length] : h.grad().data();
            change = 0;
            for (int k = 0; k < ad.length; k++) {
                ga[k] = jt[k] + dd[k];
                change = Math.max(change, Math.abs(ga[k] - ad[k]));
            }
            it++;
            if (acc == null || change <= tol) System.arraycopy(ga, 0, ad, 0, ad.length);
            else acc.next(ad, ga);
            if (change <= tol) break;
        }
        // Parameter part: (∂f/∂θ)ᵀ a, one more product with the converged adjoint.
        t.vjp(f, a);
        for (String n : grads.names()) {
            double[] g = grads.get(n).data(), p = t.paramGrad(n).data();
            for (int k = 0; k < g.length; k++) g[k] += p[k];
        }
        return new Gradient(grads, a, it, change, change <= tol);
    }

    /** Records {@code steps} iterations from {@code h0} on one tape and the readout (for unrolled training and tests). */
    public static Var unrolled(Tape t, ImplicitModel m, GraphInput in, Var h0, int steps) {
        Var h = h0;
        for (int s = 0; s < steps; s++) h = m.step(t, h, in);
        return h;
    }
}
