package io.mycelium.model.energy;

import io.mycelium.tensor.Init;
import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.model.Activation;
import io.mycelium.model.GraphInput;
import io.mycelium.model.ImplicitModel;
import io.mycelium.model.Mlp;
import io.mycelium.tensor.Tensor;
import org.apache.commons.rng.UniformRandomProvider;

import java.util.Arrays;

/**
 * Energy GNN (the hogwild paper's Section 5 and Appendix B): node embeddings minimize the strongly
 * convex energy
 *
 * <pre>
 *   E(h) = Σ_i [ u(m_i, h_i; x_i) + β/2 ‖h_i‖² ],
 *   m_i  = m_self(h_i; x_i) + Σ_{j ∈ N(i)} α_ij ⊙ m(h_i, h_j; x_i, x_j, e_ij)
 * </pre>
 *
 * with m, m_self and u partially input-convex networks ({@link Picnn}): m and m_self convex in the
 * embeddings (and non-decreasing in them with {@link Config#monotoneMessages}, as the paper's text
 * has it; off by default, see Range below), u convex in (m_i, h_i) and non-decreasing in m_i (what
 * makes the composition convex), all arbitrary in the features. Aggregation is the unnormalized adjacency
 * (α_ij = 1) with an independently parameterized self-loop m_self (Appendix F); with attention,
 * α_ij is a per-head softmax over N(i) of GAT scores computed from features only (eq. 26), so E
 * stays convex in h. Variants: node-wise (m(h_j; x_j)), edge-wise (m(h_i, h_j; x_i, x_j, e_ij)),
 * edge-wise with attention (2 heads whose messages are concatenated).
 *
 * <p><b>The iteration.</b> Node i's update is the local gradient step h_i ← h_i − α ∇_{h_i}E, and
 * ∇_{h_i}E = β h_i + ∂_h u_i + J_self(h_i)ᵀ w_i + Σ_j J_dst(i←j)ᵀ(α_ij ⊙ w_i) + Σ_j g_ji with
 * w_i = ∂u/∂m_i and g_ji = ∂e^j/∂h_i = J_src(j←i)ᵀ(α_ji ⊙ w_j). The last term needs w_j, which
 * depends on j's whole neighbourhood (2 hops from i). As in the paper's eq. (13), node j supplies
 * it from its own last update, so one round per step suffices: the state of a node is
 * {@code [h_i, w̃_i]} ({@link #stateWidth} = k + D), where w̃_i is w_i from i's previous step (divided
 * per head by i's attention normalizer Z_i = Σ_j exp(score_ij), so that a neighbour can form
 * α_ij w_i = exp(score_ij) w̃_i itself). In {@link #step} each node sends one fixed-size packet
 * {@code (h_j, w̃_j, x_j)} (node-wise: {@code (h_j, w̃_j, m(h_j; x_j))}, its message being the same
 * on all its edges); instead of j sending a per-edge g_ji, node i evaluates the Jacobian of
 * the reverse edge's message m(h_j, h_i; x_j, x_i, e_ji) itself (the graph is undirected, and edge
 * features must be symmetric, e_ji = e_ij, as distances are) and contracts it with w̃_j. Sending
 * x_j every step (constant) spares a separate set-up round, so the model runs unchanged on every
 * engine, and attention weights are recomputed from features each step (cheap, and it keeps the
 * attention parameters on the tape of every step for implicit differentiation).
 *
 * <p>At a fixed point w̃ is exactly what the current h gives, so the step is h − α∇E(h) and the
 * fixed point is the unique minimizer of E; between fixed points w̃ is one step stale (a bounded
 * delay, which Bertsekas–Tsitsiklis gradient methods tolerate for a small enough step).
 * {@link #gradient} is the exact ∇E (two rounds) for tests and diagnostics.
 *
 * <p>Every derivative is written as tape ops ({@link Picnn#inputGradient}), so {@code step} is an
 * ordinary differentiable program: an implicit trainer gets ∂f/∂h and ∂f/∂θ products (Hessian–vector
 * products of E) by differentiating it.
 *
 * <p><b>Step size.</b> {@link #curvatureBound} bounds the Lipschitz constant L of ∇ of the
 * convex part from weight norms (bounded gates and softplus'' ≤ 1/4; see {@link Picnn#bounds}):
 * with Λ = 1 + G_self + 2dG_m and Γ = H_self + 2dH_m (d the largest degree),
 * L ≤ H_u Λ² + G_u Γ. The exact gradient step contracts with factor ≤ 1 − αβ whenever
 * α ≤ 1/(β + L). The bound is pessimistic, so the default is a fixed α (the paper does not give
 * one) whose convergence the tests check; {@link #provableStepSize} gives the safe value. The
 * default α = 0.1 leaves room for the curvature that long-range tasks need (below): training an
 * edge-wise model on sum chains, α = 0.5 took 4× more forward iterations by epoch 80 and, with
 * Anderson memory 5, stopped converging within 3000 iterations around epoch 60; α = 0.1 kept
 * converging (the fixed point, hence training, is the same for any α that converges).
 *
 * <p><b>Range.</b> A change of x_j moves h*_i through H⁻¹ (H = ∇²E ⪰ βI, banded like the graph),
 * whose entries decay like q^dist(i,j) with q = (√κ−1)/(√κ+1), κ = λmax(H)/β: a node can only
 * learn from nodes up to ~√κ hops away, so the chain tasks (50–100 hops) need neighbour coupling
 * curvature hundreds of times β at the minimizer. Messages monotone in h (as the paper's text
 * states for m) couple neighbours only through convex functions of sums like h_i + h_j; at the
 * minimizer, where β h balances the non-negative pull of ∂u/∂m · ∂m/∂h, those sit in the flat
 * tails of their softplus units and the coupling vanishes: measured on sum chains (lr 0.01), a bit's
 * influence fell ~10³× per hop at initialization and still ~5× per hop after 150 epochs. Convexity of E, which is
 * all the convergence results use, needs only u non-decreasing in m and m convex in h, so the
 * default drops the monotonicity of m ({@link Config#monotoneMessages} = false): m can then be
 * convex in differences h_i − h_j (Laplacian-like coupling, flat along uniform shifts), and on the
 * same task the influence fell only ~1.3× per hop after 50 epochs and the sum was learned.
 */
public final class EnergyGnn implements ImplicitModel {

    public enum Variant {
        NODE_WISE, EDGE_WISE, ATTENTION;

        /** Registry name: energy-node, energy-edge, energy-attention. */
        public String id() {
            return switch (this) {
                case NODE_WISE -> "energy-node";
                case EDGE_WISE -> "energy-edge";
                case ATTENTION -> "energy-attention";
            };
        }
    }

    /**
     * Sizes and constants. {@code messageWidths} ends with the per-head message width d; the
     * message function's output is heads·d. {@code monotoneMessages}: m and m_self non-decreasing in
     * the embeddings, as the paper states (convexity of E needs only u non-decreasing in m and m
     * convex in h, so false is still a convex energy, with a more expressive message function).
     */
    public record Config(int stateWidth, int[] messageWidths, int[] updateWidths, int[] readoutWidths,
                         int heads, int attentionWidth, int attentionEdgeWidth, double beta, double alpha, boolean monotoneMessages) {
        /**
         * Appendix F: k = 2, m (4,4,2), u (4,4,1), readout (4,4,J), β = 0.04; 2 attention heads. Not
         * given there: the step α = 0.1 and messages not constrained monotone (see the class comment).
         */
        public static Config paper(Variant v) {
            return new Config(2, new int[] {4, 4, 2}, new int[] {4, 4, 1}, new int[] {4, 4}, v == Variant.ATTENTION ? 2 : 1,
                    4, 2, 0.04, 0.1, false);
        }

        public Config withAlpha(double a) {
            return new Config(stateWidth, messageWidths, updateWidths, readoutWidths, heads, attentionWidth, attentionEdgeWidth, beta, a, monotoneMessages);
        }

        public Config withBeta(double b) {
            return new Config(stateWidth, messageWidths, updateWidths, readoutWidths, heads, attentionWidth, attentionEdgeWidth, b, alpha, monotoneMessages);
        }

        public Config withMonotoneMessages(boolean m) {
            return new Config(stateWidth, messageWidths, updateWidths, readoutWidths, heads, attentionWidth, attentionEdgeWidth, beta, alpha, m);
        }
    }

    private final Variant variant;
    private final int p, r;
    private final Config cfg;
    private final int k, d, heads, dm;
    private final Picnn msg, self, upd;
    private final Mlp readout;

    /**
     * @param nodeFeatures p ≥ 1
     * @param edgeFeatures r (0 when the task has none; ignored by the node-wise variant)
     * @param outWidth     readout width J
     */
    public EnergyGnn(Variant variant, int nodeFeatures, int edgeFeatures, int outWidth, Config cfg) {
        this(variant, nodeFeatures, edgeFeatures, outWidth, cfg, Init.Affine.GLOROT_ZERO);
    }

    /** @param readoutInit how the readout o_φ's layers start (the PICNNs keep their own initialization, {@link Picnn#init}) */
    public EnergyGnn(Variant variant, int nodeFeatures, int edgeFeatures, int outWidth, Config cfg, Init.Affine readoutInit) {
        if (nodeFeatures < 1) throw new IllegalArgumentException("energy GNNs need node features (p >= 1)");
        if (cfg.heads() < 1 || (variant != Variant.ATTENTION && cfg.heads() != 1))
            throw new IllegalArgumentException("heads: " + cfg.heads() + " (only the attention variant has more than one)");
        this.variant = variant;
        this.p = nodeFeatures;
        this.r = variant == Variant.NODE_WISE ? 0 : edgeFeatures;
        this.cfg = cfg;
        this.k = cfg.stateWidth();
        this.d = cfg.messageWidths()[cfg.messageWidths().length - 1];
        this.heads = cfg.heads();
        this.dm = d * heads;
        int[] mw = cfg.messageWidths().clone();
        mw[mw.length - 1] = dm;
        boolean edge = variant != Variant.NODE_WISE;
        boolean mono = cfg.monotoneMessages();
        this.msg = new Picnn("m.", edge ? 2 * k : k, all(edge ? 2 * k : k, mono), edge ? 2 * p + r : p, mw);
        this.self = new Picnn("ms.", k, all(k, mono), p, mw);
        boolean[] inM = new boolean[dm + k];
        Arrays.fill(inM, 0, dm, true);
        this.upd = new Picnn("u.", dm + k, inM, p, cfg.updateWidths());
        int[] rw = new int[cfg.readoutWidths().length + 2];
        rw[0] = k;
        System.arraycopy(cfg.readoutWidths(), 0, rw, 1, cfg.readoutWidths().length);
        rw[rw.length - 1] = outWidth;
        // tanh, not ReLU: embeddings of one graph often share a direction, and 4-wide ReLU layers
        // then start dead for all of them (zero output, zero gradient)
        this.readout = new Mlp("o", rw, Activation.TANH, readoutInit);
        if (cfg.updateWidths()[cfg.updateWidths().length - 1] != 1) throw new IllegalArgumentException("the update network u must be scalar");
    }

    public EnergyGnn(Variant variant, int nodeFeatures, int edgeFeatures, int outWidth) {
        this(variant, nodeFeatures, edgeFeatures, outWidth, Config.paper(variant));
    }

    private static boolean[] all(int n, boolean v) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, v);
        return b;
    }

    public Variant variant() { return variant; }

    public Config config() { return cfg; }

    /** p: node features per node. */
    public int nodeFeatures() { return p; }

    /** r: edge features per edge (0 for the node-wise variant, which reads none). */
    public int edgeFeatures() { return r; }

    /** J: outputs per node. */
    public int outWidth() { return readout.outWidth(); }

    /** Width of the embedding h (the first columns of the state). */
    public int embeddingWidth() { return k; }

    @Override
    public int stateWidth() { return k + dm; }

    @Override
    public void init(Params params, UniformRandomProvider rng) {
        msg.init(params, rng);
        self.init(params, rng);
        upd.init(params, rng);
        if (variant == Variant.ATTENTION) {
            int q = cfg.attentionWidth(), s = r > 0 ? cfg.attentionEdgeWidth() : 0;
            params.add("att.x", Init.glorot(rng, p, q));
            if (s > 0) params.add("att.e", Init.glorot(rng, r, s));
            params.add("att.a", Init.glorot(rng, 2 * q + s, heads));
        }
        readout.init(params, rng);
        // The minimizer has |h*| = O(1/β) (≈ 25 for the paper's β): the readout's first layer starts
        // at scale β so that its tanh units start unsaturated. (Shrinking u instead, to make h* O(1),
        // also weakens the coupling between neighbours relative to β, and on a 12-node sum task
        // training then sat at the mean predictor ~80 epochs longer.)
        double[] w0 = params.get(readout.weight(0)).data();
        for (int q = 0; q < w0.length; q++) w0[q] *= cfg.beta();
    }

    @Override
    public void project(Params params) {
        msg.project(params);
        self.project(params);
        upd.project(params);
    }

    // ---------------------------------------------------------------- the energy and its gradient

    /** What a node computes about its own energy term from its neighbourhood's (h_j, x_j). */
    private record Local(Var u, Var w, Var norm, Var ownGrad) {}

    /**
     * What a node sends after h (and w̃): node-wise, its own outgoing message m(h_j; x_j), which is
     * the same on all its edges (computed once, by its owner); edge-wise, its features x_j.
     */
    private record Own(Var payload, Picnn.Forward nodeMessage) {}

    private Own own(Tape t, Var h, Var x) {
        if (variant != Variant.NODE_WISE) return new Own(x, null);
        Picnn.Forward f = msg.forward(t, h, x);
        return new Own(f.out(), f);
    }

    private int payloadWidth() { return variant == Variant.NODE_WISE ? dm : p; }

    /** {@code pay}: per incoming edge i ← j, the neighbour's payload ({@link Own}). */
    private Local local(Tape t, Var h, Var hs, Var x, Var pay, Var e) {
        int n = h.rows();
        Var xd = t.atDestination(x), xs = pay;
        Picnn.Forward mf = variant == Variant.NODE_WISE ? null : msg.forward(t, t.concat(t.atDestination(h), hs), features(t, xd, xs, e));
        Var mOut = mf == null ? pay : mf.out();
        Var att = null, norm = null;
        if (variant == Variant.ATTENTION) {
            Var ex = t.exp(scores(t, xd, xs, e));
            // isolated nodes have no weights; 1 keeps their w̃ finite (nobody reads it)
            norm = t.add(t.edgeSum(ex), t.constant(isolated(t, n)));
            att = t.div(ex, t.atDestination(norm));
        }
        Var agg = att == null ? mOut : perHead(t, mOut, att);
        Picnn.Forward ms = self.forward(t, h, x);
        Var mi = t.add(ms.out(), t.edgeSum(agg));
        Picnn.Forward uf = upd.forward(t, t.concat(mi, h), x);
        Var gu = upd.inputGradient(t, uf, t.constant(Tensor.full(1.0, n, 1)));
        Var w = t.slice(gu, 0, dm);
        Var own = t.add(t.add(t.scale(h, cfg.beta()), t.slice(gu, dm, dm + k)), self.inputGradient(t, ms, w));
        if (variant != Variant.NODE_WISE) {
            Var seed = t.atDestination(w);
            if (att != null) seed = perHead(t, seed, att);
            own = t.add(own, t.edgeSum(t.slice(msg.inputGradient(t, mf, seed), 0, k)));
        }
        return new Local(uf.out(), w, norm, own);
    }

    /** Σ_j g_ji: node i's share of its neighbours' energies, from their w̃_j ({@code ws}, per edge). */
    private Var reverse(Tape t, Var h, Var hs, Var x, Var pay, Var e, Var ws, Own own) {
        // node-wise: m(h_i; x_i) is the same message on every edge leaving i: one Jacobian, summed seeds
        if (variant == Variant.NODE_WISE) return msg.inputGradient(t, own.nodeMessage(), t.edgeSum(ws));
        Var xd = t.atDestination(x), xs = pay;
        // the reverse edge j ← i: destination j, source i
        Picnn.Forward rf = msg.forward(t, t.concat(hs, t.atDestination(h)), features(t, xs, xd, e));
        Var seed = variant == Variant.ATTENTION ? perHead(t, ws, t.exp(scores(t, xs, xd, e))) : ws;
        return t.edgeSum(t.slice(msg.inputGradient(t, rf, seed), k, 2 * k));
    }

    private Var features(Tape t, Var xDst, Var xSrc, Var e) {
        if (r > 0) {
            if (e == null) throw new IllegalArgumentException("this model was built for " + r + " edge features but the input has none");
            return t.concat(xDst, xSrc, e);
        }
        return t.concat(xDst, xSrc);
    }

    /** GAT scores from features only, per head: LeakyReLU(a·[x_dst Θx ‖ x_src Θx ‖ e Θe]), clipped so exp stays finite. */
    private Var scores(Tape t, Var xDst, Var xSrc, Var e) {
        Var tx = t.param("att.x");
        Var z = r > 0 ? t.concat(t.matmul(xDst, tx), t.matmul(xSrc, tx), t.matmul(e, t.param("att.e")))
                : t.concat(t.matmul(xDst, tx), t.matmul(xSrc, tx));
        return t.clip(t.leakyRelu(t.matmul(z, t.param("att.a")), 0.2), -30, 30);
    }

    /** Scales head c's block of d columns of x ({@code [rows, heads·d]}) by a[:, c]. */
    private Var perHead(Tape t, Var x, Var a) {
        if (heads == 1) return t.mul(x, a);
        int rows = x.rows();
        return t.reshape(t.mul(t.reshape(x, rows, heads, d), t.reshape(a, rows, heads, 1)), rows, dm);
    }

    private Tensor isolated(Tape t, int n) {
        int[] rp = t.partition().rowPtr();
        Tensor m = Tensor.zeros(n, heads);
        for (int i = 0; i < n; i++) if (rp[i + 1] == rp[i]) for (int c = 0; c < heads; c++) m.data()[i * heads + c] = 1;
        return m;
    }

    private Var wTilde(Tape t, Local loc) {
        return loc.norm() == null ? loc.w() : perHead(t, loc.w(), t.div(t.constant(Tensor.full(1.0, 1, 1)), loc.norm()));
    }

    /** Each node's energy term e_i = u(m_i, h_i; x_i) + β/2‖h_i‖² ({@code [nodes]}); h is {@code [nodes, k]}. One round. */
    public Var energy(Tape t, Var h, GraphInput in) {
        Var x = in.nodes();
        Own own = own(t, h, x);
        Var nb = t.neighbours(t.concat(h, own.payload()));
        Local loc = local(t, h, t.slice(nb, 0, k), x, t.slice(nb, k, k + payloadWidth()), in.edges());
        return t.add(t.sumRows(loc.u()), t.scale(t.sumRows(t.square(h)), cfg.beta() / 2));
    }

    /** The exact ∇_h E ({@code [nodes, k]}), with w_j of the same h: two rounds. */
    public Var gradient(Tape t, Var h, GraphInput in) {
        Var x = in.nodes();
        Own own = own(t, h, x);
        Var nb = t.neighbours(t.concat(h, own.payload()));
        Var hs = t.slice(nb, 0, k), pay = t.slice(nb, k, k + payloadWidth());
        Local loc = local(t, h, hs, x, pay, in.edges());
        Var ws = t.neighbours(wTilde(t, loc));
        return t.add(loc.ownGrad(), reverse(t, h, hs, x, pay, in.edges(), ws, own));
    }

    /** The state {@code [h, w̃(h)]} at which one {@link #step} is exactly h − α∇E(h) (one round). */
    public Var consistentState(Tape t, Var h, GraphInput in) {
        Var x = in.nodes();
        Own own = own(t, h, x);
        Var nb = t.neighbours(t.concat(h, own.payload()));
        Local loc = local(t, h, t.slice(nb, 0, k), x, t.slice(nb, k, k + payloadWidth()), in.edges());
        return t.concat(h, wTilde(t, loc));
    }

    @Override
    public Var step(Tape t, Var s, GraphInput in) {
        Var x = in.nodes();
        Var h = t.slice(s, 0, k);
        Own own = own(t, h, x);
        Var nb = t.neighbours(t.concat(s, own.payload())); // the one round: (h_j, w̃_j, x_j or m(h_j; x_j))
        Var hs = t.slice(nb, 0, k), ws = t.slice(nb, k, k + dm), pay = t.slice(nb, k + dm, k + dm + payloadWidth());
        Local loc = local(t, h, hs, x, pay, in.edges());
        Var grad = t.add(loc.ownGrad(), reverse(t, h, hs, x, pay, in.edges(), ws, own));
        return t.concat(t.sub(h, t.scale(grad, cfg.alpha())), wTilde(t, loc));
    }

    /** The readout o_φ on the embedding (the first k state columns): an MLP (tanh). */
    @Override
    public Var readout(Tape t, Var s, GraphInput in) { return readout.apply(t, t.slice(s, 0, k)); }

    // ---------------------------------------------------------------- step size

    /** An upper bound on the Lipschitz constant of ∇ of the convex part of E on graphs of largest degree {@code maxDegree}. */
    public double curvatureBound(Params params, int maxDegree) {
        double[] bm = msg.bounds(params), bs = self.bounds(params), bu = upd.bounds(params);
        double lam = 1 + bs[0] + 2.0 * maxDegree * bm[0];
        double gam = bs[1] + 2.0 * maxDegree * bm[1];
        return bu[1] * lam * lam + bu[0] * gam;
    }

    /** 1/(β + L): the step size for which the exact gradient step provably contracts. */
    public double provableStepSize(Params params, int maxDegree) { return 1 / (cfg.beta() + curvatureBound(params, maxDegree)); }

    @Override
    public String toString() { return variant.id() + "(k=" + k + ", heads=" + heads + ", β=" + cfg.beta() + ", α=" + cfg.alpha() + ")"; }
}
