package io.mycelium.ssl;

import java.util.Arrays;

/**
 * The messages in flight, by the round they arrive in. Delays are below {@code rounds} rounds, so one
 * bucket per arrival round modulo {@code rounds} suffices; a bucket holds fixed-size int records
 * (type, from, to, layer, version, send round) and grows when a round receives more than it holds.
 */
final class RoundQueue {
    /** Ints per record: type, from, to, layer, version, send round. */
    static final int RECORD = 6;
    private final int[][] bucket;
    private final int[] length;

    RoundQueue(int rounds) {
        bucket = new int[rounds][64 * RECORD];
        length = new int[rounds];
    }

    /** Queues a message that arrives in round {@code arrival}. */
    void add(int arrival, int type, int from, int to, int l, int ver, int sentAt) {
        int b = arrival % bucket.length;
        if (length[b] + RECORD > bucket[b].length) bucket[b] = Arrays.copyOf(bucket[b], bucket[b].length * 2);
        int[] q = bucket[b];
        int k = length[b];
        q[k] = type; q[k + 1] = from; q[k + 2] = to; q[k + 3] = l; q[k + 4] = ver; q[k + 5] = sentAt;
        length[b] += RECORD;
    }

    /** The records arriving in round r, {@link #RECORD} ints each, valid up to {@link #length}. */
    int[] records(int r) { return bucket[r % bucket.length]; }

    /** The number of ints in use in {@link #records}(r). */
    int length(int r) { return length[r % bucket.length]; }

    /** Empties round r's bucket once its messages are delivered. */
    void clear(int r) { length[r % bucket.length] = 0; }
}
