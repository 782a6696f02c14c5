package io.mycelium.wireless;

import io.mycelium.comm.Comm;
import io.mycelium.comm.Counters;
import io.mycelium.comm.Partition;

/** WMMSE and WMMSE-Tr on a test set, run as local programs with their messages counted. */
public final class PowerBaselines {
    private PowerBaselines() {}

    /**
     * @param sumRate          mean over test locations of the mean over their samples, bit/s/Hz
     * @param roundsPerBatch   message-passing rounds for one mini-batch of {@value Channels#SAMPLES} samples
     * @param bytesPerBatch    payload bytes sent for one mini-batch (mean over the test mini-batches)
     */
    public record Result(int iterations, double sumRate, long roundsPerBatch, double bytesPerBatch) {}

    public static Result testSumRate(ChannelSet set, int iterations) {
        int n = Channels.LINKS;
        double total = 0;
        Counters all = new Counters();
        long rounds = 0;
        double[] direct = new double[n];
        for (int l = 0; l < set.testLocations(); l++) {
            double[] h = set.test(l);
            double batch = 0;
            for (int b = 0; b < Channels.SAMPLES; b++) {
                int o = b * Channels.SIZE;
                Interference s = Interference.of(h, o);
                for (int i = 0; i < n; i++) direct[i] = h[o + i * n + i];
                Comm comm = Comm.local(Partition.whole(s.graph()));
                double[] v = Wmmse.run(comm, s, direct, iterations, null, null);
                batch += SumRate.of(h, o, v, 0);
                all.add(comm.counters());
                rounds += comm.counters().rounds();
            }
            total += batch / Channels.SAMPLES;
        }
        int t = set.testLocations();
        return new Result(iterations, total / t, rounds / t, (double) all.bytes() / t);
    }
}
