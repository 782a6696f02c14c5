package io.mycelium.train;

import io.mycelium.autodiff.BackwardPass;
import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Exchange;
import io.mycelium.comm.Rider;
import io.mycelium.comm.Transfer;
import io.mycelium.engine.Host;
import io.mycelium.optim.Optimizer;
import io.mycelium.tensor.Params;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The paper's per-sample schedule of a mini-batch on one host: each sample is its own forward pass
 * (L rounds) and backward pass (L−1 rounds), with D-naive's consensus per sample or per batch, the
 * piggybacking of sample b−1's backward rounds on sample b's forward rounds, and the optimizer's
 * consensus split over the forward rounds. Its counters are Table I.
 */
final class PerSampleSchedule {
    private final Trainer t;

    PerSampleSchedule(Trainer t) { this.t = t; }

    Trainer.Step run(Host h, Dataset data, int[] batch) {
        Map<String, Object> state = h.state();
        HostTraining training = HostTraining.of(h);
        LocalData local = training.train(h, data);
        Scheme scheme = t.scheme();
        Comm comm = h.comm();
        Traffic.Meter meter = new Traffic.Meter(comm.counters(), t.recordsWidths());
        Params acc = h.params().zerosLike();
        Tape[] tapes = training.tapes(h);
        int nodes = t.engine().graph().n();
        List<Tensor> shared = t.optimizer().shared(h.params(), state);
        ConsensusPieces pieces = scheme.piggyback() && !shared.isEmpty()
                ? new ConsensusPieces(h.partition(), shared, t.model().rounds() * batch.length) : null;
        BackwardPass pending = null;
        Tape pendingTape = null;
        double sse = 0;
        for (int b = 0; b < batch.length; b++) {
            Tape tape = tapes[b & 1];
            tape.reset();
            int[] one = {batch[b]};
            Var x = tape.constant(flatten(Dataset.gatherX(local.x(), one)));
            meter.begin();
            if (scheme.piggyback()) comm.setRider(new Ride(pending, pieces));
            Var y = t.model().forward(tape, x);
            comm.setRider(null);
            meter.end(true);
            if (pending != null) {
                if (!pending.done()) throw new IllegalStateException("the backward pass of sample " + (b - 1) + " did not fit in the forward rounds");
                add(acc, pendingTape);
            }
            Var loss = Trainer.squaredError(tape, y, flatten(Dataset.gatherY(local.y(), one)));
            sse += loss.value().sum();
            BackwardPass bp = tape.backwardPass(loss, t.seed(loss, nodes));
            if (scheme.piggyback()) {
                pending = bp;
                pendingTape = tape;
                continue;
            }
            meter.begin();
            bp.run();
            meter.end(!scheme.centralized());
            if (scheme.gradConsensus() == Scheme.GradConsensus.PER_SAMPLE) {
                // this sample's share of the D-naive update, θ_i/B − α ∇̂J_i(b): the K rounds on the
                // shares add up to the K rounds on θ_i − α Σ_b ∇̂J_i(b) that the batched form sends once
                Params share = t.naiveShare(h.params(), tape.paramGrads(), batch.length);
                meter.begin();
                for (int r = 0; r < t.rounds(); r++) Exchange.consensus(comm, t.consensus(), Optimizer.tensors(share).toArray(Tensor[]::new));
                meter.end(true);
                add(acc, share);
            } else {
                add(acc, tape);
            }
        }
        if (pending != null) {
            meter.begin();
            pending.run();
            meter.end(true);
            add(acc, pendingTape);
        }
        List<Tensor> mixed = List.of();
        if (pieces != null) {
            meter.begin();
            pieces.flush(comm);
            meter.end(true);
            mixed = pieces.mixed(t.consensus());
        }
        meter.begin();
        t.finish(h, acc, shared, mixed, comm, scheme.gradConsensus() == Scheme.GradConsensus.PER_BATCH);
        meter.end(true);
        return new Trainer.Step(sse, meter.total());
    }

    private static Tensor flatten(Tensor oneSample) {
        int[] s = oneSample.shape();
        return oneSample.reshape(s[0], s[2]);
    }

    private static void add(Params acc, Tape t) {
        for (String n : acc.names()) {
            double[] a = acc.get(n).data(), g = t.paramGrad(n).data();
            for (int q = 0; q < a.length; q++) a[q] += g[q];
        }
    }

    private static void add(Params acc, Params g) {
        for (String n : acc.names()) {
            double[] a = acc.get(n).data(), d = g.get(n).data();
            for (int q = 0; q < a.length; q++) a[q] += d[q];
        }
    }

    /** Boards sample b−1's next backward round and the next consensus piece on each forward round. */
    private static final class Ride implements Rider {
        private final BackwardPass backward;
        private final ConsensusPieces pieces;
        private boolean backwardBoarded;

        Ride(BackwardPass backward, ConsensusPieces pieces) {
            this.backward = backward;
            this.pieces = pieces;
        }

        @Override
        public Transfer[] board() {
            List<Transfer> ts = new ArrayList<>(2);
            if (backward != null && !backward.done()) {
                Transfer t = backward.next();
                if (t != null) {
                    ts.add(t);
                    backwardBoarded = true;
                }
            }
            if (pieces != null) {
                Transfer p = pieces.board();
                if (p != null) ts.add(p);
            }
            return ts.toArray(Transfer[]::new);
        }

        @Override
        public void arrived() {
            if (backwardBoarded) {
                backwardBoarded = false;
                backward.complete();
            }
            if (pieces != null) pieces.arrived();
        }
    }
}
