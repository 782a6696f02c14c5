package io.mycelium.net;

/** The networked run cannot go on: a peer is lost, or the run was stopped. */
public final class NetFailure extends RuntimeException {
    public NetFailure(String message) { super(message); }
}
