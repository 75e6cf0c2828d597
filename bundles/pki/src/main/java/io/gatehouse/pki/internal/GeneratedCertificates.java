package io.gatehouse.pki.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge CA and server certificate this bundle makes itself, kept as PEM files in one directory.
 * Reuses what is there while it is sound; renews the server certificate when it nears its end or
 * names other hosts, and replaces everything when the CA nears its end or cannot be read. Files
 * that are replaced because they are unusable or because the CA changes are moved aside, not deleted.
 */
final class GeneratedCertificates {

    static final String CA_CERTIFICATE = "edge-ca.pem";
    static final String CA_KEY = "edge-ca.key.pem";
    static final String SERVER_CERTIFICATE = "server.pem";
    static final String SERVER_KEY = "server.key.pem";
    static final String CA_NAME_PREFIX = "Gatehouse Edge CA ";

    private static final Logger LOG = LoggerFactory.getLogger(GeneratedCertificates.class);

    private final PkiSettings settings;
    private final CertificateIssuer issuer;
    private final Clock clock;
    private final Path directory;

    GeneratedCertificates(PkiSettings settings, CertificateIssuer issuer, Clock clock) {
        this.settings = settings;
        this.issuer = issuer;
        this.clock = clock;
        this.directory = settings.directory().toAbsolutePath();
    }

    CertificateSet loadOrCreate() throws IOException, GeneralSecurityException {
        PemFiles.prepareDirectory(directory);
        Instant now = clock.instant();
        CertificateIssuer.Issued ca = usableCa(now);
        boolean newCa = ca == null;
        if (newCa) {
            ca = createCa(now);
        }
        CertificateIssuer.Issued server = newCa ? null : usableServer(ca, now);
        if (server == null) {
            server = createServer(ca, now);
        } else {
            LOG.info("Using the server certificate {} for {}", Certificates.describe(server.certificate()),
                    settings.hosts());
        }
        Instant renewalDue = earlier(Certificates.notAfter(server.certificate()),
                Certificates.notAfter(ca.certificate())).minus(settings.renewBefore());
        return new CertificateSet(List.of(server.certificate(), ca.certificate()), server.keys().getPrivate(),
                file(CA_CERTIFICATE), renewalDue);
    }

    /** The stored CA if it is sound and not near its end; otherwise null, with the old files moved aside. */
    private CertificateIssuer.Issued usableCa(Instant now) throws IOException {
        Path certificateFile = file(CA_CERTIFICATE);
        Path keyFile = file(CA_KEY);
        if (!exists(certificateFile) && !exists(keyFile)) {
            LOG.info("No edge CA in {} yet; creating one", directory);
            return null;
        }
        try {
            CertificateIssuer.Issued ca = read(certificateFile, keyFile);
            X509Certificate certificate = ca.certificate();
            if (!Certificates.isCa(certificate) || !Certificates.issuedBy(certificate, certificate)) {
                throw new PemException(certificateFile, "is not a self-signed CA certificate");
            }
            if (dueBy(certificate, now)) {
                LOG.warn("The edge CA {} expires within renewBeforeDays ({}); replacing the CA and the server "
                        + "certificate. Modules and devices must trust the new {}", Certificates.describe(certificate),
                        settings.renewBeforeDays(), certificateFile);
                moveAside("replaced", certificateFile, keyFile);
                return null;
            }
            LOG.info("Using the edge CA {} from {}", Certificates.describe(certificate), certificateFile);
            return ca;
        } catch (PemException e) {
            LOG.warn("The stored edge CA cannot be used: {}; moving the CA files aside and creating a new CA. "
                    + "Modules and devices must trust the new {}", e.getMessage(), certificateFile);
            moveAside("unreadable", certificateFile, keyFile);
            return null;
        }
    }

    /** The stored server certificate if it is sound, issued by the CA, current and for the configured hosts. */
    private CertificateIssuer.Issued usableServer(CertificateIssuer.Issued ca, Instant now) throws IOException {
        Path certificateFile = file(SERVER_CERTIFICATE);
        Path keyFile = file(SERVER_KEY);
        if (!exists(certificateFile) && !exists(keyFile)) {
            LOG.info("No server certificate in {} yet; creating one", directory);
            return null;
        }
        CertificateIssuer.Issued server;
        try {
            server = read(certificateFile, keyFile);
            if (!Certificates.issuedBy(server.certificate(), ca.certificate())) {
                throw new PemException(certificateFile, "was not issued by the edge CA in " + file(CA_CERTIFICATE));
            }
        } catch (PemException e) {
            LOG.warn("The stored server certificate cannot be used: {}; moving it aside and issuing a new one",
                    e.getMessage());
            moveAside("unreadable", certificateFile, keyFile);
            return null;
        }
        X509Certificate certificate = server.certificate();
        if (dueBy(certificate, now)) {
            LOG.info("The server certificate {} expires within renewBeforeDays ({}); renewing it",
                    Certificates.describe(certificate), settings.renewBeforeDays());
            return null;
        }
        if (!settings.hosts().matchedExactlyBy(certificate)
                || !CertificateIssuer.commonName(settings.hosts().gateway()).equals(Certificates.commonName(certificate))) {
            LOG.info("The server certificate {} names other hosts than the configured {}; issuing a new one",
                    Certificates.describe(certificate), settings.hosts());
            return null;
        }
        return server;
    }

    private CertificateIssuer.Issued createCa(Instant now) throws IOException, GeneralSecurityException {
        CertificateIssuer.Issued ca = issuer.edgeCa(CA_NAME_PREFIX + settings.deviceId(), now,
                now.plus(Duration.ofDays(settings.caValidityDays())));
        // Key first: a crash between the two writes leaves a pair that does not match, which the next start replaces.
        PemFiles.writePrivateKey(file(CA_KEY), ca.keys().getPrivate());
        PemFiles.writeCertificates(file(CA_CERTIFICATE), List.of(ca.certificate()));
        LOG.info("Created the edge CA {} in {} (SHA-256 fingerprint {})", Certificates.describe(ca.certificate()),
                file(CA_CERTIFICATE), Certificates.sha256Fingerprint(ca.certificate()));
        return ca;
    }

    private CertificateIssuer.Issued createServer(CertificateIssuer.Issued ca, Instant now)
            throws IOException, GeneralSecurityException {
        CertificateIssuer.Issued server = issuer.server(settings.hosts(), ca, now,
                now.plus(Duration.ofDays(settings.serverValidityDays())));
        PemFiles.writePrivateKey(file(SERVER_KEY), server.keys().getPrivate());
        PemFiles.writeCertificates(file(SERVER_CERTIFICATE), List.of(server.certificate(), ca.certificate()));
        LOG.info("Issued the server certificate {} for {}", Certificates.describe(server.certificate()),
                settings.hosts());
        return server;
    }

    private CertificateIssuer.Issued read(Path certificateFile, Path keyFile) throws PemException {
        if (!exists(certificateFile)) {
            throw new PemException(certificateFile, "is missing while " + keyFile.getFileName() + " exists");
        }
        if (!exists(keyFile)) {
            throw new PemException(keyFile, "is missing while " + certificateFile.getFileName() + " exists");
        }
        X509Certificate certificate = PemFiles.readCertificates(certificateFile).get(0);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        try {
            if (PemFiles.restrictToOwner(keyFile)) {
                LOG.warn("{} was readable by others; narrowed it to owner-only (0600)", keyFile);
            }
        } catch (IOException e) {
            LOG.warn("{} is readable by others and could not be narrowed to owner-only: {}", keyFile, e.toString());
        }
        if (!KeyMatch.matches(key, certificate.getPublicKey())) {
            throw new PemException(keyFile, "does not hold the private key of the certificate in " + certificateFile);
        }
        return new CertificateIssuer.Issued(certificate, new KeyPair(certificate.getPublicKey(), key));
    }

    private boolean dueBy(X509Certificate certificate, Instant now) {
        return !Certificates.notAfter(certificate).minus(settings.renewBefore()).isAfter(now);
    }

    private void moveAside(String reason, Path... files) throws IOException {
        List<String> moved = new ArrayList<>();
        for (Path file : files) {
            if (exists(file)) {
                moved.add(PemFiles.moveAside(file, reason).getFileName().toString());
            }
        }
        if (!moved.isEmpty()) {
            LOG.warn("Kept the replaced files as {} in {}", moved, directory);
        }
    }

    private Path file(String name) {
        return directory.resolve(name);
    }

    private static boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
