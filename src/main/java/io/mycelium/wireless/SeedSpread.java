package io.mycelium.wireless;

import io.mycelium.util.Stats;

import java.util.Arrays;

/**
 * How one result spreads over independent runs (seeds): mean, sample standard deviation, median,
 * range, and how many runs reach a target. Reported beside a single run's figure when single runs
 * vary more than the gap being measured.
 */
public record SeedSpread(double[] values, double mean, double sd, double median, double min, double max, int atOrAbove, double target) {
    public static SeedSpread of(double[] values, double target) {
        int n = values.length;
        if (n == 0) throw new IllegalArgumentException("no values");
        double[] v = values.clone(), sorted = values.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(v).sum() / n;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int at = (int) Arrays.stream(v).filter(x -> x >= target).count();
        return new SeedSpread(v, mean, Stats.sampleStd(v, mean), median, sorted[0], sorted[n - 1], at, target);
    }
}
