package io.gatehouse.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedCertificatesTest {

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger reactivations = new AtomicInteger();

    private EdgeCertificateAuthority activate(Object... overrides) {
        return new EdgeCertificateAuthority(Configs.generated(temp.resolve("certs"), overrides), clock,
                reactivations::incrementAndGet, false);
    }

    private Path certs() {
        return temp.resolve("certs").toAbsolutePath();
    }

    private static X509Certificate server(EdgeCertificateAuthority authority) {
        return authority.serverCertificateChain().get(0);
    }

    private static X509Certificate ca(EdgeCertificateAuthority authority) {
        return authority.serverCertificateChain().get(1);
    }

    private static List<String> sans(X509Certificate certificate) throws Exception {
        List<String> names = new ArrayList<>();
        certificate.getSubjectAlternativeNames().forEach(entry -> names.add(String.valueOf(entry.get(1))));
        return names;
    }

    @Test
    void generatedCertificatesCarryATlsHandshakeForTheGatewayHostOnly() throws Exception {
        EdgeCertificateAuthority authority = activate("gatewayHostName", "gateway.test");

        assertThat(TlsHandshake.connect(authority, "gateway.test")).isEqualTo(42);
        assertThat(TlsHandshake.connect(authority, "localhost")).isEqualTo(42);
        assertThatThrownBy(() -> TlsHandshake.connect(authority, "other.test"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasStackTraceContaining("other.test");
    }

    @Test
    void generatesAnEdgeCaAndAServerCertificateAsDescribed() throws Exception {
        EdgeCertificateAuthority authority = activate("gatewayHostName", "gateway.test", "deviceId", "plant-7");

        X509Certificate ca = ca(authority);
        X509Certificate server = server(authority);
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=Gatehouse Edge CA plant-7");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ca.getPublicKey().toString()).contains("secp256r1");
        assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=gateway.test");
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(sans(server)).containsExactlyInAnyOrder("gateway.test", "localhost", "127.0.0.1");
        assertThat(Duration.between(server.getNotBefore().toInstant(), server.getNotAfter().toInstant()).toDays())
                .isEqualTo(90);
        assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()).toDays())
                .isEqualTo(1825);
        server.verify(ca.getPublicKey());

        assertThat(authority.caCertificateFile()).isEqualTo(certs().resolve("edge-ca.pem"));
        assertThat(PemFiles.readCertificates(certs().resolve("edge-ca.pem"))).containsExactly(ca);
        assertThat(PemFiles.readCertificates(certs().resolve("server.pem"))).containsExactly(server, ca);
        assertThat(PemFiles.readPrivateKey(certs().resolve("server.key.pem"))).isEqualTo(authority.serverPrivateKey());
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(certs().resolve("edge-ca.key.pem")), ca.getPublicKey()))
                .isTrue();
        assertThat(Files.readString(certs().resolve("server.key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var listing = Files.list(certs())) {
            assertThat(listing.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("edge-ca.pem", "edge-ca.key.pem", "server.pem", "server.key.pem");
        }
    }

    @Test
    void privateKeysAreOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        activate();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs().resolve("edge-ca.key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs().resolve("server.key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs().resolve("edge-ca.pem"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void aWideDirectoryIsNarrowedToOwnerOnly() throws Exception {
        Files.createDirectories(certs());
        Files.setPosixFilePermissions(certs(), PosixFilePermissions.fromString("rwxrwxrwx"));

        activate();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs()))).isEqualTo("rwx------");
    }

    @Test
    void aKeyFileWidenedByHandIsNarrowedAgainOnReuse() throws Exception {
        activate();
        Files.setPosixFilePermissions(certs().resolve("server.key.pem"), PosixFilePermissions.fromString("rw-r--r--"));

        activate();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certs().resolve("server.key.pem"))))
                .isEqualTo("rw-------");
    }

    @Test
    void reactivationReusesTheStoredCertificates() throws Exception {
        EdgeCertificateAuthority first = activate();
        clock.advance(Duration.ofDays(10));
        EdgeCertificateAuthority second = activate();

        assertThat(server(second).getSerialNumber()).isEqualTo(server(first).getSerialNumber());
        assertThat(ca(second).getSerialNumber()).isEqualTo(ca(first).getSerialNumber());
        assertThat(second.serverPrivateKey()).isEqualTo(first.serverPrivateKey());
    }

    @Test
    void aServerCertificateExpiringWithinRenewBeforeDaysIsRenewedWithTheSameCa() throws Exception {
        EdgeCertificateAuthority first = activate("serverValidityDays", 2, "renewBeforeDays", 5);
        EdgeCertificateAuthority second = activate("serverValidityDays", 2, "renewBeforeDays", 5);

        assertThat(server(second).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        assertThat(second.serverPrivateKey()).isNotEqualTo(first.serverPrivateKey());
        assertThat(ca(second).getSerialNumber()).isEqualTo(ca(first).getSerialNumber());
        assertThat(TlsHandshake.connect(second, "localhost")).isEqualTo(42);
        assertThat(PemFiles.readCertificates(certs().resolve("server.pem")).get(0)).isEqualTo(server(second));
    }

    @Test
    void theServerCertificateIsRenewedWhenTimeReachesTheRenewalWindow() throws Exception {
        EdgeCertificateAuthority first = activate();
        clock.advance(Duration.ofDays(59));
        assertThat(server(activate()).getSerialNumber()).isEqualTo(server(first).getSerialNumber());

        clock.advance(Duration.ofDays(2));
        EdgeCertificateAuthority renewed = activate();

        assertThat(server(renewed).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        assertThat(ca(renewed)).isEqualTo(ca(first));
        server(renewed).verify(ca(first).getPublicKey());
        assertThat(server(renewed).getNotAfter().toInstant()).isAfter(clock.instant().plus(Duration.ofDays(89)));
    }

    @Test
    void anExpiringCaIsReplacedTogetherWithTheServerCertificateAndKeptAside() throws Exception {
        EdgeCertificateAuthority first = activate();
        clock.advance(Duration.ofDays(1825 - 29));

        EdgeCertificateAuthority replaced = activate();

        assertThat(ca(replaced).getSerialNumber()).isNotEqualTo(ca(first).getSerialNumber());
        assertThat(server(replaced).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        server(replaced).verify(ca(replaced).getPublicKey());
        assertThat(PemFiles.readCertificates(certs().resolve("edge-ca.pem.replaced-1"))).containsExactly(ca(first));
        assertThat(certs().resolve("edge-ca.key.pem.replaced-1")).exists();
        assertThat(PemFiles.readCertificates(certs().resolve("edge-ca.pem"))).containsExactly(ca(replaced));
    }

    @Test
    void aChangedGatewayHostNameGetsANewServerCertificateFromTheSameCa() throws Exception {
        EdgeCertificateAuthority first = activate("gatewayHostName", "old.test");
        EdgeCertificateAuthority second = activate("gatewayHostName", "new.test");

        assertThat(server(second).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        assertThat(ca(second)).isEqualTo(ca(first));
        assertThat(server(second).getSubjectX500Principal().getName()).isEqualTo("CN=new.test");
        assertThat(TlsHandshake.connect(second, "new.test")).isEqualTo(42);
        assertThatThrownBy(() -> TlsHandshake.connect(second, "old.test")).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void extraHostNamesBecomeDnsAndIpAlternativeNames() throws Exception {
        EdgeCertificateAuthority authority = activate("gatewayHostName", "gw.test",
                "extraHostNames", new String[] {"10.1.2.3, plant.local", "::1"});

        assertThat(sans(server(authority))).containsExactlyInAnyOrder(
                "gw.test", "localhost", "plant.local", "127.0.0.1", "10.1.2.3", "0:0:0:0:0:0:0:1");
        assertThat(TlsHandshake.connect(authority, "plant.local")).isEqualTo(42);

        EdgeCertificateAuthority same = activate("gatewayHostName", "gw.test",
                "extraHostNames", new String[] {"plant.local", "10.1.2.3", "0::1"});
        assertThat(server(same).getSerialNumber()).isEqualTo(server(authority).getSerialNumber());

        EdgeCertificateAuthority fewer = activate("gatewayHostName", "gw.test");
        assertThat(sans(server(fewer))).containsExactlyInAnyOrder("gw.test", "localhost", "127.0.0.1");
    }

    @Test
    void anUnreadableCaIsMovedAsideAndEverythingIsRegenerated() throws Exception {
        EdgeCertificateAuthority first = activate();
        Files.writeString(certs().resolve("edge-ca.pem"), "not a certificate");

        EdgeCertificateAuthority second = activate();

        assertThat(ca(second).getSerialNumber()).isNotEqualTo(ca(first).getSerialNumber());
        assertThat(server(second).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        assertThat(certs().resolve("edge-ca.pem.unreadable-1")).hasContent("not a certificate");
        assertThat(certs().resolve("edge-ca.key.pem.unreadable-1")).exists();
        assertThat(TlsHandshake.connect(second, "localhost")).isEqualTo(42);
    }

    @Test
    void aServerKeyThatDoesNotMatchIsMovedAsideAndTheServerCertificateReissued() throws Exception {
        EdgeCertificateAuthority first = activate();
        Files.copy(certs().resolve("edge-ca.key.pem"), certs().resolve("server.key.pem"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        EdgeCertificateAuthority second = activate();

        assertThat(ca(second)).isEqualTo(ca(first));
        assertThat(server(second).getSerialNumber()).isNotEqualTo(server(first).getSerialNumber());
        assertThat(certs().resolve("server.key.pem.unreadable-1")).exists();
        assertThat(TlsHandshake.connect(second, "localhost")).isEqualTo(42);
    }

    @Test
    void aMissingServerCertificateIsReissuedWithTheSameCa() throws Exception {
        EdgeCertificateAuthority first = activate();
        Files.delete(certs().resolve("server.pem"));
        Files.delete(certs().resolve("server.key.pem"));

        EdgeCertificateAuthority second = activate();

        assertThat(ca(second)).isEqualTo(ca(first));
        assertThat(certs().resolve("server.pem")).exists();
    }

    @Test
    void badSettingsAreRefusedWithTheirReasonAndWriteNothing() {
        assertThatThrownBy(() -> activate("renewBeforeDays", 1825))
                .hasMessageContaining("renewBeforeDays (1825) must be less than caValidityDays (1825)");
        assertThatThrownBy(() -> activate("serverValidityDays", 0))
                .hasMessageContaining("'serverValidityDays' is 0");
        assertThatThrownBy(() -> activate("extraHostNames", new String[] {"bad_name!"}))
                .hasMessageContaining("extraHostNames entry 'bad_name!' is neither a DNS name nor an IP address");
        assertThatThrownBy(() -> activate("gatewayHostName", " "))
                .hasMessageContaining("gatewayHostName must not be empty");
        assertThatThrownBy(() -> activate("directory", ""))
                .hasMessageContaining("'directory' must not be empty");
        assertThat(certs()).doesNotExist();
    }

    @Test
    void thePeriodicCheckRequestsOneReactivationWhenRenewalFallsDue() {
        EdgeCertificateAuthority authority = activate();

        authority.check();
        clock.advance(Duration.ofDays(59));
        authority.check();
        assertThat(reactivations).hasValue(0);

        clock.advance(Duration.ofDays(2));
        authority.check();
        authority.check();
        assertThat(reactivations).hasValue(1);
    }

    @Test
    void aRenewalWindowLongerThanTheLifetimeReactivatesAtMostDaily() {
        EdgeCertificateAuthority authority = activate("serverValidityDays", 2, "renewBeforeDays", 5);

        clock.advance(Duration.ofHours(23));
        authority.check();
        assertThat(reactivations).hasValue(0);

        clock.advance(Duration.ofHours(1));
        authority.check();
        assertThat(reactivations).hasValue(1);
    }

    @Test
    void theServiceNeverRendersItsPrivateKey() {
        EdgeCertificateAuthority authority = activate();
        String encoded = java.util.Base64.getEncoder().encodeToString(authority.serverPrivateKey().getEncoded());

        assertThat(authority.toString()).doesNotContain(encoded.substring(0, 40)).contains("serial");
    }

}
