package io.mycelium.ssl;

import io.mycelium.ssl.Traffic.Kind;

import java.util.function.BooleanSupplier;

/**
 * Row gossip for partial first-layer copies ({@link DecentralizedConfig#rowExchanges}): for every row of W it
 * holds, an online node averages the row with a uniform random other holder of that row (peer sampling per input
 * dimension). Each exchange is a request and a reply of one row and its id; a lost request changes nothing, a
 * lost reply leaves the sender's row as it was.
 */
final class RowGossip {
    private static final int ROW_PEER = 27;

    private RowGossip() {}

    /** One round: {@code exchanges} passes over every online node's held rows, in node and row order. */
    static void round(LayerCopies cp, int exchanges, long seed, int now, boolean[] online, Traffic traffic, BooleanSupplier lost) {
        int payload = cp.width + 1;
        for (int x = 0; x < exchanges; x++)
            for (int v = 0; v < cp.n; v++) {
                if (!online[v]) continue;
                for (int r = 0; r < cp.rowCount(v); r++) {
                    int k = cp.row(v, r), h = cp.holders(k);
                    if (h < 2) continue;
                    int i = Draw.below(Draw.hash(seed, ROW_PEER, v, now, (long) x * cp.in + k), h - 1);
                    if (cp.holder(k, i) >= v) i++; // skip v itself (holders ascend)
                    traffic.sent(Kind.GOSSIP, payload);
                    if (lost.getAsBoolean()) { traffic.lost[Kind.GOSSIP.ordinal()]++; continue; }
                    if (!online[cp.holder(k, i)]) { traffic.offline[Kind.GOSSIP.ordinal()]++; continue; }
                    traffic.sent(Kind.GOSSIP, payload);
                    boolean replyLost = lost.getAsBoolean();
                    if (replyLost) traffic.lost[Kind.GOSSIP.ordinal()]++;
                    cp.exchangeRow(v, r, k, i, replyLost);
                }
            }
    }
}
