package io.gatehouse.headsupport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.tls.EdgeCertificates;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerTlsTest {
    private static TestCertificates ec;
    private static TestCertificates rsa;

    @BeforeAll
    static void issue() throws Exception {
        ec = TestCertificates.issue("Head support EC CA", "EC");
        rsa = TestCertificates.issue("Head support RSA CA", "RSA");
    }

    @Test
    void aMatchingKeyAndChainMakeAServerContextForTls12And13WithOptionalClientCertificates() throws Exception {
        for (TestCertificates certs : List.of(ec, rsa)) {
            ServerTls tls = ServerTls.build(certs);
            assertThat(tls.context().isServer()).isTrue();
            assertThat(tls.serverCertificate()).isEqualTo(certs.server());
            KeyCertificateMatch.check(certs.serverPrivateKey(), certs.server());
        }
        assertThat(ServerTls.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheCertificate() {
        String subject = ec.server().getSubjectX500Principal().getName();
        assertThatThrownBy(() -> ServerTls.build(ec.withPrivateKeyOf(TestCertificates.issue("Other CA", "EC"))))
                .isInstanceOf(UnusableCertificatesException.class)
                .hasMessage("the private key does not belong to the server certificate " + subject);
        assertThatThrownBy(() -> KeyCertificateMatch.check(rsa.serverPrivateKey(), ec.server()))
                .as("an RSA key cannot even verify against an EC certificate")
                .isInstanceOf(UnusableCertificatesException.class)
                .hasMessageStartingWith("the private key does not belong to the server certificate " + subject + " (");
    }

    @Test
    void missingPartsAndAFailingServiceAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ServerTls.build(TestCertificates.parts(List.of(), ec.serverPrivateKey())))
                .isInstanceOf(UnusableCertificatesException.class).hasMessage("no server certificate chain");
        assertThatThrownBy(() -> ServerTls.build(TestCertificates.parts(null, ec.serverPrivateKey())))
                .isInstanceOf(UnusableCertificatesException.class).hasMessage("no server certificate chain");
        assertThatThrownBy(() -> ServerTls.build(TestCertificates.parts(Arrays.asList(ec.server(), null), ec.serverPrivateKey())))
                .isInstanceOf(UnusableCertificatesException.class).hasMessage("no server certificate chain");
        assertThatThrownBy(() -> ServerTls.build(TestCertificates.parts(ec.serverCertificateChain(), null)))
                .isInstanceOf(UnusableCertificatesException.class).hasMessage("no server private key");
        EdgeCertificates failing = new EdgeCertificates() {
            @Override
            public List<X509Certificate> serverCertificateChain() {
                throw new IllegalStateException("pki is stopping");
            }

            @Override
            public PrivateKey serverPrivateKey() {
                return ec.serverPrivateKey();
            }

            @Override
            public Path caCertificateFile() {
                return Path.of("ca.pem");
            }
        };
        assertThatThrownBy(() -> ServerTls.build(failing))
                .isInstanceOf(UnusableCertificatesException.class)
                .hasMessage("the certificates service failed: java.lang.IllegalStateException: pki is stopping");
    }

    @Test
    void anyClientCertificateChainPassesTheHandshakeButAnEmptyOneAndServersDoNot() throws Exception {
        ThumbprintPinnedClients judge = new ThumbprintPinnedClients();
        judge.checkClientTrusted(new X509Certificate[] {ec.server()}, "EC");
        assertThatThrownBy(() -> judge.checkClientTrusted(new X509Certificate[0], "EC"))
                .isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> judge.checkClientTrusted(null, "EC")).isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> judge.checkServerTrusted(new X509Certificate[] {ec.server()}, "EC"))
                .isInstanceOf(CertificateException.class);
        assertThat(judge.getAcceptedIssuers()).as("no CA list: a client offers its self-signed certificate").isEmpty();
    }
}
