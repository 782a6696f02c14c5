package io.mycelium.ssl;

/**
 * The running counters behind {@link DecentralizedSsl.Stats}: the local steps, the ages of the cached
 * inputs and of the negatives they used, and the steps that found no negative.
 */
final class StalenessCounters {
    private long steps, negativesUsed, negativeAgeSum, starvedSteps, inputAgeSum, inputAgeCount;
    private int maxNegativeAge;

    /** A step of node v on layer l at round {@code now}, and the ages of the layer-(l−1) inputs in its cache. */
    void step(NeighbourCaches cache, int v, int l, int now) {
        steps++;
        if (l > 1) // layer 0 holds the features, sent once
            for (int s = cache.base[v]; s < cache.base[v + 1]; s++) if (cache.ver[l - 1][s] > 0) { inputAgeSum += now - cache.sent[l - 1][s]; inputAgeCount++; }
    }

    /** One negative of the given age used in a step. */
    void negative(int age) {
        negativeAgeSum += age;
        maxNegativeAge = Math.max(maxNegativeAge, age);
    }

    /** A step used {@code used} negatives of the {@code wanted}. */
    void negatives(int used, int wanted) {
        negativesUsed += used;
        if (used == 0 && wanted > 0) starvedSteps++;
    }

    DecentralizedSsl.Stats stats(double meanBufferFill, double onlineFraction, double missingFeatureFraction) {
        return new DecentralizedSsl.Stats(steps, negativesUsed == 0 ? 0 : (double) negativeAgeSum / negativesUsed, maxNegativeAge,
                negativesUsed, starvedSteps, inputAgeCount == 0 ? 0 : (double) inputAgeSum / inputAgeCount, meanBufferFill, onlineFraction,
                missingFeatureFraction);
    }
}
