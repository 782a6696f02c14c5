package io.mycelium.autodiff;

import io.mycelium.comm.Transfer;
import io.mycelium.tensor.Tensor;

/**
 * Reverse-mode sweep over a tape that can pause at each round of message passing. {@link #run()}
 * performs the rounds one by one; a training schedule that piggybacks instead calls {@link #next()}
 * to get the payload of the next backward round, carries it inside another round, and then calls
 * {@link #complete()}.
 */
public final class BackwardPass {
    private final Tape tape;
    private int pos;
    private Var.Exchanging pending;

    BackwardPass(Tape tape, Var out, Tensor seed) {
        this.tape = tape;
        tape.clearGrads();
        if (!seed.sameShape(out.value)) throw new IllegalArgumentException("seed shape " + seed + " != output " + out.value);
        out.grad = seed;
        this.pos = out.id;
    }

    /**
     * Runs local steps until one needs communication and returns that round's payload (not yet
     * delivered), or returns null when the sweep has finished.
     */
    public Transfer next() {
        if (pending != null) throw new IllegalStateException("complete() the pending round first");
        while (pos >= 0) {
            Var v = tape.vars.get(pos--);
            if (v.grad == null || v.backward == null) continue;
            if (v.backward instanceof Var.Exchanging ex) {
                pending = ex;
                return ex.prepare(v.grad);
            }
            v.backward.run(v.grad);
        }
        return null;
    }

    /** Completes the step whose payload {@link #next()} returned, after its round. */
    public void complete() {
        if (pending == null) throw new IllegalStateException("no round pending");
        Var.Exchanging ex = pending;
        pending = null;
        ex.finish();
    }

    public boolean done() { return pos < 0 && pending == null; }

    /** Finishes the sweep, one round per exchange. */
    public void run() {
        Transfer t;
        while ((t = next()) != null) {
            tape.comm().round(t);
            complete();
        }
    }
}
