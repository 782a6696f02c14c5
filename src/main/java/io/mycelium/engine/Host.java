package io.mycelium.engine;

import io.mycelium.tensor.Params;
import io.mycelium.autodiff.Tape;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Partition;
import io.mycelium.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * What runs one partition: its nodes' parameter copies and state, its link to the network, and a
 * tape to record programs on. A host holding one node is a device; a host holding every node is
 * the synchronous simulator.
 */
public final class Host {
    private final Partition partition;
    private final Comm comm;
    private Params params;
    private final Map<String, Object> state = new HashMap<>();
    private Tape tape;

    Host(Partition partition, Comm comm, Params params) {
        this.partition = partition;
        this.comm = comm;
        this.params = params;
    }

    public Partition partition() { return partition; }

    public Comm comm() { return comm; }

    /** This host's parameter copies (rows = its nodes, or the tied copy). */
    public Params params() { return params; }

    void setParams(Params p) {
        this.params = p;
        this.tape = null;
    }

    /** Persistent per-host state across program runs (optimizer moments, caches). */
    public Map<String, Object> state() { return state; }

    /** The host's tape, reset for a new recording (its buffers are reused). */
    public Tape tape() {
        if (tape == null) tape = new Tape(comm, params);
        else tape.reset();
        return tape;
    }

    /** A fresh tape that does not disturb {@link #tape()} (e.g. for a second sample in flight). */
    public Tape newTape() { return new Tape(comm, params); }

    /** This host's rows of a global node tensor. */
    public Tensor rows(Tensor global) { return partition.rows(global); }

    /** This host's rows of a global per-edge tensor. */
    public Tensor edgeRows(Tensor global) { return partition.edgeRows(global); }
}
