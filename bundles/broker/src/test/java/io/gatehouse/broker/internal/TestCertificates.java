package io.gatehouse.broker.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import java.io.InputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An edge CA and a server certificate for 127.0.0.1/localhost issued by it, made with
 * BouncyCastle on the JDK's providers, as the pki bundle would provide them. RSA keys, so that
 * a TLS 1.1 client shares a cipher suite with the server and is refused for its protocol alone.
 */
final class TestCertificates implements EdgeCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    final X509Certificate ca;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Path caFile;

    private TestCertificates(X509Certificate ca, List<X509Certificate> chain, PrivateKey key, Path caFile) {
        this.ca = ca;
        this.chain = chain;
        this.key = key;
        this.caFile = caFile;
    }

    static TestCertificates issue(String caName, Path dir) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair caKeys = rsa.generateKeyPair();
        KeyPair serverKeys = rsa.generateKeyPair();
        Instant now = Instant.now();
        X500Name caSubject = new X500Name("CN=" + caName);

        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caSubject, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), caSubject,
                caKeys.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate ca = sign(caBuilder, caKeys.getPrivate());

        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(caSubject, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name("CN=localhost, O=" + caName), serverKeys.getPublic());
        serverBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        serverBuilder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        serverBuilder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate server = sign(serverBuilder, caKeys.getPrivate());

        Path caFile = dir.resolve(caName.replaceAll("[^A-Za-z0-9]", "-") + ".pem");
        try (Writer w = Files.newBufferedWriter(caFile); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(ca);
        }
        return new TestCertificates(ca, List.of(server, ca), serverKeys.getPrivate(), caFile);
    }

    /** This chain with another set's private key: a set no listener can present. */
    TestCertificates withPrivateKeyOf(TestCertificates other) {
        return new TestCertificates(ca, chain, other.key, caFile);
    }

    X509Certificate server() {
        return chain.get(0);
    }

    @Override
    public List<X509Certificate> serverCertificateChain() {
        return chain;
    }

    @Override
    public PrivateKey serverPrivateKey() {
        return key;
    }

    @Override
    public Path caCertificateFile() {
        return caFile;
    }

    /** A client that trusts only the CA in this set's CA file, as a module handed that file would. */
    SSLSocketFactory clientTrustingOnlyThisCa() throws Exception {
        X509Certificate trusted;
        try (InputStream in = Files.newInputStream(caFile)) {
            trusted = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("edge-ca", trusted);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    }
}
