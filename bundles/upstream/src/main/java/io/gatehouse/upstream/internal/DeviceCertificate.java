package io.gatehouse.upstream.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManager;

/**
 * This edge device's X.509 identity at the parent: its certificate (optionally followed by the
 * chain) and the private key, read from PEM files and checked to belong together. The parent
 * recognises the certificate by thumbprint. {@link #toString()} names the certificate, never the key.
 */
final class DeviceCertificate {
    private static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String END_CERTIFICATE = "-----END CERTIFICATE-----";
    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private DeviceCertificate(List<X509Certificate> chain, PrivateKey key) {
        this.chain = List.copyOf(chain);
        this.key = key;
    }

    /**
     * @throws IllegalArgumentException why not, naming the file (never its content)
     */
    static DeviceCertificate load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("keyFile '" + keyFile + "' cannot be read: " + unreadable(e));
        }
        PrivateKey key;
        try {
            key = PemPrivateKeys.read(pem, chain.get(0).getPublicKey());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keyFile '" + keyFile + "' cannot be used: " + e.getMessage());
        }
        if (!belongTogether(key, chain.get(0))) {
            throw new IllegalArgumentException("keyFile '" + keyFile + "' holds a key that does not belong to the "
                    + "certificate in certFile '" + certFile + "'");
        }
        return new DeviceCertificate(chain, key);
    }

    /** The CERTIFICATE blocks of the file, in order; other blocks (a key kept in the same file) are passed over. */
    private static List<X509Certificate> certificates(Path certFile) {
        String pem;
        try {
            pem = Files.readString(certFile, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("certFile '" + certFile + "' cannot be read: " + unreadable(e));
        }
        List<X509Certificate> chain = new ArrayList<>();
        int from = 0;
        while (true) {
            int begin = pem.indexOf(BEGIN_CERTIFICATE, from);
            if (begin < 0) break;
            int end = pem.indexOf(END_CERTIFICATE, begin);
            if (end < 0) {
                throw new IllegalArgumentException("certFile '" + certFile + "' has a certificate without its END line");
            }
            from = end + END_CERTIFICATE.length();
            byte[] block = pem.substring(begin, from).getBytes(StandardCharsets.ISO_8859_1);
            try (InputStream in = new ByteArrayInputStream(block)) {
                Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
                if (c instanceof X509Certificate x509) chain.add(x509);
            } catch (IOException | CertificateException e) {
                throw new IllegalArgumentException("certFile '" + certFile + "' holds an unreadable certificate (number "
                        + (chain.size() + 1) + "): " + e.getMessage());
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certFile '" + certFile + "' holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        return chain;
    }

    private static String unreadable(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /** Signs a nonce with the key and verifies it with the certificate; unknown algorithms are left to the handshake. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true;
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
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    X509Certificate certificate() {
        return chain.get(0);
    }

    /** The key manager of the TLS handshake, presenting this certificate (and its chain). */
    KeyManager keyManager() {
        return new DeviceKeyManager(chain.toArray(X509Certificate[]::new), key);
    }

    /** SHA-256 of the DER certificate, upper-case hex: what the parent registers as its thumbprint. */
    String thumbprint() {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(certificate().getEncoded()));
        } catch (GeneralSecurityException e) {
            return "?";
        }
    }

    /** Why the parent will refuse it at {@code now} (expired, not yet valid), or null. */
    String invalidAt(Instant now) {
        X509Certificate c = certificate();
        if (now.isAfter(c.getNotAfter().toInstant())) return "it expired at " + c.getNotAfter().toInstant();
        if (now.isBefore(c.getNotBefore().toInstant())) return "it is valid only from " + c.getNotBefore().toInstant();
        return null;
    }

    @Override
    public String toString() {
        return certificate().getSubjectX500Principal().getName() + " (SHA-256 " + thumbprint() + ", valid until "
                + certificate().getNotAfter().toInstant() + ")";
    }
}
