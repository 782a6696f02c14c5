package io.mycelium.train;

import io.mycelium.tensor.Tensor;

/**
 * The host's rows of the dataset, cut once, and the targets sample-major ({@code [sample][node]}):
 * a shuffled mini-batch then reads B runs of n targets instead of n·B scattered ones.
 */
record LocalData(Dataset source, Tensor x, Tensor y, double[] ySampleMajor, double[][] targetBuffers) {
    LocalData(Dataset source, Tensor x, Tensor y) { this(source, x, y, sampleMajor(y), new double[2][]); }

    private static double[] sampleMajor(Tensor y) {
        int n = y.dim(0), s = y.dim(1);
        double[] src = y.data(), out = new double[n * s];
        for (int i = 0; i < n; i++) for (int b = 0; b < s; b++) out[b * n + i] = src[i * s + b];
        return out;
    }

    /**
     * The targets of samples {@code ids} as {@code [node][sample]}, in buffer {@code slot} (0 or 1),
     * which is reused while B stays: a fresh array every mini-batch was most of what a training
     * step allocated, and each page of it was a first touch of the heap (page faults).
     */
    double[] targets(int[] ids, int slot) {
        int n = y.dim(0), B = ids.length;
        double[] out = targetBuffers[slot];
        if (out == null || out.length != n * B) targetBuffers[slot] = out = new double[n * B];
        // eight samples at a time: each node's eight targets fill one cache line of out, where a
        // sample at a time wrote one double into each of n lines
        for (int b0 = 0; b0 < B; b0 += 8) {
            int b1 = Math.min(B, b0 + 8);
            for (int i = 0; i < n; i++)
                for (int b = b0; b < b1; b++) out[i * B + b] = ySampleMajor[ids[b] * n + i];
        }
        return out;
    }
}
