package io.mycelium.model;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;

import java.util.Locale;

/** The element-wise σ_l of a layer. */
public enum Activation {
    SIGMOID, RELU, TANH, IDENTITY;

    public Var apply(Tape t, Var x) {
        return switch (this) {
            case SIGMOID -> t.sigmoid(x);
            case RELU -> t.relu(x);
            case TANH -> t.tanh(x);
            case IDENTITY -> x;
        };
    }

    /** Value of σ at h (for oracles and fused kernels). */
    public double at(double h) {
        return switch (this) {
            case SIGMOID -> 1 / (1 + Math.exp(-h));
            case RELU -> Math.max(h, 0);
            case TANH -> Math.tanh(h);
            case IDENTITY -> h;
        };
    }

    /** σ'(h). */
    public double derivative(double h) {
        return switch (this) {
            case SIGMOID -> {
                double s = at(h);
                yield s * (1 - s);
            }
            case RELU -> h <= 0 ? 0 : 1;          // NaN: 1, as Tape.relu lets a NaN gradient through
            case TANH -> 1 - Math.tanh(h) * Math.tanh(h);
            case IDENTITY -> 1;
        };
    }

    public static Activation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.mycelium.util.InputException("unknown activation '" + s + "'; choose sigmoid, relu, tanh or identity");
        }
    }
}
