package io.gatehouse.broker.internal;

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

/** Builds the server side TLS context of the hub's listener from {@link EdgeCertificates}. */
final class ServerSslContexts {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); IoT Hub and the device SDKs speak 1.2. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private ServerSslContexts() {
    }

    /** Certificates the listener cannot present; the message says why and holds no key material. */
    static final class UnusableCertificatesException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableCertificatesException(String reason) {
            super(reason);
        }
    }

    /** A TLS context and the server certificate it presents (for the logs). */
    record ServerTls(SslContext context, X509Certificate serverCertificate) {
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
                    // SAS clients send no certificate; an X.509 client's is checked at CONNECT by thumbprint
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(new ThumbprintPinnedClients())
                    .build(), chain.get(0));
        } catch (Exception e) {
            throw new UnusableCertificatesException("TLS context could not be built: " + e.getMessage());
        }
    }

    /**
     * A key that does not belong to the certificate would only show as failed handshakes on every
     * client, so it is caught here by signing a nonce and verifying it with the certificate.
     */
    private static void checkKeyMatches(PrivateKey key, X509Certificate certificate) throws UnusableCertificatesException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // left to the handshake
        };
        if (algorithm == null) return;
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
                throw new UnusableCertificatesException("the private key does not belong to the server certificate "
                        + certificate.getSubjectX500Principal().getName());
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UnusableCertificatesException("the private key does not belong to the server certificate "
                    + certificate.getSubjectX500Principal().getName() + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
