package io.gatehouse.pki.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates the operator supplies, used exactly as given once they pass the checks a TLS client
 * would make: the key belongs to the certificate, the chain leads to the CA, nothing has expired.
 * A failed check is an error naming the file; there is no fallback to generated certificates,
 * because clients configured to trust the operator's CA would then fail in a less obvious way.
 */
final class OperatorCertificates {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorCertificates.class);
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private OperatorCertificates() {
    }

    static CertificateSet load(PkiSettings settings, Clock clock) throws PemException {
        PkiSettings.OperatorFiles files = settings.operatorFiles();
        Path certificateFile = readable(files.serverCertificate(), "serverCertificateFile");
        Path keyFile = readable(files.serverKey(), "serverKeyFile");
        Path caFile = readable(files.caCertificate(), "caCertificateFile");
        Instant now = clock.instant();

        List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        List<X509Certificate> cas = PemFiles.readCertificates(caFile);
        X509Certificate server = chain.get(0);

        for (X509Certificate certificate : chain) {
            checkValidity(certificateFile, certificate, now);
        }
        if (!KeyMatch.supported(key.getAlgorithm())) {
            throw new PemException(keyFile, "holds a " + key.getAlgorithm() + " key; supported are EC, RSA and EdDSA");
        }
        if (!KeyMatch.matches(key, server.getPublicKey())) {
            throw new PemException(keyFile, "does not hold the private key of the certificate "
                    + Certificates.describe(server) + " in " + certificateFile);
        }
        checkServerUsage(certificateFile, server);
        X509Certificate anchor = verifyChain(certificateFile, caFile, chain, cas, now);
        checkValidity(caFile, anchor, now);

        List<X509Certificate> presented = new ArrayList<>(chain);
        if (presented.stream().noneMatch(anchor::equals)) {
            presented.add(anchor);
        }
        if (!settings.hosts().gatewayNamedBy(server)) {
            LOG.warn("The server certificate {} in {} does not name gatewayHostName '{}'; clients that verify "
                    + "that host name will refuse it", Certificates.describe(server), certificateFile,
                    settings.hosts().gateway());
        }
        warnIfExpiring(settings, presented, certificateFile, now);
        LOG.info("Using the operator's server certificate {} from {}, trusted through {} in {}",
                Certificates.describe(server), certificateFile, Certificates.describe(anchor), caFile);
        return new CertificateSet(presented, key, caFile, null);
    }

    /** Logs a warning when a certificate of the set ends within renewBeforeDays; this bundle never renews them. */
    static void warnIfExpiring(PkiSettings settings, List<X509Certificate> certificates, Path file, Instant now) {
        Instant horizon = now.plus(settings.renewBefore());
        for (X509Certificate certificate : certificates) {
            if (Certificates.notAfter(certificate).isBefore(horizon)) {
                LOG.warn("The operator-supplied certificate {} ({}) expires within renewBeforeDays ({}); replace it "
                        + "before then", Certificates.describe(certificate), file, settings.renewBeforeDays());
            }
        }
    }

    private static Path readable(Path file, String key) throws PemException {
        Path absolute = file.toAbsolutePath();
        if (!Files.isRegularFile(absolute)) {
            throw new PemException(absolute, "(" + key + ") does not exist or is not a file");
        }
        if (!Files.isReadable(absolute)) {
            throw new PemException(absolute, "(" + key + ") is not readable by this process");
        }
        return absolute;
    }

    private static void checkValidity(Path file, X509Certificate certificate, Instant now) throws PemException {
        try {
            certificate.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new PemException(file, "holds the certificate " + Certificates.describe(certificate)
                    + ", which expired on " + Certificates.notAfter(certificate));
        } catch (CertificateNotYetValidException e) {
            throw new PemException(file, "holds the certificate " + Certificates.describe(certificate)
                    + ", which is not valid before " + certificate.getNotBefore().toInstant());
        }
    }

    private static void checkServerUsage(Path file, X509Certificate server) throws PemException {
        List<String> usages;
        try {
            usages = server.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new PemException(file, "has an unreadable extended key usage extension");
        }
        if (usages != null && !usages.contains(SERVER_AUTH) && !usages.contains(ANY_EXTENDED_KEY_USAGE)) {
            throw new PemException(file, "holds the certificate " + Certificates.describe(server)
                    + ", whose extended key usage does not allow TLS server authentication (serverAuth)");
        }
        if (server.getBasicConstraints() >= 0) {
            LOG.warn("The server certificate {} in {} is itself a CA certificate", Certificates.describe(server), file);
        }
    }

    /** Validates the chain as a PKIX client would (without revocation checks) and returns the CA it ends at. */
    private static X509Certificate verifyChain(Path certificateFile, Path caFile, List<X509Certificate> chain,
                                               List<X509Certificate> cas, Instant now) throws PemException {
        Set<TrustAnchor> anchors = new HashSet<>();
        cas.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
        // A chain file often ends with the root itself; PKIX wants the path without its anchor.
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && cas.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            var result = (java.security.cert.PKIXCertPathValidatorResult)
                    CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return result.getTrustAnchor().getTrustedCert();
        } catch (CertPathValidatorException e) {
            throw new PemException(certificateFile, "does not verify against the CA in " + caFile + ": "
                    + HostNames.printable(String.valueOf(e.getMessage())));
        } catch (GeneralSecurityException e) {
            throw new PemException(certificateFile, "could not be checked against " + caFile + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
