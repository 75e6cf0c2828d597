package io.gatehouse.headsupport.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate. A key that does not would only show as failed
 * handshakes on every client, so it is caught before the key is presented, by signing a nonce
 * and verifying it with the certificate.
 */
public final class KeyCertificateMatch {
    private KeyCertificateMatch() {
    }

    /** Returns quietly when they match, or when the key's algorithm is one left to the handshake. */
    public static void check(PrivateKey key, X509Certificate certificate) throws UnusableCertificatesException {
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
