package io.mycelium.net;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider;

import javax.net.ssl.SSLEngine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pekko's key-store TLS provider ({@link ConfigSSLEngineProvider}: TLSv1.3, mutual authentication)
 * whose engines report a failed handshake: Artery logs nothing on the accepting side and retries
 * the connecting side forever, so without this a process whose certificate is not from this run's
 * CA (or that speaks no TLS at all) would be refused silently. The failures of an actor system are
 * in {@link #failures}: the coordinator prints them, a joining host gives up on the first.
 */
public final class TlsEngineProvider extends ConfigSSLEngineProvider {
    private final Failures failures;

    public TlsEngineProvider(ActorSystem system) {
        super(system);
        this.failures = failures(system);
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        return new ReportingSslEngine(super.createServerSSLEngine(hostname, port),
                why -> failures.add("refused a connection at the TLS handshake: " + why + hint(why)));
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        return new ReportingSslEngine(super.createClientSSLEngine(hostname, port),
                why -> failures.add("the TLS handshake with " + hostname + ":" + port + " failed: " + why + hint(why)));
    }

    private static String hint(String why) {
        return why.contains("nrecognized SSL message") ? " (the other process runs without --tls?)"
                : " (every process needs the same 'net keys' material in --tls)";
    }

    /** The handshake failures an actor system has seen, oldest first. */
    public static Failures failures(ActorSystem system) { return Failures.ID.get(system); }

    public static final class Failures implements Extension {
        static final AbstractExtensionId<Failures> ID = new AbstractExtensionId<>() {
            @Override
            public Failures createExtension(ExtendedActorSystem system) { return new Failures(); }
        };
        private final List<String> seen = new CopyOnWriteArrayList<>();

        void add(String why) { seen.add(why); }

        /** Every failure so far. */
        public List<String> all() { return List.copyOf(seen); }
    }
}
