package io.mycelium.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Makes the TLS material of {@link Tls}: a run CA (EC P-256) and one node certificate it signs
 * (client and server use), both made by the JDK's {@code keytool} in {@code ca/ca.p12}; then, with
 * the JDK's {@link KeyStore}, {@code node.p12} holding the node's key with its chain (not the CA's
 * key) and {@code trust.p12} holding only the CA's certificate; and a random password (mode 600).
 */
public final class TlsKeys {
    private TlsKeys() {}

    public static void make(Path dir, int days) throws IOException, InterruptedException {
        Path ca = Files.createDirectories(dir.resolve("ca"));
        byte[] raw = new byte[18];
        new SecureRandom().nextBytes(raw);
        String pw = HexFormat.of().formatHex(raw);
        Path pwFile = dir.resolve(Tls.PASSWORD_FILE);
        Files.writeString(pwFile, pw + "\n");
        try {
            Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        String v = Integer.toString(days), caStore = ca.resolve("ca.p12").toString();
        keytool(pw, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mycelium-run-ca", "-ext", "bc:c",
                "-validity", v, "-keystore", caStore, "-storetype", "PKCS12");
        keytool(pw, "-genkeypair", "-alias", "node", "-signer", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mycelium-node",
                "-validity", v, "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth", "-keystore", caStore, "-storetype", "PKCS12");
        try {
            char[] p = pw.toCharArray();
            KeyStore all = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ca.resolve("ca.p12"))) {
                all.load(in, p);
            }
            KeyStore node = empty(), trust = empty();
            Key key = all.getKey("node", p);
            node.setKeyEntry("node", key, p, all.getCertificateChain("node"));
            trust.setCertificateEntry("ca", all.getCertificate("ca"));
            store(node, dir.resolve(Tls.KEYSTORE), p);
            store(trust, dir.resolve(Tls.TRUSTSTORE), p);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the key stores: " + e.getMessage(), e);
        }
    }

    private static KeyStore empty() throws GeneralSecurityException, IOException {
        KeyStore k = KeyStore.getInstance("PKCS12");
        k.load(null, null);
        return k;
    }

    private static void store(KeyStore k, Path file, char[] pw) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            k.store(out, pw);
        }
    }

    /** A short-lived keytool JVM: the C1 compiler and the serial collector start it in half the CPU time. */
    private static void keytool(String pw, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", pw, "-keypass", pw));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("keytool " + args[0] + " failed: " + out.strip());
    }
}
