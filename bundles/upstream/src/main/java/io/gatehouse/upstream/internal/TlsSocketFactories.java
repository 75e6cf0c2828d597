package io.gatehouse.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards the parent: the JVM's trust store, or exactly the certificates of a PEM file; with
 * X.509, this edge device's certificate as the client certificate.
 */
final class TlsSocketFactories {

    private TlsSocketFactories() {
    }

    /** @param caFile a PEM file of trusted certificates, or blank for the JVM's default trust store */
    static SSLSocketFactory trusting(String caFile) throws UpstreamException {
        return create(caFile, null);
    }

    /**
     * @param caFile a PEM file of trusted certificates, or blank for the JVM's default trust store
     * @param identity the client certificate to present when the parent asks for one; null for none
     */
    static SSLSocketFactory create(String caFile, DeviceCertificate identity) throws UpstreamException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile == null || caFile.isBlank()) {
                tmf.init((KeyStore) null);
            } else {
                tmf.init(trustStore(Path.of(caFile)));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(identity == null ? null : new KeyManager[] {identity.keyManager()}, tmf.getTrustManagers(),
                    null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new UpstreamException("cannot use caFile '" + caFile + "': " + e.getMessage(), e);
        }
    }

    static KeyStore trustStore(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) throw new GeneralSecurityException("it holds no PEM certificate");
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate c : certificates) store.setCertificateEntry("upstream-ca-" + i++, c);
        return store;
    }
}
