package io.gatehouse.amqp.internal;

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
 * The AMQPS listener, open while the hub has certificates to present. A renewal replaces the TLS
 * context for new connections without closing the port; when the certificates go away the port
 * closes and established connections are left to finish.
 * Certificates that cannot be used are refused with the reason and change nothing.
 */
final class TlsListener {
    private static final Logger LOG = LoggerFactory.getLogger(TlsListener.class);

    private final ServerBootstrap bootstrap;
    private final String host;
    private final int port;
    private volatile SslContext context;
    private Channel channel;

    /** {@code pipeline} adds the AMQP handlers after the TLS handler added here. */
    TlsListener(ServerBootstrap bootstrap, Consumer<Channel> pipeline, String host, int port) {
        this.bootstrap = bootstrap.clone().childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslContext tls = context;
                if (tls == null) {
                    ch.close(); // certificates withdrawn between accept and now
                    return;
                }
                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                pipeline.accept(ch);
            }
        });
        this.host = host;
        this.port = port;
    }

    synchronized void present(EdgeCertificates certificates) {
        ServerTls next;
        try {
            next = ServerTls.build(certificates);
        } catch (ServerTls.UnusableCertificatesException e) {
            LOG.error("TLS certificates refused: {}; the AMQPS listener {}", e.getMessage(),
                    channel != null ? "keeps presenting the previous certificates" : "stays closed");
            return;
        }
        X509Certificate server = next.serverCertificate();
        try {
            server.checkValidity();
        } catch (CertificateException e) {
            LOG.warn("The server certificate {} is not valid now ({}); clients will refuse it",
                    server.getSubjectX500Principal().getName(), e.getMessage());
        }
        context = next.context();
        if (channel != null) {
            LOG.info("AMQPS on {} now presents {} (valid until {}); established connections keep theirs",
                    channel.localAddress(), server.getSubjectX500Principal().getName(), server.getNotAfter().toInstant());
            return;
        }
        try {
            channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
        } catch (Exception e) {
            LOG.error("AMQPS could not listen on {}:{}: {}; the next certificate change tries again", host, port, e.toString());
            return;
        }
        Object caFile;
        try {
            caFile = certificates.caCertificateFile();
        } catch (RuntimeException e) {
            caFile = "(unknown: " + e + ")";
        }
        LOG.info("AMQPS listening on {} with {} (valid until {}, {}); clients trust the CA in {}",
                channel.localAddress(), server.getSubjectX500Principal().getName(),
                server.getNotAfter().toInstant(), String.join("/", ServerTls.PROTOCOLS), caFile);
    }

    synchronized void withdraw() {
        context = null;
        if (channel == null) return;
        Object address = channel.localAddress();
        channel.close().syncUninterruptibly();
        channel = null;
        LOG.warn("AMQPS closed on {}: the certificates are gone; it reopens when the pki bundle provides "
                + "EdgeCertificates again (established connections go on)", address);
    }

    synchronized void close() {
        context = null;
        if (channel != null) channel.close().syncUninterruptibly();
        channel = null;
    }

    synchronized int boundPort() {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }
}
