package io.mycelium.train;

import io.mycelium.autodiff.Tape;
import io.mycelium.engine.Host;
import io.mycelium.model.FusedGcnnTraining;
import io.mycelium.model.GcnnForm;
import io.mycelium.model.Model;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;
import io.mycelium.train.fused.GcnnPass;

import java.util.Arrays;

/**
 * What a {@link Trainer} keeps on a host between mini-batches, typed: the host's rows of the
 * training and evaluation data, two tapes, the fused passes (two halves for training, two for
 * evaluation), the gradient buffers of the two halves and the consensus output buffers. It lives in
 * the host's state under one key that starts with {@code "train."}, so a new topology drops it with
 * everything else that belongs to the old graph, and the optimizer's state (other keys) carries over.
 */
final class HostTraining {
    private static final String KEY = "train.host";
    /** Pass slots: the two halves of a training mini-batch, then of an evaluation. */
    static final int TRAIN = 0, TRAIN_SECOND = 1, EVAL = 2, EVAL_SECOND = 3;

    private LocalData train, eval;
    private Tape[] tapes;
    private final GcnnPass[] passes = new GcnnPass[4];
    private Model passesFor;          // the model the passes were built for
    private GcnnForm form;            // its form, or null when it has no fused pass
    private final Params[] grads = new Params[2];
    Tensor[] mixed;                   // θ consensus output, reused while the shapes stay

    static HostTraining of(Host h) {
        if (h.state().get(KEY) instanceof HostTraining t) return t;
        HostTraining t = new HostTraining();
        h.state().put(KEY, t);
        return t;
    }

    /** The host's rows of the training data, cut once per dataset. */
    LocalData train(Host h, Dataset data) {
        if (train == null || train.source() != data) train = new LocalData(data, h.rows(data.x()), h.rows(data.y()));
        return train;
    }

    /** The host's rows of data being evaluated, cut once per dataset. */
    LocalData eval(Host h, Dataset data) {
        if (eval == null || eval.source() != data) eval = new LocalData(data, h.rows(data.x()), h.rows(data.y()));
        return eval;
    }

    /** Two tapes per host: sample b records on one while sample b−1's backward finishes on the other. */
    Tape[] tapes(Host h) {
        if (tapes == null || tapes[0].params() != h.params()) tapes = new Tape[] {h.newTape(), h.newTape()};
        return tapes;
    }

    /**
     * The fused GCNN pass in {@code slot} for {@code model}, when the model offers one
     * ({@link FusedGcnnTraining}) with one output and a symmetric shift; null otherwise.
     */
    GcnnPass pass(Host h, Model model, int slot) {
        if (passesFor != model) {
            Arrays.fill(passes, null);
            passesFor = model;
            form = model instanceof FusedGcnnTraining f ? f.gcnnForm() : null;
            if (form != null && (!GcnnPass.supports(form) || form.width(form.layers()) != 1)) form = null;
        }
        if (form == null) return null;
        if (passes[slot] == null) {
            // the second half of a mini-batch reads the same store as the first: one sample-major copy of it
            GcnnPass pass = new GcnnPass(form, h.comm(), h.params());
            boolean second = slot == TRAIN_SECOND || slot == EVAL_SECOND;
            passes[slot] = second ? pass.sharingSamplesWith(pass(h, model, slot - 1)) : pass;
        }
        return passes[slot];
    }

    /** Gradient buffer {@code slot} (0 or 1), shaped like the host's parameters, kept across mini-batches and zeroed. */
    Params zeroedGradients(Host h, int slot) {
        Params g = grads[slot];
        if (g != null && g.names().equals(h.params().names())
                && g.names().stream().allMatch(n -> g.get(n).data().length == h.params().get(n).data().length)) {
            for (String n : g.names()) Arrays.fill(g.get(n).data(), 0);
            return g;
        }
        return grads[slot] = h.params().zerosLike();
    }
}
