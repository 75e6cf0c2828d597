package io.gatehouse.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every path that logs (creation, renewal, replacement, refusal) and checks no key material reached the log. */
class LogSafetyTest {

    @TempDir
    Path temp;

    @Test
    void noPrivateKeyMaterialReachesTheLog() throws Exception {
        MutableClock clock = new MutableClock();
        Path certs = temp.resolve("certs");
        List<String> keyTexts = new ArrayList<>();
        String log;
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // slf4j-simple looks System.err up for every line, so swapping it captures the log.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EdgeCertificateAuthority first = activate(certs, clock, "serverValidityDays", 2, "renewBeforeDays", 5);
            collectKeys(certs, keyTexts);
            keyTexts.add(Base64.getEncoder().encodeToString(first.serverPrivateKey().getEncoded()));
            activate(certs, clock, "serverValidityDays", 2, "renewBeforeDays", 5);
            collectKeys(certs, keyTexts);
            Files.copy(certs.resolve("edge-ca.key.pem"), certs.resolve("server.key.pem"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            activate(certs, clock);
            collectKeys(certs, keyTexts);
            Files.copy(certs.resolve("edge-ca.key.pem"), certs.resolve("edge-ca.pem"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            activate(certs, clock);
            collectKeys(certs, keyTexts);
            clock.advance(Duration.ofDays(1800));
            activate(certs, clock);
            collectKeys(certs, keyTexts);
            try {
                new EdgeCertificateAuthority(Configs.generated(temp.resolve("unused"),
                        "serverCertificateFile", certs.resolve("server.key.pem").toString(),
                        "serverKeyFile", certs.resolve("server.pem").toString(),
                        "caCertificateFile", certs.resolve("edge-ca.pem").toString()), clock, () -> { }, false);
            } catch (IllegalStateException expected) {
                // refused: a key where the certificate belongs, and the other way round
            }
        } finally {
            System.setErr(original);
        }
        log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);

        assertThat(log).as("the capture works").contains("Created the edge CA", "Issued the server certificate",
                "cannot be used", "Operator-supplied certificates refused");
        assertThat(log).doesNotContain("PRIVATE KEY-----");
        assertThat(keyTexts).hasSizeGreaterThan(10);
        for (String keyText : keyTexts) {
            assertThat(log).doesNotContain(keyText);
        }
    }

    private static EdgeCertificateAuthority activate(Path certs, MutableClock clock, Object... overrides) {
        return new EdgeCertificateAuthority(Configs.generated(certs, overrides), clock, () -> { }, false);
    }

    /** Every base64 line of every key file, long enough that a match could not be a coincidence. */
    private static void collectKeys(Path certs, List<String> keyTexts) throws Exception {
        try (var files = Files.list(certs)) {
            for (Path file : files.filter(f -> f.getFileName().toString().contains(".key.pem")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.startsWith("-----") && line.length() >= 16) {
                        keyTexts.add(line.substring(0, 16));
                    }
                }
            }
        }
    }
}
