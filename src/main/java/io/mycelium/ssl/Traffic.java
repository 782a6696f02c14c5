package io.mycelium.ssl;

/**
 * Messages and bytes by kind. A message costs {@link #HEADER_BYTES} (sender, layer, version, degree or
 * age as ints) plus 8 bytes per double of payload. "Sent" counts every message a node put on the
 * wire; lost ones (message loss) and ones that met an offline receiver are counted again separately.
 */
public final class Traffic {
    public static final int HEADER_BYTES = 16;

    public enum Kind {
        EMBEDDING, NEGATIVE, GOSSIP,
        /** Batch moments of the decorrelation loss, averaged pairwise (a request and a reply per exchange). */
        MOMENTS
    }

    private static final int KINDS = Kind.values().length;

    final long[] messages = new long[KINDS], bytes = new long[KINDS], lost = new long[KINDS], offline = new long[KINDS];

    void sent(Kind k, long payloadDoubles) {
        messages[k.ordinal()]++;
        bytes[k.ordinal()] += HEADER_BYTES + 8 * payloadDoubles;
    }

    public long messages(Kind k) { return messages[k.ordinal()]; }

    public long bytes(Kind k) { return bytes[k.ordinal()]; }

    public long lost(Kind k) { return lost[k.ordinal()]; }

    public long droppedOffline(Kind k) { return offline[k.ordinal()]; }

    public long totalBytes() { return java.util.Arrays.stream(bytes).sum(); }

    public long totalMessages() { return java.util.Arrays.stream(messages).sum(); }
}
