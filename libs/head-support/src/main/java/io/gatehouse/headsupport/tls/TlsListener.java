package io.gatehouse.headsupport.tls;

import io.gatehouse.api.tls.EdgeCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A head's TLS listener, open while the hub has certificates to present.
 *
 * <p>New certificates (a renewal) replace the TLS context of the open socket: connections
 * accepted from then on get the new certificates, established ones keep theirs, and the port is
 * never closed, so a client is not refused during a renewal. When the certificates go away the
 * socket closes; established TLS connections are left to finish, since a pki bundle update is no
 * reason to drop them. Certificates that cannot be used are refused with the reason and change
 * nothing.
 */
public final class TlsListener {
    /** The name of the TLS handler, first in every connection's pipeline. */
    public static final String TLS_HANDLER = "tls";
    private static final Logger LOG = LoggerFactory.getLogger(TlsListener.class);

    private final String label;
    private final ServerBootstrap bootstrap;
    private final String host;
    private final int port;
    private volatile SslContext context;
    private Channel channel;

    /**
     * @param label what the logs call it, e.g. "AMQPS" or "MQTT over TLS"
     * @param bootstrap has its groups and options set; the TLS handler is added here
     * @param protocolHandlers adds the protocol's handlers after the TLS handler
     */
    public TlsListener(String label, ServerBootstrap bootstrap, Consumer<Channel> protocolHandlers, String host, int port) {
        this.label = label;
        // the context current when the connection is accepted: it keeps those certificates when they are replaced later
        this.bootstrap = bootstrap.clone().childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslContext tls = context;
                if (tls == null) {
                    ch.close(); // the certificates went away between the accept and this
                    return;
                }
                ch.pipeline().addLast(TLS_HANDLER, tls.newHandler(ch.alloc()));
                protocolHandlers.accept(ch);
            }
        });
        this.host = host;
        this.port = port;
    }

    /** Presents {@code certificates} from now on, opening the socket if it is not open. */
    public synchronized void present(EdgeCertificates certificates) {
        ServerTls next;
        try {
            next = ServerTls.build(certificates);
        } catch (UnusableCertificatesException e) {
            LOG.error("TLS certificates refused: {}; {} {}", e.getMessage(), label,
                    channel != null ? "keeps presenting the previous certificates" : "stays closed");
            return;
        }
        X509Certificate server = next.serverCertificate();
        warnIfNotValidNow(server);
        context = next.context();
        if (channel != null) {
            LOG.info("{} on {} now presents {} (valid until {}); established connections keep theirs",
                    label, channel.localAddress(), server.getSubjectX500Principal().getName(),
                    server.getNotAfter().toInstant());
            return;
        }
        Object caFile = caFileOf(certificates);
        try {
            channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            // sync() rethrows the bind failure (e.g. BindException) unchecked
            LOG.error("{} could not listen on {}:{}: {}; the next certificate change tries again", label, host, port,
                    e.toString());
            return;
        }
        LOG.info("{} listening on {} with {} (valid until {}, {}); clients trust the CA in {}",
                label, channel.localAddress(), server.getSubjectX500Principal().getName(),
                server.getNotAfter().toInstant(), String.join("/", ServerTls.PROTOCOLS), caFile);
    }

    /** The certificates went away: no new TLS connections until others come. */
    public synchronized void withdraw() {
        context = null;
        if (channel == null) return;
        Object address = channel.localAddress();
        channel.close().syncUninterruptibly();
        channel = null;
        LOG.warn("{} closed on {}: the certificates are gone; it reopens when the pki bundle provides "
                + "EdgeCertificates again (established connections go on)", label, address);
    }

    public synchronized void close() {
        context = null;
        if (channel != null) channel.close().syncUninterruptibly();
        channel = null;
    }

    /** The port bound, or -1 while the listener is closed. */
    public synchronized int boundPort() {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public String toString() {
        return label + " on " + host + ":" + port;
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
