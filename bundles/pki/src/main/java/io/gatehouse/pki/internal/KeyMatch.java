package io.gatehouse.pki.internal;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/**
 * Whether a private key belongs to a certificate's public key, proven by signing a random challenge
 * and verifying it: that works the same for EC, RSA and EdDSA keys without deriving public points.
 */
final class KeyMatch {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMatch() {
    }

    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equalsIgnoreCase(publicKey.getAlgorithm())
                && !(isEdDsa(privateKey.getAlgorithm()) && isEdDsa(publicKey.getAlgorithm()))) {
            return false;
        }
        String algorithm = signatureFor(privateKey.getAlgorithm());
        if (algorithm == null) {
            return false;
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean supported(String keyAlgorithm) {
        return signatureFor(keyAlgorithm) != null;
    }

    private static String signatureFor(String keyAlgorithm) {
        return switch (keyAlgorithm.toUpperCase(java.util.Locale.ROOT)) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "ED25519", "ED448", "EDDSA" -> "EdDSA";
            default -> null;
        };
    }

    private static boolean isEdDsa(String algorithm) {
        return algorithm.toUpperCase(java.util.Locale.ROOT).startsWith("ED");
    }
}
