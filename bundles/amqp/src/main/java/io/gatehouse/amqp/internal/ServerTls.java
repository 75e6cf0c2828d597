package io.gatehouse.amqp.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** The server TLS context of the AMQPS listener, built from {@link EdgeCertificates}. */
record ServerTls(SslContext context, X509Certificate serverCertificate) {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); the reference's default is TLS 1.2 and 1.3 (§5.1). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Certificates the listener cannot present; the message says why and holds no key material. */
    static final class UnusableCertificatesException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableCertificatesException(String reason) {
            super(reason);
        }
    }

    static ServerTls build(EdgeCertificates certificates) throws UnusableCertificatesException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = certificates.serverCertificateChain();
            key = certificates.serverPrivateKey();
        } catch (RuntimeException e) {
            throw new UnusableCertificatesException("the certificates service failed: " + e);
        }
        if (chain == null || chain.isEmpty() || chain.stream().anyMatch(Objects::isNull)) {
            throw new UnusableCertificatesException("no server certificate chain");
        }
        if (key == null) throw new UnusableCertificatesException("no server private key");
        checkKeyMatches(key, chain.get(0));
        try {
            return new ServerTls(SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    // SAS clients send no certificate; an X.509 client's is pinned by thumbprint per identity
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(new PinnedClientCertificates())
                    .build(), chain.get(0));
        } catch (Exception e) {
            throw new UnusableCertificatesException("TLS context could not be built: " + e.getMessage());
        }
    }

    /** A key that is not the certificate's would only show as failed handshakes on every client. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate certificate) throws UnusableCertificatesException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // left to the handshake
        };
        if (algorithm == null) return;
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(nonce);
            if (!verifier.verify(signature)) {
                throw new UnusableCertificatesException("the private key does not belong to the server certificate " + subject);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UnusableCertificatesException("the private key does not belong to the server certificate "
                    + subject + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
