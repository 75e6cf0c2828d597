package io.gatehouse.pki.internal;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What the hub presents: the server chain and its key, and the CA file clients trust.
 * {@code renewalDue} is when the generated set must be renewed; null for an operator's set,
 * which this bundle never renews.
 */
record CertificateSet(List<X509Certificate> chain, PrivateKey privateKey, Path caFile, Instant renewalDue) {

    CertificateSet {
        chain = List.copyOf(chain);
    }

    X509Certificate server() {
        return chain.get(0);
    }

    /** Leaves the private key out, so the set can never end up in a log line by accident. */
    @Override
    public String toString() {
        return "CertificateSet[server=" + Certificates.describe(server()) + ", caFile=" + caFile + "]";
    }
}
