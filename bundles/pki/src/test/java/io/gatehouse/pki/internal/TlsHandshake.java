package io.gatehouse.pki.internal;

import io.gatehouse.api.tls.EdgeCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real TLS connection over loopback: a JSSE server presenting the service's chain and key, and a
 * client that trusts only the CA file and verifies the host name as HTTPS clients do.
 */
final class TlsHandshake {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int PAYLOAD = 42;

    private TlsHandshake() {
    }

    /** Connects as a client that asked for {@code hostName}; returns the byte the server sent after the handshake. */
    static int connect(EdgeCertificates certificates, String hostName) throws Exception {
        SSLContext server = serverContext(certificates);
        SSLContext client = clientContext(certificates.caCertificateFile());
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(TIMEOUT_MILLIS);
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listener.accept()) {
                    accepted.setSoTimeout(TIMEOUT_MILLIS);
                    accepted.startHandshake();
                    accepted.getOutputStream().write(PAYLOAD);
                    accepted.getOutputStream().flush();
                    accepted.getInputStream().read();
                } catch (IOException e) {
                    // The client refusing the server certificate ends the server side here.
                }
            });
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                 SSLSocket socket = (SSLSocket) client.getSocketFactory()
                         .createSocket(plain, hostName, listener.getLocalPort(), true)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.startHandshake();
                return socket.getInputStream().read();
            } finally {
                serverSide.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static SSLContext serverContext(EdgeCertificates certificates) throws Exception {
        char[] password = "not-a-secret".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", certificates.serverPrivateKey(), password,
                certificates.serverCertificateChain().toArray(X509Certificate[]::new));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext clientContext(Path caFile) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int index = 0;
            for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca" + index++, ca);
            }
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return context;
    }
}
