package io.mycelium.comm;

/** How a transfer is charged to the counters. */
public enum Accounting {
    /** Every sending node transmits one message that all its neighbours receive (one omnidirectional send). */
    BROADCAST,
    /** Every sending node transmits a separate message along each of its edges. */
    UNICAST
}
