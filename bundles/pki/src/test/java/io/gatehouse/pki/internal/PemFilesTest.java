package io.gatehouse.pki.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    @TempDir
    Path temp;

    private final CertificateIssuer issuer = new CertificateIssuer();

    private static String pem(Object object) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    /** What {@code openssl ecparam -genkey} writes: SEC 1 ECPrivateKey naming its curve, with the public point. */
    private static String openSslEcKey(KeyPair ec) throws Exception {
        java.math.BigInteger secret = ((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS();
        var publicPoint = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(ec.getPublic().getEncoded())
                .getPublicKeyData();
        var key = new org.bouncycastle.asn1.sec.ECPrivateKey(256, secret, publicPoint,
                org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
        StringWriter text = new StringWriter();
        try (var writer = new org.bouncycastle.util.io.pem.PemWriter(text)) {
            writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", key.getEncoded()));
        }
        return text.toString();
    }

    @Test
    void readsOpenSslTraditionalEcAndRsaKeys() throws Exception {
        KeyPair ec = issuer.newKeyPair();
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        KeyPair rsa = rsaGenerator.generateKeyPair();
        Path ecFile = Files.writeString(temp.resolve("ec.pem"), openSslEcKey(ec));
        Path rsaFile = Files.writeString(temp.resolve("rsa.pem"), pem(rsa.getPrivate()));

        assertThat(Files.readString(ecFile)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(((java.security.interfaces.ECPrivateKey) PemFiles.readPrivateKey(ecFile)).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS());
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(ecFile), ec.getPublic())).isTrue();
        assertThat(Files.readString(rsaFile)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(rsaFile), rsa.getPublic())).isTrue();
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(rsaFile), ec.getPublic())).isFalse();
        assertThat(KeyMatch.matches(PemFiles.readPrivateKey(ecFile), issuer.newKeyPair().getPublic())).isFalse();
    }

    @Test
    void anEncryptedKeyIsRefusedWithAReason() throws Exception {
        KeyPair ec = issuer.newKeyPair();
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build();
        Path file = Files.writeString(temp.resolve("encrypted.pem"), pem(new JcaPKCS8Generator(ec.getPrivate(), encryptor)));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .isInstanceOf(PemException.class)
                .hasMessage(file.toAbsolutePath() + " holds an encrypted private key; supply it unencrypted "
                        + "(protect it with file permissions)");
    }

    @Test
    void emptyAndGarbageFilesAreRefusedWithAReason() throws Exception {
        Path empty = Files.writeString(temp.resolve("empty.pem"), "");
        Path garbage = Files.writeString(temp.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> PemFiles.readCertificates(empty)).hasMessageEndingWith("contains no PEM certificate");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(empty)).hasMessageEndingWith("contains no PEM private key");
        assertThatThrownBy(() -> PemFiles.readCertificates(garbage))
                .hasMessageStartingWith(garbage.toAbsolutePath() + " is not a readable PEM certificate file");
    }

    @Test
    void writesReplaceAtomicallyWithoutLeavingTemporaryFiles() throws Exception {
        var ca = issuer.edgeCa("Test CA", java.time.Instant.now(), java.time.Instant.now().plusSeconds(86_400));
        Path file = temp.resolve("ca.pem");
        Files.writeString(file, "old");

        PemFiles.writeCertificates(file, List.of(ca.certificate()));

        assertThat(PemFiles.readCertificates(file)).containsExactly(ca.certificate());
        try (var listing = Files.list(temp)) {
            assertThat(listing.map(path -> path.getFileName().toString())).containsExactly("ca.pem");
        }
    }

    @Test
    void movingAsideNeverOverwritesAnEarlierCopy() throws Exception {
        Path file = temp.resolve("edge-ca.pem");
        Files.writeString(file, "first");
        PemFiles.moveAside(file, "unreadable");
        Files.writeString(file, "second");

        Path second = PemFiles.moveAside(file, "unreadable");

        assertThat(second.getFileName().toString()).isEqualTo("edge-ca.pem.unreadable-2");
        assertThat(temp.resolve("edge-ca.pem.unreadable-1")).hasContent("first");
        assertThat(second).hasContent("second");
        assertThat(file).doesNotExist();
    }

}
