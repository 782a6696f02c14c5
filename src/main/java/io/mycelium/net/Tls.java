package io.mycelium.net;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Mutual TLS for Artery ({@code tls-tcp}): a key store and a trust store made by {@code net keys}
 * (one run CA; every process presents a certificate it signed and accepts only certificates it
 * signed). TLSv1.3, mutual authentication required; failed handshakes are reported on both sides
 * ({@link TlsEngineProvider}).
 */
public final class Tls {
    private Tls() {}

    public static final String KEYSTORE = "node.p12", TRUSTSTORE = "trust.p12", PASSWORD_FILE = "password";

    /** Throws {@link IllegalArgumentException} naming the first file {@code net keys} makes that {@code dir} lacks. */
    static void check(Path dir) {
        for (String f : new String[] {KEYSTORE, TRUSTSTORE, PASSWORD_FILE})
            if (!Files.isRegularFile(dir.resolve(f)))
                throw new IllegalArgumentException("--tls " + dir + ": missing " + f + " (make the directory with './mycelium net keys --out DIR')");
    }

    static Config config(Path dir) {
        check(dir);
        String pw;
        try {
            pw = Files.readString(dir.resolve(PASSWORD_FILE)).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--tls " + dir + ": cannot read " + PASSWORD_FILE + ": " + e.getMessage());
        }
        return ConfigFactory.parseString(String.format(Locale.ROOT, """
                pekko.remote.artery.ssl.ssl-engine-provider = "io.mycelium.net.TlsEngineProvider"
                pekko.remote.artery.ssl.config-ssl-engine {
                  key-store = "%s"
                  trust-store = "%s"
                  key-store-password = "%s"
                  key-password = "%s"
                  trust-store-password = "%s"
                  protocol = "TLSv1.3"
                  enabled-algorithms = [TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256]
                  require-mutual-authentication = on
                  hostname-verification = off
                }
                """, dir.resolve(KEYSTORE).toAbsolutePath(), dir.resolve(TRUSTSTORE).toAbsolutePath(), pw, pw, pw));
    }
}
