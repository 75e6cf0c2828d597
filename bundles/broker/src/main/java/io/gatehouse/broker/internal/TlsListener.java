package io.gatehouse.broker.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT-over-TLS listener, open while the hub has certificates to present.
 *
 * <p>New certificates (a renewal) replace the TLS context of the open socket: connections
 * accepted from then on get the new certificates, established ones keep theirs, and the port is
 * never closed, so a client is not refused during a renewal. When the certificates go away the
 * socket closes; established TLS connections are left to finish, since their clients
 * authenticated with SAS tokens and a pki bundle update is no reason to drop them. Certificates
 * that cannot be used are refused with the reason and change nothing.
 */
final class TlsListener {
    private static final Logger LOG = LoggerFactory.getLogger(TlsListener.class);

    private final ServerBootstrap bootstrap;
    private final String host;
    private final int port;
    private volatile SslContext context;
    private Channel channel;

    /** {@code bootstrap} has its groups and options set; the TLS pipeline is added here. */
    TlsListener(ServerBootstrap bootstrap, MqttPipeline pipeline, String host, int port) {
        this.bootstrap = bootstrap.clone().childHandler(pipeline.tls(() -> context));
        this.host = host;
        this.port = port;
    }

    /** Presents {@code certificates} from now on, opening the socket if it is not open. */
    synchronized void present(EdgeCertificates certificates) {
        ServerSslContexts.ServerTls next;
        try {
            next = ServerSslContexts.build(certificates);
        } catch (ServerSslContexts.UnusableCertificatesException e) {
            LOG.error("TLS certificates refused: {}; the TLS listener {}", e.getMessage(),
                    channel != null ? "keeps presenting the previous certificates" : "stays closed");
            return;
        }
        X509Certificate server = next.serverCertificate();
        warnIfNotValidNow(server);
        context = next.context();
        if (channel != null) {
            LOG.info("MQTT over TLS on {} now presents {} (valid until {}); established connections keep theirs",
                    channel.localAddress(), server.getSubjectX500Principal().getName(), server.getNotAfter().toInstant());
            return;
        }
        Object caFile = caFileOf(certificates);
        try {
            channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            // sync() rethrows the bind failure (e.g. BindException) unchecked
            LOG.error("MQTT over TLS could not listen on {}:{}: {}; plain MQTT is not affected, "
                    + "the next certificate change tries again", host, port, e.toString());
            return;
        }
        LOG.info("MQTT over TLS listening on {} with {} (valid until {}, {}); clients trust the CA in {}",
                channel.localAddress(), server.getSubjectX500Principal().getName(),
                server.getNotAfter().toInstant(), String.join("/", ServerSslContexts.PROTOCOLS), caFile);
    }

    /** The certificates went away: no new TLS connections until others come. */
    synchronized void withdraw() {
        context = null;
        if (channel == null) return;
        Object address = channel.localAddress();
        channel.close().syncUninterruptibly();
        channel = null;
        LOG.warn("MQTT over TLS closed on {}: the certificates are gone; TLS is off until the pki bundle "
                + "provides EdgeCertificates again (established TLS connections go on)", address);
    }

    synchronized void close() {
        context = null;
        if (channel != null) channel.close().syncUninterruptibly();
        channel = null;
    }

    /** The port bound, or -1 while the listener is closed. */
    synchronized int boundPort() {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private static Object caFileOf(EdgeCertificates certificates) {
        try {
            return certificates.caCertificateFile();
        } catch (RuntimeException e) {
            return "(unknown: " + e + ")";
        }
    }

    private static void warnIfNotValidNow(X509Certificate server) {
        try {
            server.checkValidity();
        } catch (CertificateException e) {
            LOG.warn("The server certificate {} is not valid now ({}); clients will refuse it",
                    server.getSubjectX500Principal().getName(), e.getMessage());
        }
    }
}
