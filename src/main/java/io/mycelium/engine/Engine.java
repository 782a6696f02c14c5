package io.mycelium.engine;

import io.mycelium.tensor.Params;
import io.mycelium.comm.Comm;
import io.mycelium.comm.Counters;
import io.mycelium.comm.InMemoryTransport;
import io.mycelium.comm.Partition;
import io.mycelium.graph.Graph;
import io.mycelium.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs one node program on every partition of a graph. The program is the same on every engine;
 * only the partitioning and the transport differ:
 * <ul>
 *   <li>{@link #synchronous}: one host holds every node; exchanges are sparse gathers, kernels run
 *       in parallel over rows. The fast, deterministic reference.</li>
 *   <li>{@link #perNode}: one host per node, each on its own virtual thread, holding only its own
 *       data and parameter copy; every neighbour value arrives as a message.</li>
 *   <li>{@link #partitioned}: any grouping of nodes into hosts, the shape of a multi-machine deployment.</li>
 * </ul>
 */
public final class Engine {
    private final Graph graph;
    private final List<Host> hosts;
    private final Params global; // the synchronous engine's hosts share it; others copy rows in and out
    private final boolean whole;  // one host holding every node

    private Engine(Graph graph, List<Partition> parts, List<Comm> comms, Params params) {
        this.graph = graph;
        this.global = params;
        this.hosts = new ArrayList<>(parts.size());
        this.whole = parts.size() == 1 && parts.getFirst().isWhole();
        if (!whole && params.isTied() && !params.names().isEmpty())
            throw new IllegalArgumentException("hosts of several partitions need per-node parameter copies (Params.perNode)");
        checkCopies(params, graph);
        for (int p = 0; p < parts.size(); p++) hosts.add(new Host(parts.get(p), comms.get(p), slice(params, parts.get(p))));
    }

    /** A partition's parameters: the global ones for the whole graph (its host shares them), else its rows. */
    private static Params slice(Params params, Partition part) { return part.isWhole() ? params : params.slice(part.nodes()); }

    private static void checkCopies(Params params, Graph g) {
        if (!params.isTied() && params.copies() != g.n())
            throw new IllegalArgumentException("parameters have " + params.copies() + " copies for " + g.n() + " nodes");
    }

    /** Every node in one host: the synchronous, in-process engine. */
    public static Engine synchronous(Graph g, Params params) {
        Partition whole = Partition.whole(g);
        return new Engine(g, List.of(whole), List.of(Comm.local(whole)), params);
    }

    /** One host per node, messages through an in-memory transport. */
    public static Engine perNode(Graph g, Params params) {
        int[] partOf = new int[g.n()];
        for (int i = 0; i < partOf.length; i++) partOf[i] = i;
        return partitioned(g, partOf, params);
    }

    /** Hosts given by {@code partOf[node]}. */
    public static Engine partitioned(Graph g, int[] partOf, Params params) {
        List<Partition> parts = Partition.split(g, partOf);
        if (parts.size() == 1) return synchronous(g, params);
        InMemoryTransport t = new InMemoryTransport(parts);
        List<Comm> comms = parts.stream().map(t::comm).toList();
        return new Engine(g, parts, comms, params);
    }

    /**
     * Hosts for some partitions of {@code g}, linked by another transport's {@code comms} (e.g. the
     * networked one, whose other partitions run in other processes). {@link #run} then runs the
     * program on these hosts only, and {@link #params()} holds their rows.
     */
    public static Engine hosting(Graph g, List<Partition> parts, List<Comm> comms, Params params) {
        if (parts.isEmpty() || parts.size() != comms.size()) throw new IllegalArgumentException("need one comm per partition, and at least one partition");
        for (int p = 0; p < parts.size(); p++)
            if (comms.get(p).partition() != parts.get(p)) throw new IllegalArgumentException("comm " + p + " belongs to another partition");
        return new Engine(g, parts, comms, params);
    }

    public Graph graph() { return graph; }

    public List<Host> hosts() { return hosts; }

    public boolean isSynchronous() { return whole; }

    /**
     * Runs the program on every host and returns the results in host order. With several hosts
     * each runs on its own virtual thread; if one fails the others are interrupted and the first
     * failure is rethrown.
     */
    public <R> List<R> run(Function<Host, R> program) {
        if (hosts.size() == 1) return java.util.Collections.singletonList(program.apply(hosts.getFirst()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> fs = new ArrayList<>(hosts.size());
            for (Host h : hosts) {
                if (failure.get() != null) break; // an early failure has already shut the executor down
                try {
                    fs.add(ex.submit(() -> {
                        try {
                            return program.apply(h);
                        } catch (Throwable t) {
                            // A failed host never sends again: wake the hosts waiting for its messages.
                            if (failure.compareAndSet(null, t)) ex.shutdownNow();
                            throw t;
                        }
                    }));
                } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                    break;
                }
            }
            List<R> out = new ArrayList<>(hosts.size());
            for (Future<R> f : fs) {
                try {
                    out.add(f.get());
                } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                    break;
                } catch (InterruptedException e) {
                    ex.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            if (t != null) throw new IllegalStateException(t);
            return out;
        }
    }

    /** Assembles per-host node tensors (as returned by {@link #run}) into one global tensor. */
    public Tensor gather(List<Tensor> perHost) {
        if (whole) return perHost.getFirst();
        int[] s = perHost.getFirst().shape();
        s[0] = graph.n();
        Tensor out = Tensor.zeros(s);
        for (int p = 0; p < hosts.size(); p++) perHost.get(p).scatterRowsInto(out, hosts.get(p).partition().nodes());
        return out;
    }

    /** Current parameters of all hosts as global tensors (the live object on the synchronous engine). */
    public Params params() {
        if (!whole) for (Host h : hosts) global.writeBack(h.partition().nodes(), h.params());
        return global;
    }

    /** Replaces every host's parameters with rows of {@code p}. */
    public void load(Params p) {
        checkCopies(p, graph);
        if (whole) {
            hosts.getFirst().setParams(p);
            return;
        }
        for (Host h : hosts) h.setParams(slice(p, h.partition()));
    }

    /** Communication of all hosts combined. */
    public Counters counters() {
        Counters c = new Counters();
        for (Host h : hosts) c.add(h.comm().counters());
        return c;
    }

    public void resetCounters() { for (Host h : hosts) h.comm().counters().reset(); }
}
