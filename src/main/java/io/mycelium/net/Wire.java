package io.mycelium.net;

import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * The messages of the networked engine. {@link Hot} ones (halo rows, latest values) go through
 * {@link RowSerializer}, which writes doubles straight into Artery's buffer; {@link Control} ones are
 * records bound to Jackson CBOR. Every message carries the coordinator's run id, so leftovers of
 * another run are dropped. Java serialization is off ({@code allow-java-serialization = off}).
 */
public final class Wire {
    private Wire() {}

    /** Bound to {@link RowSerializer}. */
    public interface Hot {}

    /** Bound to Jackson CBOR. */
    public interface Control {}

    /** What a partition's actor receives. */
    public interface ToPartition {}

    /** What a host process's actor receives. */
    public interface ToHost {}

    /** What the coordinator receives. */
    public interface ToCoordinator {}

    /**
     * Chunk {@code chunk} of {@code chunks} of what partition {@code from} sends a peer in synchronous
     * round {@code round}: the transfers' rows flattened ({@code lengths[t]} doubles for transfer t),
     * and {@code data[offset, offset + length)} is the chunk's slice of them. The sender's chunks are
     * windows on one array (no copy per chunk); {@link RowSerializer} writes the window only, so a
     * received chunk has offset 0 and its own array.
     */
    public record Halo(long run, int from, long round, int chunk, int chunks, int[] lengths, double[] data, int offset, int length) implements Hot, ToPartition {
        public Halo {
            if (offset < 0 || length < 0 || offset + length > data.length)
                throw new IllegalArgumentException("halo window [" + offset + ", " + offset + " + " + length + ") outside " + data.length + " doubles");
        }

        /** A chunk that is all of {@code data}. */
        public Halo(long run, int from, long round, int chunk, int chunks, int[] lengths, double[] data) {
            this(run, from, round, chunk, chunks, lengths, data, 0, data.length);
        }
    }

    /**
     * Asynchronous mode: partition {@code from}'s rows for the receiver's halo, version
     * {@code version} (its update count); a receiver keeps the newest per sender.
     */
    public record Latest(long run, int from, long version, double[] data) implements Hot, ToPartition {}

    /** Asynchronous mode: the receiver has consumed {@code from}'s messages up to {@code version} (credit back). */
    public record Credit(long run, int from, long version) implements Hot, ToPartition {}

    // ------------------------------------------------------------------ control (Jackson CBOR)

    /** A host asks to take part: its run id and config hash must match the coordinator's. */
    public record Hello(long run, String configHash, ActorRef<ToHost> host, long pid) implements Control, ToCoordinator {}

    /** The coordinator's answer to a host: which partition it runs (-1: refused, with the reason). */
    public record Assign(long run, int partition, int partitions, String refused) implements Control, ToHost {}

    /** A host's partition actor is up. */
    public record Joined(long run, int partition, ActorRef<ToPartition> ref, String partitionHash) implements Control, ToCoordinator {}

    /**
     * Every partition's actor, in partition order: the one authority on who holds what; and, when
     * resuming, the last epoch committed for each scheme (by scheme id; absent: from scratch).
     */
    public record Roster(long run, List<ActorRef<ToPartition>> partitions, java.util.Map<String, Integer> resume) implements Control, ToHost {}

    /** A partition has written its checkpoint of {@code scheme} after {@code epoch}. */
    public record CheckpointDone(long run, int partition, String scheme, int epoch) implements Control, ToCoordinator {}

    /** Asynchronous mode: the coordinator asks every partition how it stands (no clock: a snapshot of counters). */
    public record Poll(long run, long seq) implements Control, ToHost {}

    /**
     * A partition's answer: {@code quiet} (its last steps changed no entry by more than the
     * tolerance), {@code settled} (every send confirmed, every arrival read), and its counters.
     */
    public record Status(long run, int partition, long seq, boolean quiet, boolean settled, long sent, long consumed, long steps) implements Control, ToCoordinator {}

    /** Asynchronous mode: the fixed point is reached; report the rows. */
    public record Finish(long run) implements Control, ToHost {}

    /**
     * Per-epoch telemetry from a partition: the epoch just ended, and the host process's CPU time and
     * its JIT compilers' total compilation time so far (nanoseconds; -1 where the JVM does not say).
     */
    public record Progress(long run, int partition, String scheme, int epoch, long cpuNanos, long jitNanos) implements Control, ToCoordinator {}

    /** A partition's shares of one scheme's squared errors (see {@link NetTraining.Share}). */
    /** A host's trained parameters ({@link NetTraining#flatten}), in chunks of at most {@link NetTraining#CHUNK} doubles, before its {@link SchemeDone}. */
    public record Trained(long run, int partition, String scheme, int chunk, int chunks, double[] data) implements Control, ToCoordinator {}

    public record SchemeDone(long run, int partition, String scheme, double train0, double[] test, double[] batches) implements Control, ToCoordinator {}

    /** A partition's result of asynchronous inference: its rows and how it got there. */
    public record InferDone(long run, int partition, double[] rows, long updates, long sent, long received, long dropped) implements Control, ToCoordinator {}

    /** Bytes and messages through {@link RowSerializer} in the host's process. */
    public record Traffic(long run, int partition, long pid, long sentMessages, long sentBytes, long receivedMessages, long receivedBytes) implements Control, ToCoordinator {}

    /** A partition failed. */
    public record Failed(long run, int partition, String reason) implements Control, ToCoordinator {}

    /** The run is over (or aborted, with a reason): stop. */
    public record Stop(long run, String reason) implements Control, ToHost {}
}
