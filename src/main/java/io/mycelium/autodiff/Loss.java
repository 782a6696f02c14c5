package io.mycelium.autodiff;

/** Per-node losses built from tape ops: each returns {@code [nodes]}, node i's own loss ℓ_i. */
public final class Loss {
    private Loss() {}

    /** Mean squared error over each node's row. */
    public static Var mse(Tape t, Var pred, Var target) { return t.meanRows(t.square(t.sub(pred, target))); }

    /** Binary cross-entropy on logits z with targets y in [0,1]: softplus(z) − y z, averaged per node. */
    public static Var binaryCrossEntropy(Tape t, Var logits, Var target) {
        return t.meanRows(t.sub(t.softplus(logits), t.mul(target, logits)));
    }

    /** Multi-class cross-entropy on logits (last axis = classes) against one-hot (or soft) targets, averaged per node. */
    public static Var crossEntropy(Tape t, Var logits, Var oneHot) {
        return t.meanRows(t.neg(t.sum(t.mul(oneHot, t.logSoftmax(logits)), -1)));
    }
}
