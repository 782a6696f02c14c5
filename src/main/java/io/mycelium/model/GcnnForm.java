package io.mycelium.model;

import io.mycelium.graph.Operator;

import java.util.Arrays;

/**
 * The arithmetic of a graph convolutional network in the form eq. (9) gives it, layer by layer
 * {@code X^{l+1} = σ_l(X^l Θ0^l + S X^l Θ1^l)}: the shift operator S, the widths g_0 .. g_L, one
 * activation per layer and the names of each layer's Θ0 and Θ1 in the model's parameters. A model
 * that computes exactly this exposes it through {@link FusedGcnnTraining}, and the trainer runs its
 * fused training pass from the form without knowing the model's class.
 */
public record GcnnForm(Operator shift, int[] widths, Activation[] activations, String[] theta0, String[] theta1) {
    public GcnnForm {
        int L = widths.length - 1;
        if (L < 1) throw new IllegalArgumentException("a GCNN needs at least one layer (two widths)");
        if (activations.length != L || theta0.length != L || theta1.length != L)
            throw new IllegalArgumentException("one activation and two parameter names per layer: " + L + " layers");
        for (int w : widths) if (w <= 0) throw new IllegalArgumentException("layer widths must be positive: " + Arrays.toString(widths));
        widths = widths.clone();
        activations = activations.clone();
        theta0 = theta0.clone();
        theta1 = theta1.clone();
    }

    public int layers() { return widths.length - 1; }

    public int width(int l) { return widths[l]; }

    public Activation activation(int l) { return activations[l]; }

    /** The widest layer, input and output included. */
    public int maxWidth() { return Arrays.stream(widths).max().orElseThrow(); }

    /** Multiply-adds of one sample's forward pass on one node, both products of every layer (edges not counted). */
    public long forwardFmasPerNode() {
        long c = 0;
        for (int l = 0; l < layers(); l++) c += 2L * widths[l] * widths[l + 1];
        return c;
    }
}
