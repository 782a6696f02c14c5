package io.mycelium.train;

import io.mycelium.comm.Counters;

import java.util.ArrayList;
import java.util.List;

/**
 * Communication charged to a training run, taken from the engine's counters: rounds, node messages,
 * floats sent, and (when recorded) the per-node message width of every charged round.
 */
public record Traffic(long rounds, long messages, long floats, List<Integer> widths) {
    public static final Traffic NONE = new Traffic(0, 0, 0, List.of());

    public long bytes() { return floats * Double.BYTES; }

    /** This traffic followed by {@code o} (on the same hosts). */
    public Traffic then(Traffic o) {
        List<Integer> w = widths;
        if (!o.widths.isEmpty()) {
            w = new ArrayList<>(widths);
            w.addAll(o.widths);
        }
        return new Traffic(rounds + o.rounds, messages + o.messages, floats + o.floats, w);
    }

    /** The same rounds seen from several hosts: rounds are shared, messages and floats add up. */
    public static Traffic combine(List<Traffic> perHost) {
        long r = 0, m = 0, f = 0;
        for (Traffic t : perHost) {
            r = Math.max(r, t.rounds);
            m += t.messages;
            f += t.floats;
        }
        return new Traffic(r, m, f, perHost.getFirst().widths);
    }

    /** Measures a phase of a host's communication. */
    static final class Meter {
        private final Counters counters;
        private final boolean widths;
        private Counters start;
        private int widthStart;
        private Traffic total = NONE;

        Meter(Counters counters, boolean widths) {
            this.counters = counters;
            this.widths = widths;
        }

        void begin() {
            start = counters.snapshot();
            if (widths) widthStart = counters.widths().size();
        }

        /** Ends the phase; adds it to the total if it is charged to the scheme. */
        void end(boolean charged) {
            if (!charged) return;
            Counters d = counters.since(start);
            List<Integer> w = List.of();
            if (widths) {
                List<Integer> all = counters.widths();
                w = all.subList(widthStart, all.size());
            }
            total = total.then(new Traffic(d.rounds(), d.messages(), d.floats(), w));
        }

        Traffic total() { return total; }
    }
}
