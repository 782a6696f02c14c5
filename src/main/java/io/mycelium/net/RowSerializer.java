package io.mycelium.net;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hot path's serializer: {@link Wire.Halo}, {@link Wire.Latest} and {@link Wire.Credit} as a few
 * fixed fields and the rows' raw IEEE-754 bits, copied in bulk straight into Artery's (little-endian,
 * pooled, direct) buffer. 8 bytes per double plus 40 bytes of header for a one-transfer halo chunk; NaN payloads
 * and −0.0 survive. Every length is checked against what is left in the buffer before anything is
 * allocated, so a corrupt or hostile frame cannot make it allocate more than the frame holds.
 *
 * <p>It also meters the process's traffic where it meets the wire: messages and bytes written and
 * read (one instance per actor system; {@link #of}).
 */
public final class RowSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
    /** Outside Pekko's reserved 0–40. */
    public static final int ID = 7301;
    private static final String HALO = "H", LATEST = "L", CREDIT = "C";

    private final LongAdder sentMessages = new LongAdder(), sentBytes = new LongAdder();
    private final LongAdder receivedMessages = new LongAdder(), receivedBytes = new LongAdder();

    public RowSerializer(ExtendedActorSystem system) {}

    public RowSerializer() {}

    /** The instance serving {@code system}. */
    public static RowSerializer of(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        try {
            return (RowSerializer) SerializationExtension.get(system.classicSystem()).serializerFor(Wire.Halo.class);
        } catch (NotSerializableException e) {
            throw new IllegalStateException("the actor system does not bind Wire.Hot to RowSerializer", e);
        }
    }

    /** {sent messages, sent bytes, received messages, received bytes} so far. */
    public long[] traffic() { return new long[] {sentMessages.sum(), sentBytes.sum(), receivedMessages.sum(), receivedBytes.sum()}; }

    @Override
    public int identifier() { return ID; }

    @Override
    public String manifest(Object o) {
        return switch (o) {
            case Wire.Halo h -> HALO;
            case Wire.Latest l -> LATEST;
            case Wire.Credit c -> CREDIT;
            default -> throw new IllegalArgumentException("RowSerializer cannot write " + o.getClass().getName());
        };
    }

    /** Bytes {@code o} takes on the wire (without Artery's envelope). */
    public static int size(Object o) {
        return switch (o) {
            case Wire.Halo h -> 8 + 4 + 8 + 4 + 4 + 4 + 4 * h.lengths().length + 4 + 8 * h.length();
            case Wire.Latest l -> 8 + 4 + 8 + 4 + 8 * l.data().length;
            case Wire.Credit c -> 8 + 4 + 8;
            default -> throw new IllegalArgumentException("RowSerializer cannot write " + o.getClass().getName());
        };
    }

    @Override
    public void toBinary(Object o, ByteBuffer buf) {
        int start = buf.position();
        switch (o) {
            case Wire.Halo h -> {
                NetTrace.mark(NetTrace.SER0, h.from(), h.round(), h.chunk());
                buf.putLong(h.run()).putInt(h.from()).putLong(h.round()).putInt(h.chunk()).putInt(h.chunks());
                buf.putInt(h.lengths().length);
                for (int l : h.lengths()) buf.putInt(l);
                putDoubles(buf, h.data(), h.offset(), h.length());
                NetTrace.mark(NetTrace.SER1, h.from(), h.round(), h.chunk());
            }
            case Wire.Latest l -> {
                buf.putLong(l.run()).putInt(l.from()).putLong(l.version());
                putDoubles(buf, l.data(), 0, l.data().length);
            }
            case Wire.Credit c -> buf.putLong(c.run()).putInt(c.from()).putLong(c.version());
            default -> throw new IllegalArgumentException("RowSerializer cannot write " + o.getClass().getName());
        }
        sentMessages.increment();
        sentBytes.add(buf.position() - start);
    }

    @Override
    public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
        int start = buf.position();
        long t0 = NetTrace.ON ? System.nanoTime() : 0;
        Object o;
        try {
            o = switch (manifest) {
                case HALO -> {
                    long run = buf.getLong();
                    int from = buf.getInt();
                    long round = buf.getLong();
                    int chunk = buf.getInt(), chunks = buf.getInt();
                    int[] lengths = new int[count(buf, buf.getInt(), 4)];
                    for (int t = 0; t < lengths.length; t++) lengths[t] = buf.getInt();
                    Wire.Halo h = new Wire.Halo(run, from, round, chunk, chunks, lengths, getDoubles(buf));
                    NetTrace.mark(NetTrace.DESER0, from, round, chunk, t0);
                    NetTrace.mark(NetTrace.DESER1, from, round, chunk);
                    yield h;
                }
                case LATEST -> {
                    long run = buf.getLong();
                    int from = buf.getInt();
                    long version = buf.getLong();
                    yield new Wire.Latest(run, from, version, getDoubles(buf));
                }
                case CREDIT -> new Wire.Credit(buf.getLong(), buf.getInt(), buf.getLong());
                default -> throw new NotSerializableException("RowSerializer: unknown manifest '" + manifest + "'");
            };
        } catch (BufferUnderflowException e) {
            throw new NotSerializableException("RowSerializer: truncated '" + manifest + "' message");
        }
        receivedMessages.increment();
        receivedBytes.add(buf.position() - start);
        return o;
    }

    private static void putDoubles(ByteBuffer buf, double[] d, int offset, int length) {
        buf.putInt(length);
        buf.asDoubleBuffer().put(d, offset, length); // bulk copy; the view shares the buffer's byte order
        buf.position(buf.position() + 8 * length);
    }

    private static double[] getDoubles(ByteBuffer buf) throws NotSerializableException {
        double[] d = new double[count(buf, buf.getInt(), 8)];
        buf.asDoubleBuffer().get(d);
        buf.position(buf.position() + 8 * d.length);
        return d;
    }

    /** A length read from the wire, if the buffer really holds that many items of {@code bytes} each. */
    private static int count(ByteBuffer buf, int n, int bytes) throws NotSerializableException {
        if (n < 0 || (long) n * bytes > buf.remaining())
            throw new NotSerializableException("RowSerializer: length " + n + " exceeds the " + buf.remaining() + " bytes left in the frame");
        return n;
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteBuffer buf = ByteBuffer.allocate(size(o)).order(ByteOrder.LITTLE_ENDIAN);
        toBinary(o, buf);
        return buf.array();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return fromBinary(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), manifest);
    }
}
