package io.gatehouse.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X.509 by thumbprint (reference §6.3, self-signed), directly and along an auth chain. */
class CertificateAuthenticationTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final IdentityId CHILD = IdentityId.device("child");
    private static final IdentityId LEAF = IdentityId.device("leaf");
    private static final IdentityId CAMERA = IdentityId.device("camera");
    private static final IdentityId SAS_ONLY = IdentityId.device("sas-only");

    @TempDir
    Path directory;

    private final List<IdentityId> missed = new CopyOnWriteArrayList<>();
    private FileIdentityRegistry registry;
    private SasTokenAuthenticator authenticator;
    private X509Certificate childCert;
    private X509Certificate cameraCert;
    private X509Certificate cameraNextCert;
    private X509Certificate stranger;
    private X509Certificate expired;

    @BeforeEach
    void setUp() throws Exception {
        childCert = selfSigned("child", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        cameraCert = selfSigned("camera", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        cameraNextCert = selfSigned("camera", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(730)));
        stranger = selfSigned("camera", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        expired = selfSigned("child", NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(1)));
        registry = new FileIdentityRegistry(Configs.registry(directory));
        registry.add(new Identity(CHILD, null, null, true, null).withThumbprints(sha256(childCert), null));
        registry.add(new Identity(LEAF, null, null, false, "child"));
        // SHA-1 primary, printed with colons as openssl does; SHA-256 secondary in lower case
        registry.add(new Identity(CAMERA, null, null).withThumbprints(colons(sha1(cameraCert)),
                sha256(cameraNextCert).toLowerCase()));
        registry.add(new Identity(SAS_ONLY, null, null));
        authenticator = new SasTokenAuthenticator(registry, Configs.hub(), Clock.fixed(NOW, ZoneOffset.UTC));
        authenticator.missListeners = List.of(missed::add);
    }

    @Test
    void acceptsTheRegisteredPrimaryOrSecondaryThumbprintInAnyNotation() {
        assertThat(authenticator.authenticateCertificate(CAMERA, cameraCert, List.of()).identity()).isEqualTo(CAMERA);
        assertThat(authenticator.authenticateCertificate(CAMERA, cameraNextCert, List.of()).identity()).isEqualTo(CAMERA);
        assertThat(authenticator.authenticateCertificate(CHILD, childCert, List.of("child")).identity()).isEqualTo(CHILD);
        assertThat(missed).isEmpty();
    }

    @Test
    void refusesAnotherCertificateWithTheSameSubject() {
        assertFailure(authenticator.authenticateCertificate(CAMERA, stranger, List.of()),
                "the certificate of 'camera' matches neither its primary nor its secondary thumbprint");
        assertThat(missed).containsExactly(CAMERA);
    }

    @Test
    void refusesAnotherIdentitysCertificate() {
        assertFailure(authenticator.authenticateCertificate(CHILD, cameraCert, List.of()),
                "the certificate of 'child' matches neither its primary nor its secondary thumbprint");
    }

    @Test
    void refusesACertificateOutsideItsValidity() {
        assertThat(authenticator.authenticateCertificate(CHILD, expired, List.of()).failureReason())
                .startsWith("the certificate of 'child' is not valid now");
        assertThat(missed).as("an expired certificate is the client's own fault").isEmpty();
    }

    @Test
    void refusesAnIdentityWithoutThumbprintsAndAnUnknownOne() {
        assertFailure(authenticator.authenticateCertificate(SAS_ONLY, cameraCert, List.of()),
                "'sas-only' has no X.509 thumbprint registered");
        assertFailure(authenticator.authenticateCertificate(IdentityId.device("ghost"), cameraCert, List.of()),
                "unknown identity 'ghost' (not registered)");
        assertFailure(authenticator.authenticateCertificate(CAMERA, null, List.of()), "no client certificate for 'camera'");
    }

    @Test
    void aChildCertificateActsForItsLeafAlongTheChain() {
        assertThat(authenticator.authenticateCertificate(LEAF, childCert, List.of("leaf", "child")).identity())
                .isEqualTo(LEAF);
        assertFailure(authenticator.authenticateCertificate(LEAF, cameraCert, List.of("leaf", "child")),
                "the certificate of the actor 'child' of 'leaf' matches neither its primary nor its secondary thumbprint");
        assertThat(authenticator.authenticateCertificate(LEAF, childCert, List.of("leaf", "camera")).failureReason())
                .contains("element 2 'camera'");
    }

    @Test
    void malformedThumbprintsAreRefusedAndChangeNothing() {
        assertThatThrownBy(() -> registry.add(new Identity(IdentityId.device("bad"), null, null).withThumbprints("ABC", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the X.509 primary thumbprint has 3 hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64");
        assertThatThrownBy(() -> registry.add(new Identity(IdentityId.device("bad"), null, null)
                .withThumbprints(null, "Z".repeat(40))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the X.509 secondary thumbprint is not hexadecimal (character 1)");
        assertThat(registry.get(IdentityId.device("bad"))).isEmpty();
    }

    @Test
    void thumbprintsSurviveARestart() throws Exception {
        FileIdentityRegistry reopened = new FileIdentityRegistry(Configs.registry(directory));
        assertThat(reopened.get(CAMERA)).get().satisfies(camera -> {
            assertThat(camera.primaryThumbprint()).isEqualTo(sha1(cameraCert));
            assertThat(camera.secondaryThumbprint()).isEqualTo(sha256(cameraNextCert));
        });
        assertThat(Files.readString(directory.resolve("identities.json"))).contains("x509PrimaryThumbprint");
    }

    private static void assertFailure(AuthenticationResult result, String reason) {
        assertThat(result.succeeded()).isFalse();
        assertThat(result.failureReason()).isEqualTo(reason);
    }

    private static X509Certificate selfSigned(String cn, Instant from, Instant to) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair keys = ec.generateKeyPair();
        X500Name name = new X500Name("CN=" + cn);
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String sha1(X509Certificate c) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
    }

    private static String sha256(X509Certificate c) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    private static String colons(String hex) {
        return String.join(":", hex.split("(?<=\\G..)"));
    }
}
