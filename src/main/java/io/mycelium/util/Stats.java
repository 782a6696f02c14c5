package io.mycelium.util;

/** Summary statistics of a result over runs (seeds, folds). */
public final class Stats {
    private Stats() {}

    /**
     * Sample standard deviation of {@code v} about its mean {@code mean} (the n − 1 denominator; 0 for fewer
     * than two values). The caller passes the mean it reports, so both come from the same sum.
     */
    public static double sampleStd(double[] v, double mean) {
        if (v.length < 2) return 0;
        double s = 0;
        for (double x : v) s += (x - mean) * (x - mean);
        return Math.sqrt(s / (v.length - 1));
    }
}
