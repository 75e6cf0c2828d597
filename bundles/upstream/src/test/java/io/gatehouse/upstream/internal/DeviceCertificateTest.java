package io.gatehouse.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the edge device's certificate and key: the forms the JDK can read, and clear refusals. */
class DeviceCertificateTest {
    private static ParentCertificate ec;
    private static ParentCertificate rsa;
    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        ec = new ParentCertificate("edge-ec", "EC");
        rsa = new ParentCertificate("edge-rsa", "RSA");
    }

    @Test
    void pkcs8AndTheTraditionalRsaAndEcFormsAreRead() throws Exception {
        for (ParentCertificate c : new ParentCertificate[] {ec, rsa}) {
            Path cert = c.writePem(dir.resolve("cert.pem"));
            DeviceCertificate pkcs8 = DeviceCertificate.load(cert, c.writeKeyPkcs8(dir.resolve("pkcs8.pem")));
            assertThat(pkcs8.certificate()).isEqualTo(c.certificate);
            Path traditional = c.writeKeyTraditional(dir.resolve("traditional.pem"));
            assertThat(Files.readString(traditional)).contains("BEGIN " + c.certificate.getPublicKey().getAlgorithm()
                    + " PRIVATE KEY");
            assertThat(DeviceCertificate.load(cert, traditional).certificate()).isEqualTo(c.certificate);
        }
    }

    @Test
    void theKeyMayFollowEcParametersOrShareTheCertificatesFileAndTheChainFollowsTheCertificate() throws Exception {
        // openssl ecparam -genkey writes the curve first
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
                + "-----END EC PARAMETERS-----\n" + Files.readString(ec.writeKeyTraditional(dir.resolve("k.pem"))));
        Path chain = Files.writeString(dir.resolve("chain.pem"), ec.pem() + rsa.pem());
        DeviceCertificate loaded = DeviceCertificate.load(chain, key);
        assertThat(loaded.certificate()).isEqualTo(ec.certificate);

        X509ExtendedKeyManager km = (X509ExtendedKeyManager) loaded.keyManager();
        assertThat(km.getCertificateChain(km.chooseClientAlias(new String[] {"EC"}, null, null)))
                .containsExactly(ec.certificate, rsa.certificate);

        Path combined = Files.writeString(dir.resolve("both.pem"), ec.pem()
                + Files.readString(ec.writeKeyPkcs8(dir.resolve("p8.pem"))));
        assertThat(DeviceCertificate.load(combined, combined).certificate()).isEqualTo(ec.certificate);
    }

    @Test
    void theKeyManagerPresentsTheCertificateWhateverIssuersTheParentNamesButOnlyForItsKeyType() throws Exception {
        DeviceCertificate loaded = DeviceCertificate.load(ec.writePem(dir.resolve("c.pem")),
                ec.writeKeyPkcs8(dir.resolve("k.pem")));
        X509ExtendedKeyManager km = (X509ExtendedKeyManager) loaded.keyManager();
        Principal[] otherIssuers = {new X500Principal("CN=some other CA")};
        String alias = km.chooseClientAlias(new String[] {"RSA", "EC"}, otherIssuers, null);
        assertThat(alias).isNotNull();
        assertThat(km.getCertificateChain(alias)).containsExactly(ec.certificate);
        assertThat(km.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
        assertThat(km.chooseClientAlias(new String[] {"RSA"}, null, null)).as("an RSA signature needs an RSA key").isNull();
        assertThat(km.chooseServerAlias("EC", null, null)).as("never a server").isNull();
        assertThat(loaded.thumbprint()).matches("[0-9A-F]{64}");
        assertThat(loaded.toString()).contains("CN=edge-ec").contains(loaded.thumbprint());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFilesAndNeverQuotingTheKey() throws Exception {
        ParentCertificate other = new ParentCertificate("other", "EC");
        Path cert = ec.writePem(dir.resolve("device.pem"));
        Path key = other.writeKeyPkcs8(dir.resolve("other-key.pem"));
        String keyText = Files.readString(key);
        String base64Line = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertThatThrownBy(() -> DeviceCertificate.load(cert, key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyFile '" + key + "'").hasMessageContaining("does not belong")
                .hasMessageContaining("certFile '" + cert + "'").message().doesNotContain(base64Line);

        Path rsaKey = rsa.writeKeyTraditional(dir.resolve("rsa.pem"));
        assertThatThrownBy(() -> DeviceCertificate.load(cert, rsaKey)).hasMessageContaining("holds an RSA key, but the "
                + "certificate's key is EC");
        Path rsaPkcs8 = rsa.writeKeyPkcs8(dir.resolve("rsa8.pem"));
        assertThatThrownBy(() -> DeviceCertificate.load(cert, rsaPkcs8)).hasMessageContaining("keyFile '" + rsaPkcs8 + "'")
                .hasMessageContaining("not a readable EC private key");
    }

    @Test
    void missingUnreadableEncryptedOrForeignFilesAreRefusedWithTheFileAndTheReason() throws Exception {
        Path cert = ec.writePem(dir.resolve("device.pem"));
        Path key = ec.writeKeyPkcs8(dir.resolve("key.pem"));
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> DeviceCertificate.load(missing, key))
                .hasMessage("certFile '" + missing + "' cannot be read: no such file");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, missing))
                .hasMessage("keyFile '" + missing + "' cannot be read: no such file");
        assertThatThrownBy(() -> DeviceCertificate.load(key, key)).hasMessageContaining("certFile '" + key + "'")
                .hasMessageContaining("no");

        Path encrypted = Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
                        + "-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, encrypted)).hasMessageContaining("keyFile '" + encrypted + "'")
                .hasMessageContaining("encrypted");
        Path legacyEncrypted = Files.writeString(dir.resolve("legacy.pem"), "-----BEGIN EC PRIVATE KEY-----\n"
                + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, legacyEncrypted)).hasMessageContaining("encrypted");
        Path openssh = Files.writeString(dir.resolve("ssh.pem"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
                + "-----END OPENSSH PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, openssh)).hasMessageContaining("OPENSSH PRIVATE KEY is not "
                + "a form read here");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, empty)).hasMessageContaining("holds no PEM private key");
        Path notBase64 = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN PRIVATE KEY-----\n!!!\n"
                + "-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DeviceCertificate.load(cert, notBase64)).hasMessageContaining("not valid base64");
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsNamedAsSuch() throws Exception {
        DeviceCertificate loaded = DeviceCertificate.load(ec.writePem(dir.resolve("c.pem")),
                ec.writeKeyPkcs8(dir.resolve("k.pem")));
        X509Certificate c = ec.certificate;
        assertThat(loaded.invalidAt(c.getNotBefore().toInstant().plusSeconds(1))).isNull();
        assertThat(loaded.invalidAt(c.getNotAfter().toInstant().plusSeconds(1))).startsWith("it expired at ");
        assertThat(loaded.invalidAt(c.getNotBefore().toInstant().minusSeconds(1))).startsWith("it is valid only from ");
    }
}
