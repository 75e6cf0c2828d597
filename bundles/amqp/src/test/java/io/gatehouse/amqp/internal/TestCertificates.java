package io.gatehouse.amqp.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test edge CA and a server certificate it issued for 127.0.0.1 and localhost (BouncyCastle, EC keys). */
final class TestCertificates implements EdgeCertificates {
    private final X509Certificate ca;
    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private TestCertificates(X509Certificate ca, List<X509Certificate> chain, PrivateKey key) {
        this.ca = ca;
        this.chain = chain;
        this.key = key;
    }

    static TestCertificates issue() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair caKeys = ec.generateKeyPair();
        KeyPair serverKeys = ec.generateKeyPair();
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date to = Date.from(now.plus(Duration.ofDays(1)));
        X500Name caName = new X500Name("CN=Gatehouse AMQP test CA");
        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName,
                caKeys.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate ca = sign(caBuilder, caKeys.getPrivate());
        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, to,
                new X500Name("CN=localhost"), serverKeys.getPublic());
        serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate server = sign(serverBuilder, caKeys.getPrivate());
        return new TestCertificates(ca, List.of(server, ca), serverKeys.getPrivate());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    /** A client context that trusts only this CA, as a device handed the edge CA file does. */
    SSLContext clientContext() throws Exception {
        return clientContext(null);
    }

    /** The same, presenting {@code client}'s certificate (null: none) when the server asks for one. */
    SSLContext clientContext(ClientCertificate client) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("edge-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManager[] keyManagers = null;
        if (client != null) {
            char[] password = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("device", client.key(), password, new Certificate[] {client.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            keyManagers = kmf.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLSv1.2");
        context.init(keyManagers, tmf.getTrustManagers(), null);
        return context;
    }

    /** A device's key and self-signed certificate (reference §6.3: pinned by thumbprint). */
    record ClientCertificate(PrivateKey key, X509Certificate certificate) {
        String sha256Thumbprint() {
            return SasAuthenticator.sha256Thumbprint(certificate);
        }
    }

    /** A self-signed EC certificate for {@code CN=commonName}, valid from an hour ago until {@code notAfter}. */
    static ClientCertificate selfSigned(String commonName, Instant notAfter) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        KeyPair keys = ec.generateKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minus(Duration.ofHours(1))),
                Date.from(notAfter), name, keys.getPublic());
        return new ClientCertificate(keys.getPrivate(), sign(builder, keys.getPrivate()));
    }

    static ClientCertificate selfSigned(String commonName) throws Exception {
        return selfSigned(commonName, Instant.now().plus(Duration.ofDays(1)));
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
        return Path.of("test-ca.pem");
    }
}
