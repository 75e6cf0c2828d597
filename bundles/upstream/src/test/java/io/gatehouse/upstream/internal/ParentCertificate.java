package io.gatehouse.upstream.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate naming one host (an IP or a DNS name): a test parent's server
 * certificate, or an edge device's client certificate (registered at the parent by thumbprint).
 */
final class ParentCertificate {
    final X509Certificate certificate;
    private final KeyPair keys;

    ParentCertificate(String host) throws Exception {
        this(host, "EC");
    }

    /** @param algorithm {@code EC} (P-256) or {@code RSA} (2048 bits) */
    ParentCertificate(String host, String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(algorithm.equals("RSA") ? 2048 : 256);
        keys = g.generateKeyPair();
        X500Name name = new X500Name("CN=" + host);
        long now = System.currentTimeMillis();
        GeneralName san = host.chars().allMatch(c -> Character.isDigit(c) || c == '.')
                ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000), name, keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        certificate = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA")
                        .build(keys.getPrivate())));
    }

    /** The certificate as the PEM file a child trusts (caFile). */
    Path writePem(Path file) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(certificate);
        }
        return Files.writeString(file, text.toString());
    }

    /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    Path writeKeyPkcs8(Path file) throws IOException {
        return Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    }

    /** The private key in OpenSSL's traditional form ({@code BEGIN EC PRIVATE KEY} / {@code BEGIN RSA PRIVATE KEY}). */
    Path writeKeyTraditional(Path file) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(keys.getPrivate());
        }
        return Files.writeString(file, text.toString());
    }

    /** The certificate's PEM text. */
    String pem() throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(certificate);
        }
        return text.toString();
    }

    SSLContext serverContext() throws GeneralSecurityException, IOException {
        return serverContext(new X509Certificate[0]);
    }

    /** A server context that also takes client certificates: exactly {@code trustedClients}. */
    SSLContext serverContext(X509Certificate... trustedClients) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("parent", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext c = SSLContext.getInstance("TLS");
        TrustManager[] trust = null;
        if (trustedClients.length > 0) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < trustedClients.length; i++) ts.setCertificateEntry("client" + i, trustedClients[i]);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            trust = tmf.getTrustManagers();
        }
        c.init(kmf.getKeyManagers(), trust, null);
        return c;
    }
}
