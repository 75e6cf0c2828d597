package io.gatehouse.upstream.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sockets to the parent with Nagle's algorithm off. Telemetry goes as many small PUBLISH packets
 * with several in flight; with Nagle on, each one after the first waits for the parent's (delayed)
 * TCP ACK of the one before, which caps a connection at a few thousand messages per second.
 */
final class NoDelaySocketFactory extends SSLSocketFactory {
    private final SocketFactory delegate;

    private NoDelaySocketFactory(SocketFactory delegate) {
        this.delegate = delegate;
    }

    /** TLS sockets of {@code tls}, without Nagle. */
    static SSLSocketFactory tls(SSLSocketFactory tls) {
        return new NoDelaySocketFactory(tls);
    }

    /** Plain TCP sockets without Nagle (not an {@link SSLSocketFactory}: Paho refuses one for tcp://). */
    static SocketFactory plain() {
        SocketFactory plain = SocketFactory.getDefault();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return noDelay(plain.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return noDelay(plain.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return noDelay(plain.createSocket(host, port, localHost, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return noDelay(plain.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return noDelay(plain.createSocket(address, port, localAddress, localPort));
            }
        };
    }

    private static Socket noDelay(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
    }

    private SSLSocketFactory tlsDelegate() {
        return (SSLSocketFactory) delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tlsDelegate().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tlsDelegate().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return noDelay(tlsDelegate().createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
}
