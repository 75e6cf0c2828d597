package io.gatehouse.headsupport.tls;

import io.gatehouse.api.tls.EdgeCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EdgeCertificates} a head is bound to, and its TLS listener if it has one. DS may
 * bind, rebind (greedily: the successor before the predecessor goes) and unbind the certificates
 * before, during and after the head's activation; whatever the order, the listener presents the
 * certificates bound last, or stays closed while there are none.
 */
public final class CertificatesBinding {
    private static final Logger LOG = LoggerFactory.getLogger(CertificatesBinding.class);

    private EdgeCertificates certificates;
    private TlsListener listener;

    public synchronized void bind(EdgeCertificates c) {
        certificates = c;
        if (listener != null) listener.present(c);
    }

    public synchronized void unbind(EdgeCertificates c) {
        if (certificates != c) return; // a greedy rebind bound the successor first: this one is no longer current
        certificates = null;
        if (listener != null) listener.withdraw();
    }

    /** Takes {@code tls} as the listener; it opens now if certificates are bound, otherwise once they are. */
    public synchronized void open(TlsListener tls) {
        listener = tls;
        if (certificates != null) {
            tls.present(certificates);
        } else {
            // INFO, not WARN: at every start the head usually activates before the pki bundle
            LOG.info("{} opens once the pki bundle provides the certificates", tls);
        }
    }

    /** The TLS port bound, or -1 while there is no open listener. */
    public synchronized int boundPort() {
        return listener == null ? -1 : listener.boundPort();
    }

    /** Closes the listener; the certificates stay bound for a next {@link #open}. */
    public synchronized void close() {
        if (listener != null) listener.close();
        listener = null;
    }
}
