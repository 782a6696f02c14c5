package io.mycelium.tensor;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Where a {@code double[]}'s elements start on a 64-byte boundary, so that 512-bit vector loads
 * of whole rows do not straddle two cache lines.
 *
 * <p>Java places arrays wherever the allocator and the collector put them, 8-byte aligned, and a
 * straddling 64-byte load costs two cache accesses (a streaming multiply-add kernel took a quarter
 * less time aligned than one to seven doubles off). The kernels' rows are a whole number of
 * vectors long, so all of a buffer's rows share its start's alignment, whatever it happens to be.
 * The launcher therefore starts the JVM with
 * {@code -XX:ObjectAlignmentInBytes=64}: every object then starts on a 64-byte boundary (and keeps
 * that alignment when the collector moves it), its elements a fixed header's length later. Buffers
 * that hot kernels stream through leave {@link #DOUBLES} doubles unused at their start, and
 * element 0 of their data is element {@code DOUBLES} of the array.
 *
 * <p>On a JVM started without that option nothing is known about an array's address and
 * {@code DOUBLES} is 0: the same code, unaligned as before.
 */
public final class Aligned {
    private Aligned() {}

    /** Doubles from the start of a double[] to its first element on a 64-byte boundary, or 0 when unknown. */
    public static final int DOUBLES = offset();

    /** The element a kernel should treat as index 0 of a buffer of this class's layout. */
    private static int offset() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            int objectAlignment = Integer.parseInt(vm.getVMOption("ObjectAlignmentInBytes").getValue());
            if (objectAlignment < 64 || objectAlignment % 64 != 0) return 0;
            int base = Class.forName("sun.misc.Unsafe").getField("ARRAY_DOUBLE_BASE_OFFSET").getInt(null);
            return base % 8 != 0 ? 0 : (64 - base % 64) % 64 / 8;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return 0;           // not HotSpot, or no such option: leave alignment to chance
        }
    }

    /** A new buffer of {@code length} doubles, element 0 at index {@link #DOUBLES}. */
    public static double[] doubles(int length) { return new double[length + DOUBLES]; }

    /** The first index at or after {@code index} of an array allocated by the JVM that sits on a 64-byte boundary ({@code index} itself when unknown). */
    public static int next(int index) {
        if (DOUBLES == 0) return index;
        int r = Math.floorMod(index - DOUBLES, 8);
        return r == 0 ? index : index + 8 - r;
    }
}
