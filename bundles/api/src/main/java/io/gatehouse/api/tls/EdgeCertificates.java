package io.gatehouse.api.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The certificates the hub's TLS listeners present, and the CA that modules and downstream devices
 * trust to verify them. Generated on first start (an edge CA and a server certificate for the
 * gateway's host name) or supplied by the operator. A new service object is registered whenever
 * they change (renewal, new files), so a listener rebinds to pick them up.
 */
@ProviderType
public interface EdgeCertificates {

    /** The server certificate first, then the CA(s) that issued it. */
    List<X509Certificate> serverCertificateChain();

    /** The private key of the server certificate. Never logged, never written outside the data directory. */
    PrivateKey serverPrivateKey();

    /** The CA certificate clients must trust, as a PEM file a module can be handed ({@code EdgeModuleCACertificateFile}). */
    Path caCertificateFile();
}
