package io.mycelium.train;

import java.util.Locale;

/**
 * Training stopped because the loss became NaN or infinite: a failure while running (the CLI exits
 * with 1), not bad input. Epochs and mini-batches count from 1.
 */
public final class TrainingDiverged extends RuntimeException {
    private final String what;
    private final int epoch, minibatch;

    /**
     * @param what      the scheme or model that was training
     * @param minibatch the mini-batch of {@code epoch} whose loss was not finite, or 0 for the
     *                  evaluation after the epoch's last mini-batch
     * @param quantity  what was not finite (e.g. "training loss", "test MSE")
     */
    public TrainingDiverged(String what, int epoch, int minibatch, int minibatches, String quantity, double value, double lr) {
        super(String.format(Locale.ROOT, "%s diverged at epoch %d, %s: the %s is %s (lr %s); try a smaller learning rate",
                what, epoch, minibatch > 0 ? "mini-batch " + minibatch + " of " + minibatches : "after its last mini-batch",
                quantity, value, lr));
        this.what = what;
        this.epoch = epoch;
        this.minibatch = minibatch;
    }

    public String what() { return what; }

    public int epoch() { return epoch; }

    public int minibatch() { return minibatch; }
}
