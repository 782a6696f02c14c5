package io.mycelium.net;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A partition's ingress: takes halo chunks, newest values and credits off the network and hands
 * them to the partition's {@link Inbox}, which its compute thread reads. The actor never blocks; the
 * compute thread (which blocks in {@code Comm.deliver}) sends to peers' actors directly.
 */
final class PartitionActor {
    private PartitionActor() {}

    /** Starts the actor of {@code inbox}'s partition in {@code system}, as {@code part-<run>-<index>}. */
    static ActorRef<Wire.ToPartition> spawn(ActorSystem<?> system, Inbox inbox) {
        return system.systemActorOf(create(inbox), name(inbox.run(), inbox.partition().index()), Props.empty());
    }

    /** The actor's name (under {@code /system}). */
    static String name(long run, int partition) { return "part-" + run + "-" + partition; }

    static Behavior<Wire.ToPartition> create(Inbox inbox) {
        return Behaviors.receive(Wire.ToPartition.class)
                .onMessage(Wire.Halo.class, h -> {
                    inbox.put(h);
                    return Behaviors.same();
                })
                .onMessage(Wire.Latest.class, l -> {
                    inbox.offer(l);
                    return Behaviors.same();
                })
                .onMessage(Wire.Credit.class, c -> {
                    inbox.credit(c);
                    return Behaviors.same();
                })
                .build();
    }
}
