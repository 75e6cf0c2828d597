package io.gatehouse.headsupport.tls;

import io.gatehouse.api.tls.EdgeCertificates;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
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
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and a server certificate it issued for 127.0.0.1 and localhost, on EC or RSA keys. */
final class TestCertificates implements EdgeCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final X509Certificate ca;
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Path caFile;

    private TestCertificates(X509Certificate ca, List<X509Certificate> chain, PrivateKey key, Path caFile) {
        this.ca = ca;
        this.chain = chain;
        this.key = key;
        this.caFile = caFile;
    }

    static TestCertificates issue(String caName, String keyAlgorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
        generator.initialize(keyAlgorithm.equals("RSA") ? 2048 : 256);
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        String signature = keyAlgorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofHours(1)));
        Date to = Date.from(now.plus(Duration.ofDays(1)));
        X500Name caSubject = new X500Name("CN=" + caName);
        JcaX509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caSubject, serial(), from, to, caSubject,
                caKeys.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(
                caBuilder.build(new JcaContentSignerBuilder(signature).build(caKeys.getPrivate())));
        JcaX509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(caSubject, serial(), from, to,
                new X500Name("CN=localhost, O=" + caName), serverKeys.getPublic());
        serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate server = new JcaX509CertificateConverter().getCertificate(
                serverBuilder.build(new JcaContentSignerBuilder(signature).build(caKeys.getPrivate())));
        return new TestCertificates(ca, List.of(server, ca), serverKeys.getPrivate(), Path.of(caName + ".pem"));
    }

    /** Just these parts (either may be null or broken), as a faulty certificates service might hand them out. */
    static TestCertificates parts(List<X509Certificate> chain, PrivateKey key) {
        return new TestCertificates(null, chain, key, Path.of("ca.pem"));
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

    SSLSocketFactory clientTrustingOnlyThisCa() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("edge-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }
}
