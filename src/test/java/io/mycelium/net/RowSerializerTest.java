package io.mycelium.net;

import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hot-path serializer: exact bits and sizes, and no large allocation from a bad frame. */
class RowSerializerTest {
    final RowSerializer s = new RowSerializer();
    long bytes;

    static final double[] ODD = {0.0, -0.0, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.MIN_VALUE, -Double.MAX_VALUE,
            Double.NEGATIVE_INFINITY, 1.0 / 3};

    Object roundTrip(Object o) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        s.toBinary(o, buf);
        assertThat(buf.position()).as("bytes written").isEqualTo(RowSerializer.size(o));
        buf.flip();
        Object back = s.fromBinary(buf, s.manifest(o));
        assertThat(buf.remaining()).isZero();
        byte[] viaArrays = s.toBinary(s.fromBinary(s.toBinary(o), s.manifest(o)));
        assertThat(viaArrays).as("the array path writes the same bytes").isEqualTo(s.toBinary(back));
        bytes += 2L * RowSerializer.size(o);
        return back;
    }

    static void sameBits(double[] a, double[] b) {
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) assertThat(Double.doubleToRawLongBits(b[i])).isEqualTo(Double.doubleToRawLongBits(a[i]));
    }

    @Test
    void everyMessageRoundTripsBitForBit() throws Exception {
        Wire.Halo h = (Wire.Halo) roundTrip(new Wire.Halo(-5, 3, 1L << 40, 1, 4, new int[] {7, 0}, ODD));
        assertThat(h.run()).isEqualTo(-5);
        assertThat(h.from()).isEqualTo(3);
        assertThat(h.round()).isEqualTo(1L << 40);
        assertThat(h.chunk()).isEqualTo(1);
        assertThat(h.chunks()).isEqualTo(4);
        assertThat(h.lengths()).containsExactly(7, 0);
        sameBits(ODD, h.data());
        Wire.Halo empty = (Wire.Halo) roundTrip(new Wire.Halo(1, 0, 0, 0, 1, new int[0], new double[0]));
        assertThat(empty.data()).isEmpty();
        Wire.Latest l = (Wire.Latest) roundTrip(new Wire.Latest(9, 2, 77, ODD));
        assertThat(l.version()).isEqualTo(77);
        sameBits(ODD, l.data());
        Wire.Credit c = (Wire.Credit) roundTrip(new Wire.Credit(9, 2, 78));
        assertThat(c).isEqualTo(new Wire.Credit(9, 2, 78));
        // 32 doubles: run, from, round, chunk, chunks, one length, the count and 8 bytes a double
        assertThat(RowSerializer.size(new Wire.Halo(0, 0, 0, 0, 1, new int[] {32}, new double[32]))).isEqualTo(8 + 4 + 8 + 4 + 4 + (4 + 4) + (4 + 256));
        // each roundTrip writes 4 times and reads twice; the meter counts what crossed the serializer
        long[] t = s.traffic();
        assertThat(t[0]).isEqualTo(16);
        assertThat(t[2]).isEqualTo(8);
        assertThat(t[1]).isEqualTo(2 * bytes);
        assertThat(t[3]).isEqualTo(bytes);
    }

    @Test
    void aHaloWindowTravelsAsItsSliceOnly() throws Exception {
        Wire.Halo window = new Wire.Halo(2, 1, 5, 1, 3, new int[] {7}, ODD, 2, 4);
        assertThat(RowSerializer.size(window)).isEqualTo(8 + 4 + 8 + 4 + 4 + (4 + 4) + (4 + 32));
        Wire.Halo back = (Wire.Halo) roundTrip(window);
        sameBits(java.util.Arrays.copyOfRange(ODD, 2, 6), back.data());
        assertThat(back.offset()).isZero();
        assertThat(back.length()).isEqualTo(4);
        assertThatThrownBy(() -> new Wire.Halo(2, 1, 5, 1, 3, new int[] {7}, ODD, 5, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badFramesAreRefusedWithoutAllocatingWhatTheyClaim() {
        byte[] ok = s.toBinary(new Wire.Latest(1, 2, 3, new double[] {1, 2, 3}));
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 4);
        assertThatThrownBy(() -> s.fromBinary(truncated, "L")).isInstanceOf(NotSerializableException.class).hasMessageContaining("exceeds");
        ByteBuffer huge = ByteBuffer.allocate(24 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putInt(2).putLong(3).putInt(Integer.MAX_VALUE);
        assertThatThrownBy(() -> s.fromBinary(huge.array(), "L")).isInstanceOf(NotSerializableException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> s.fromBinary(java.util.Arrays.copyOf(ok, 6), "L")).isInstanceOf(NotSerializableException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> s.fromBinary(ok, "X")).isInstanceOf(NotSerializableException.class).hasMessageContaining("unknown manifest");
    }
}
