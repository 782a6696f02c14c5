package io.mycelium.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Makes the TLS material of {@link Tls} with the JDK's {@code keytool}: a run CA (EC P-256), one
 * node certificate it signs (client and server use), {@code node.p12} holding that key with its
 * chain, {@code trust.p12} holding only the CA, and a random password (file mode 600).
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
        String v = Integer.toString(days);
        String caStore = ca.resolve("ca.p12").toString(), node = dir.resolve(Tls.KEYSTORE).toString(), trust = dir.resolve(Tls.TRUSTSTORE).toString();
        String csr = ca.resolve("node.csr").toString(), crt = ca.resolve("node.crt").toString(), caCrt = ca.resolve("ca.crt").toString();
        keytool(pw, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mycelium-run-ca", "-ext", "bc:c",
                "-validity", v, "-keystore", caStore, "-storetype", "PKCS12");
        keytool(pw, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=mycelium-node", "-validity", v,
                "-keystore", node, "-storetype", "PKCS12");
        keytool(pw, "-certreq", "-alias", "node", "-keystore", node, "-file", csr);
        keytool(pw, "-gencert", "-alias", "ca", "-keystore", caStore, "-infile", csr, "-outfile", crt, "-validity", v,
                "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth");
        keytool(pw, "-exportcert", "-alias", "ca", "-keystore", caStore, "-file", caCrt);
        keytool(pw, "-importcert", "-alias", "ca", "-file", caCrt, "-keystore", node, "-noprompt");
        keytool(pw, "-importcert", "-alias", "node", "-file", crt, "-keystore", node);
        keytool(pw, "-importcert", "-alias", "ca", "-file", caCrt, "-keystore", trust, "-storetype", "PKCS12", "-noprompt");
    }

    private static void keytool(String pw, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storepass", pw));
        if (List.of(args).contains("-genkeypair")) cmd.addAll(List.of("-keypass", pw));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("keytool " + args[0] + " failed: " + out.strip());
    }
}
