package io.gatehouse.pki.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes PEM files. Writes are atomic (a temporary file in the same directory, flushed,
 * then renamed over the target) so a crash never leaves half a certificate, and a private key file
 * is created owner-only before any key byte is written to it.
 */
final class PemFiles {

    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");

    private static final Map<ASN1ObjectIdentifier, String> KEY_FACTORIES = Map.of(
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            EdECObjectIdentifiers.id_Ed448, "Ed448");

    private PemFiles() {
    }

    /** All certificates in the file, in order. */
    static List<X509Certificate> readCertificates(Path file) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (!(block instanceof X509CertificateHolder holder)) {
                    throw new PemException(file, "holds a " + kind(block) + " where only certificates are expected");
                }
                certificates.add(converter.getCertificate(holder));
            }
        } catch (PemException e) {
            throw e;
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new PemException(file, "is not a readable PEM certificate file (" + describe(e) + ")");
        }
        if (certificates.isEmpty()) {
            throw new PemException(file, "contains no PEM certificate");
        }
        return List.copyOf(certificates);
    }

    /** The one private key in the file: PKCS#8 ({@code PRIVATE KEY}) or OpenSSL's EC/RSA form, unencrypted. */
    static PrivateKey readPrivateKey(Path file) throws PemException {
        Object block;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            block = parser.readObject();
            if (block != null && parser.readObject() != null) {
                throw new PemException(file, "holds more than one PEM block; expected a single private key");
            }
        } catch (PemException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Never include the parser's message text in full: it could quote key material.
            throw new PemException(file, "is not a readable PEM private key file (" + e.getClass().getSimpleName() + ")");
        }
        if (block == null) {
            throw new PemException(file, "contains no PEM private key");
        }
        if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
            throw new PemException(file, "holds an encrypted private key; supply it unencrypted (protect it with file permissions)");
        }
        PrivateKeyInfo info;
        if (block instanceof PrivateKeyInfo pkcs8) {
            info = pkcs8;
        } else if (block instanceof PEMKeyPair pair) {
            info = withEcParameters(file, pair.getPrivateKeyInfo());
        } else {
            throw new PemException(file, "holds a " + kind(block) + " where a private key is expected");
        }
        return toPrivateKey(file, info);
    }

    /**
     * OpenSSL's {@code EC PRIVATE KEY} carries the curve inside the key structure; the JDK wants it in
     * the algorithm identifier, as PKCS#8 puts it.
     */
    private static PrivateKeyInfo withEcParameters(Path file, PrivateKeyInfo info) throws PemException {
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        if (!algorithm.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) || algorithm.getParameters() != null) {
            return info;
        }
        try {
            ECPrivateKey key = ECPrivateKey.getInstance(info.parsePrivateKey());
            if (key.getParametersObject() == null) {
                throw new PemException(file, "holds an EC private key that does not name its curve");
            }
            return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                    key.getParametersObject()), key);
        } catch (IOException | RuntimeException e) {
            throw new PemException(file, "holds an EC private key that cannot be decoded (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Converts with the JDK's own key factories. BouncyCastle's converter asks for provider names
     * (such as "ECDSA") that only the BouncyCastle provider knows, and that provider is deliberately
     * not installed.
     */
    private static PrivateKey toPrivateKey(Path file, PrivateKeyInfo info) throws PemException {
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        String name = KEY_FACTORIES.get(algorithm);
        if (name == null) {
            throw new PemException(file, "holds a private key of an unsupported algorithm (" + algorithm.getId()
                    + "); supported are EC, RSA and EdDSA");
        }
        try {
            return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // The message of a failed decode is not repeated: it could quote key material.
            throw new PemException(file, "holds a " + name + " private key that cannot be decoded ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    static String encodeCertificates(List<X509Certificate> certificates) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        }
        return text.toString();
    }

    static String encodePrivateKey(PrivateKey key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        }
        return text.toString();
    }

    static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        writeAtomically(file, encodeCertificates(certificates), PUBLIC_FILE);
    }

    static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        writeAtomically(file, encodePrivateKey(key), OWNER_ONLY_FILE);
    }

    /** Narrows a private key file that someone made readable by others; returns whether it had to. */
    static boolean restrictToOwner(Path file) throws IOException {
        if (!isPosix(file.toAbsolutePath()) || Files.getPosixFilePermissions(file).equals(OWNER_ONLY_FILE)) {
            return false;
        }
        Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        return true;
    }

    /** Creates the directory owner-only, or narrows an existing one to owner-only. */
    static void prepareDirectory(Path directory) throws IOException {
        if (isPosix(directory.getFileSystem().getPath("").toAbsolutePath())) {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            }
            Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
        } else {
            Files.createDirectories(directory);
        }
    }

    /**
     * Renames the file to {@code <name>.<reason>-<n>} next to it rather than deleting it, so an
     * operator can still inspect what was replaced.
     */
    static Path moveAside(Path file, String reason) throws IOException {
        for (int n = 1; ; n++) {
            Path target = file.resolveSibling(file.getFileName() + "." + reason + "-" + n);
            if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.move(file, target);
                return target;
            }
        }
    }

    private static void writeAtomically(Path file, String text, Set<PosixFilePermission> permissions) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = directory.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        boolean posix = isPosix(directory);
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
        try {
            try (FileChannel channel = FileChannel.open(temporary,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                channel.write(StandardCharsets.US_ASCII.encode(text));
                channel.force(true);
            }
            if (posix) {
                // The umask may have narrowed the creation mode; set it exactly.
                Files.setPosixFilePermissions(temporary, permissions);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file " + temporary + " appeared while writing; is another process writing here?", e);
        } finally {
            Files.deleteIfExists(temporary);
        }
        syncDirectory(directory);
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open a directory; the rename is still atomic there.
        }
    }

    static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String kind(Object block) {
        if (block instanceof PrivateKeyInfo || block instanceof PEMKeyPair
                || block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
            return "private key";
        }
        if (block instanceof X509CertificateHolder) {
            return "certificate";
        }
        return block.getClass().getSimpleName();
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : HostNames.printable(message);
    }
}
