package io.mycelium.util;

/** Argument checks for library entry points; each message names the argument and the value given. */
public final class Checks {
    private Checks() {}

    /** A step size or other rate: positive and finite. */
    public static double positive(String name, double v) {
        if (!(v > 0) || v == Double.POSITIVE_INFINITY) throw new IllegalArgumentException(name + " must be positive and finite, got " + v);
        return v;
    }

    /** A moment decay rate β ∈ [0, 1). */
    public static double decay(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
        return v;
    }

    /** A count or size of at least {@code min}. */
    public static int atLeast(String name, int v, int min) {
        if (v < min) throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
        return v;
    }

    /** Every value finite; {@code what} names the array in the message. */
    public static void finite(String what, double[] values) {
        for (int i = 0; i < values.length; i++)
            if (!Double.isFinite(values[i])) throw new IllegalArgumentException(what + " holds " + values[i] + " at index " + i + "; every value must be finite");
    }
}
