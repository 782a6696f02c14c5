package io.mycelium.wireless;

/**
 * The authors' training and test channels, regenerated from numpy's {@code RandomState(seed)} stream
 * (wireless spec B.3): training locations 0 … R−1 and test locations {@code testOffset} …
 * {@code testOffset + T − 1} (the authors: R = 10,000, offset 10,000, T = 100). Training batches are
 * not stored: the stream state at the start of each training location is kept (2.5 KB each) and a
 * batch is redrawn on demand, bit for bit the same every time. The test set is held in memory.
 */
public final class ChannelSet {
    private final LegacyNumpyRandom[] starts;
    private final double[][] test;
    private final LegacyNumpyRandom rng;
    private final double[] pathLoss = new double[Channels.SIZE];
    private final long seed;
    private final int testOffset;

    /**
     * @param trainLocations R, the training mini-batches of one epoch
     * @param testOffset     index of the first test location in the stream (≥ R)
     * @param testLocations  T
     * @param progress       called once per location drawn or skipped (for a progress bar), may be null
     */
    public ChannelSet(long seed, int trainLocations, int testOffset, int testLocations, Runnable progress) {
        if (trainLocations < 1 || testLocations < 1) throw new IllegalArgumentException("need at least one training and one test location");
        if (testOffset < trainLocations) throw new IllegalArgumentException("test locations must come after the training locations");
        this.seed = seed;
        this.testOffset = testOffset;
        rng = new LegacyNumpyRandom(seed);
        starts = new LegacyNumpyRandom[trainLocations];
        for (int l = 0; l < testOffset; l++) {
            if (l < trainLocations) starts[l] = rng.copy();
            Channels.skipLocation(rng);
            if (progress != null) progress.run();
        }
        test = new double[testLocations][Channels.SAMPLES * Channels.SIZE];
        for (double[] t : test) {
            Channels.location(rng, t, pathLoss);
            if (progress != null) progress.run();
        }
    }

    /** The authors' sets: 10,000 training locations, then 100 test locations. */
    public static ChannelSet authors(int trainLocations, Runnable progress) {
        return new ChannelSet(0, trainLocations, 10_000, 100, progress);
    }

    public int trainLocations() { return starts.length; }

    public int testLocations() { return test.length; }

    public long seed() { return seed; }

    public int testOffset() { return testOffset; }

    /** Redraws training location {@code l} into {@code h} (not thread-safe: one caller at a time). */
    public void train(int l, double[] h) {
        rng.restore(starts[l]);
        Channels.location(rng, h, pathLoss);
    }

    /** Test location {@code l}: {@code SAMPLES · SIZE} amplitudes, shared, not to be written. */
    public double[] test(int l) { return test[l]; }
}
