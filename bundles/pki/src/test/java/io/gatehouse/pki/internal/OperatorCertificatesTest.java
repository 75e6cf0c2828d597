package io.gatehouse.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorCertificatesTest {

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger reactivations = new AtomicInteger();
    private final CertificateIssuer issuer = new CertificateIssuer();
    private CertificateIssuer.Issued ca;
    private CertificateIssuer.Issued server;
    private Path serverFile;
    private Path keyFile;
    private Path caFile;

    @BeforeEach
    void operatorSet() throws Exception {
        Instant now = clock.instant();
        ca = issuer.edgeCa("Plant Root CA", now, now.plus(Duration.ofDays(3650)));
        server = issuer.server(HostNames.of("gateway.test", null), ca, now, now.plus(Duration.ofDays(365)));
        serverFile = temp.resolve("operator/server-chain.pem");
        keyFile = temp.resolve("operator/server-key.pem");
        caFile = temp.resolve("operator/root-ca.pem");
        Files.createDirectories(serverFile.getParent());
        PemFiles.writeCertificates(serverFile, List.of(server.certificate()));
        PemFiles.writePrivateKey(keyFile, server.keys().getPrivate());
        PemFiles.writeCertificates(caFile, List.of(ca.certificate()));
    }

    private EdgeCertificateAuthority activate(Object... overrides) {
        Object[] all = new Object[overrides.length + 8];
        System.arraycopy(new Object[] {"gatewayHostName", "gateway.test", "serverCertificateFile", serverFile.toString(),
                "serverKeyFile", keyFile.toString(), "caCertificateFile", caFile.toString()}, 0, all, 0, 8);
        System.arraycopy(overrides, 0, all, 8, overrides.length);
        return new EdgeCertificateAuthority(Configs.generated(temp.resolve("certs"), all), clock,
                reactivations::incrementAndGet, false);
    }

    @Test
    void aValidOperatorSetIsUsedAsItIs() throws Exception {
        EdgeCertificateAuthority authority = activate();

        assertThat(authority.serverCertificateChain()).containsExactly(server.certificate(), ca.certificate());
        assertThat(authority.serverPrivateKey()).isEqualTo(server.keys().getPrivate());
        assertThat(authority.caCertificateFile()).isEqualTo(caFile.toAbsolutePath());
        assertThat(TlsHandshake.connect(authority, "gateway.test")).isEqualTo(42);
        assertThat(temp.resolve("certs")).as("nothing generated").doesNotExist();
    }

    @Test
    void aChainFileThatAlreadyEndsWithTheCaIsPresentedOnce() throws Exception {
        PemFiles.writeCertificates(serverFile, List.of(server.certificate(), ca.certificate()));

        EdgeCertificateAuthority authority = activate();

        assertThat(authority.serverCertificateChain()).containsExactly(server.certificate(), ca.certificate());
        assertThat(TlsHandshake.connect(authority, "gateway.test")).isEqualTo(42);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() throws Exception {
        PemFiles.writePrivateKey(keyFile, ca.keys().getPrivate());

        assertThatThrownBy(this::activate)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keyFile.toAbsolutePath() + " does not hold the private key of the certificate")
                .hasMessageContaining(serverFile.toAbsolutePath().toString());
        assertThat(temp.resolve("certs")).as("no fallback to generated certificates").doesNotExist();
    }

    @Test
    void anExpiredServerCertificateIsRefusedWithItsDate() throws Exception {
        Instant now = clock.instant();
        CertificateIssuer.Issued expired = issuer.server(HostNames.of("gateway.test", null), ca,
                now.minus(Duration.ofDays(100)), now.minus(Duration.ofDays(10)));
        PemFiles.writeCertificates(serverFile, List.of(expired.certificate()));
        PemFiles.writePrivateKey(keyFile, expired.keys().getPrivate());

        assertThatThrownBy(this::activate)
                .hasMessageContaining(serverFile.toAbsolutePath() + " holds the certificate 'CN=gateway.test'")
                .hasMessageContaining("which expired on " + Certificates.notAfter(expired.certificate()));
        assertThat(temp.resolve("certs")).doesNotExist();
    }

    @Test
    void aCertificateNotIssuedByTheGivenCaIsRefused() throws Exception {
        Instant now = clock.instant();
        CertificateIssuer.Issued otherCa = issuer.edgeCa("Other CA", now, now.plus(Duration.ofDays(100)));
        PemFiles.writeCertificates(caFile, List.of(otherCa.certificate()));

        assertThatThrownBy(this::activate)
                .hasMessageContaining(serverFile.toAbsolutePath() + " does not verify against the CA in "
                        + caFile.toAbsolutePath());
    }

    @Test
    void aPartialSetIsRefusedNamingWhatIsMissing() {
        assertThatThrownBy(() -> activate("serverKeyFile", "", "caCertificateFile", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serverCertificateFile is set but serverKeyFile and caCertificateFile are not");
        assertThat(temp.resolve("certs")).doesNotExist();
    }

    @Test
    void aMissingFileIsRefusedNamingIt() {
        Path missing = temp.resolve("operator/nope.pem");

        assertThatThrownBy(() -> activate("caCertificateFile", missing.toString()))
                .hasMessageContaining(missing.toAbsolutePath() + " (caCertificateFile) does not exist or is not a file");
    }

    @Test
    void aKeyFileHoldingACertificateIsRefused() throws Exception {
        Files.copy(serverFile, keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(this::activate)
                .hasMessageContaining(keyFile.toAbsolutePath() + " holds a certificate where a private key is expected");
    }

    @Test
    void aCertificateFileHoldingAKeyIsRefusedWithoutQuotingIt() throws Exception {
        Files.copy(keyFile, serverFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(this::activate)
                .hasMessageContaining(serverFile.toAbsolutePath() + " holds a private key where only certificates are expected")
                .message().doesNotContain("MI");
    }

    @Test
    void changedValidFilesRequestAReactivationAndChangedBadFilesDoNot() throws Exception {
        EdgeCertificateAuthority authority = activate();
        authority.check();
        assertThat(reactivations).hasValue(0);

        PemFiles.writePrivateKey(keyFile, ca.keys().getPrivate());
        Files.setLastModifiedTime(keyFile, java.nio.file.attribute.FileTime.fromMillis(1_000));
        authority.check();
        assertThat(reactivations).as("a bad replacement keeps the current certificates").hasValue(0);
        assertThat(authority.serverPrivateKey()).isEqualTo(server.keys().getPrivate());

        Instant now = clock.instant();
        CertificateIssuer.Issued replacement = issuer.server(HostNames.of("gateway.test", null), ca, now,
                now.plus(Duration.ofDays(365)));
        PemFiles.writeCertificates(serverFile, List.of(replacement.certificate()));
        PemFiles.writePrivateKey(keyFile, replacement.keys().getPrivate());
        authority.check();
        assertThat(reactivations).hasValue(1);
    }
}
