package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.Identity;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * X.509 thumbprints as IoT Hub registers them: the SHA-1 (40 hex digits) or SHA-256 (64) digest
 * of the DER certificate, upper case.
 */
final class CertificateThumbprints {

    private CertificateThumbprints() {
    }

    /** Null when the text is a well-formed thumbprint (after {@link Identity}'s normalisation), else why not. */
    static String formatFailure(String thumbprint) {
        if (thumbprint.length() != 40 && thumbprint.length() != 64) {
            return "has " + thumbprint.length() + " hex digits; a SHA-1 thumbprint has 40, a SHA-256 one 64";
        }
        for (int i = 0; i < thumbprint.length(); i++) {
            if (Character.digit(thumbprint.charAt(i), 16) < 0) {
                return "is not hexadecimal (character " + (i + 1) + ")";
            }
        }
        return null;
    }

    /** Whether the certificate's digest of the thumbprint's length equals the primary or secondary one. */
    static boolean matchesEither(X509Certificate certificate, Identity identity) {
        byte[] der;
        try {
            der = certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            return false;
        }
        String sha1 = digest("SHA-1", der);
        String sha256 = digest("SHA-256", der);
        boolean matched = false;
        for (String registered : new String[] {identity.primaryThumbprint(), identity.secondaryThumbprint()}) {
            if (registered == null) continue;
            String actual = registered.length() == 40 ? sha1 : sha256;
            matched |= MessageDigest.isEqual(actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    registered.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return matched;
    }

    private static String digest(String algorithm, byte[] der) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance(algorithm).digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
