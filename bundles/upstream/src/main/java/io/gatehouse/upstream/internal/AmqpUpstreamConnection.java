package io.gatehouse.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one AMQP connection to the parent: a Proton-J engine (transport, connection, collector) over
 * a blocking socket. One reader thread feeds what arrives into the engine; any thread may act on
 * the engine through {@link #call}/{@link #execute}. Every engine access holds this object's lock,
 * and after each one the engine's events are handled and its output written, so nothing waits for
 * a poll. Once closed, for whatever reason, it stays closed: the runtime opens a new one.
 */
final class AmqpUpstreamConnection {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpUpstreamConnection.class);
    /** The local idle timeout; Proton advertises half of it, so the parent hears from us well within 2 min. */
    static final int IDLE_TIMEOUT_MILLIS = 240_000;
    private static final long TICK_MILLIS = 1_000;

    private final Transport transport = Proton.transport();
    private final Connection connection = Proton.connection();
    private final Collector collector = Proton.collector();
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    /** Proton's clock for idle timeouts: monotonic milliseconds, never 0 or negative. */
    private final long clockBase = System.nanoTime();
    private final List<Consumer<String>> closeListeners = new ArrayList<>(); // guarded by this
    private volatile String closedReason;
    private ScheduledFuture<?> ticker;

    private AmqpUpstreamConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, authenticates with SASL ANONYMOUS, or EXTERNAL when TLS carries this gateway's
     * certificate (identities authenticate later, each by CBS), and waits for the parent's open.
     *
     * @param tls null for plain AMQP
     * @throws UpstreamException unreachable, TLS refused (certificate, host name), no open in time
     */
    static AmqpUpstreamConnection open(UpstreamSettings settings, SSLSocketFactory tls, ScheduledExecutorService timer)
            throws UpstreamException {
        int timeout = (int) Math.min(Integer.MAX_VALUE, settings.operationTimeout().toMillis());
        Socket socket = new Socket();
        AmqpUpstreamConnection c;
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.hostName(), settings.port()), timeout);
            if (tls != null) socket = handshake(tls, socket, settings.hostName(), settings.port(), timeout);
            c = new AmqpUpstreamConnection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UpstreamException("cannot connect to " + settings.where() + ": " + e, e);
        }
        c.start(settings, timer);
        try {
            c.opened.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            c.close();
            throw new UpstreamException("the parent did not open the AMQP connection within "
                    + settings.operationTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            c.close();
            throw new UpstreamException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted while connecting");
        }
        return c;
    }

    private static Socket handshake(SSLSocketFactory tls, Socket plain, String host, int port, int timeout)
            throws IOException {
        SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the parent's certificate must name the host
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(timeout);
        ssl.startHandshake();
        ssl.setSoTimeout(0);
        return ssl;
    }

    private void start(UpstreamSettings settings, ScheduledExecutorService timer) {
        synchronized (this) {
            transport.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
            Sasl sasl = transport.sasl();
            sasl.client();
            // with a client certificate the TLS layer already says who this is; identities still authenticate by CBS
            sasl.setMechanisms(settings.x509() ? "EXTERNAL" : "ANONYMOUS");
            connection.setContainer(settings.deviceId() + "/$edgeHub");
            connection.setHostname(settings.hostName());
            connection.collect(collector);
            transport.bind(connection);
            connection.open();
            pump();
        }
        Thread reader = new Thread(this::read, "gatehouse-upstream-amqp-reader");
        reader.setDaemon(true);
        reader.start();
        ScheduledFuture<?> t = timer.scheduleWithFixedDelay(
                () -> execute(() -> transport.tick(1 + (System.nanoTime() - clockBase) / 1_000_000)), 0, TICK_MILLIS,
                TimeUnit.MILLISECONDS);
        synchronized (this) {
            ticker = t;
            if (closedReason != null) t.cancel(false);
        }
    }

    boolean isOpen() {
        return closedReason == null;
    }

    /** Why it closed, or null while it is open. */
    String closedReason() {
        return closedReason;
    }

    /**
     * Runs {@code work} on the engine, then handles the events and writes the output.
     *
     * @throws UpstreamException the connection is closed: nothing was done
     */
    synchronized <T> T call(Supplier<T> work) throws UpstreamException {
        if (closedReason != null) throw new UpstreamException("the AMQP connection to the parent is down ("
                + closedReason + ")");
        T result = work.get();
        pump();
        return result;
    }

    /** Runs {@code work} on the engine unless the connection is closed; returns whether it ran. */
    synchronized boolean execute(Runnable work) {
        if (closedReason != null) return false;
        work.run();
        pump();
        return true;
    }

    /** A new session, for one identity's links (or CBS). Call within {@link #call}. */
    Session session() {
        Session s = connection.session();
        s.open();
        return s;
    }

    /**
     * Runs {@code listener} with the reason when the connection closes (at once if it is closed);
     * on the thread that noticed, with the lock held.
     */
    synchronized void onClose(Consumer<String> listener) {
        if (closedReason != null) {
            listener.accept(closedReason);
        } else {
            closeListeners.add(listener);
        }
    }

    synchronized void removeCloseListener(Consumer<String> listener) {
        closeListeners.remove(listener);
    }

    /** Closes the connection politely (an AMQP close), then the socket. */
    synchronized void close() {
        if (closedReason != null) return;
        try {
            connection.close();
            pump();
        } catch (RuntimeException e) {
            LOG.debug("closing the AMQP connection", e);
        }
        closed("closed here");
    }

    private void read() {
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                lost("connection lost: " + e.getMessage());
                return;
            }
            if (n < 0) {
                lost("the parent closed the connection");
                return;
            }
            synchronized (this) {
                if (closedReason != null) return;
                if (!feed(buffer, n)) return;
                pump();
            }
        }
    }

    private synchronized void lost(String reason) {
        closed(reason);
    }

    /** Hands the bytes to the engine; false when it refused them (the connection is then closed). */
    private boolean feed(byte[] buffer, int length) {
        int offset = 0;
        while (offset < length) {
            int capacity = transport.capacity();
            if (capacity < 0) {
                closed("the engine takes no more input: " + AmqpLinkHandler.describe(transport.getCondition()));
                return false;
            }
            if (capacity == 0) {
                pump();
                if (transport.capacity() == 0) {
                    closed("the engine's input is full");
                    return false;
                }
                continue;
            }
            int chunk = Math.min(capacity, length - offset);
            transport.tail().put(buffer, offset, chunk);
            offset += chunk;
            try {
                transport.process();
            } catch (TransportException e) {
                pump(); // the engine's close frame says why
                closed("the parent broke the AMQP protocol: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Handles every pending event and writes whatever the engine has to say. */
    private void pump() {
        while (true) {
            Event event;
            while ((event = collector.peek()) != null) {
                try {
                    dispatch(event);
                } catch (RuntimeException e) {
                    LOG.error("handling the AMQP event {} failed", event.getType(), e);
                }
                collector.pop();
            }
            if (!write()) return;
            if (collector.peek() == null) return;
        }
    }

    private boolean write() {
        if (closedReason != null && socket.isClosed()) return false;
        try {
            while (true) {
                int pending = transport.pending();
                if (pending <= 0) break;
                ByteBuffer head = transport.head();
                byte[] bytes = new byte[Math.min(pending, head.remaining())];
                head.duplicate().get(bytes);
                out.write(bytes);
                transport.pop(bytes.length);
            }
            out.flush();
            return true;
        } catch (IOException e) {
            closed("writing to the parent failed: " + e.getMessage());
            return false;
        }
    }

    private void dispatch(Event event) {
        switch (event.getType()) {
            case CONNECTION_REMOTE_OPEN -> opened.complete(null);
            case CONNECTION_REMOTE_CLOSE -> closed("the parent closed the connection: "
                    + AmqpLinkHandler.describe(event.getConnection().getRemoteCondition()));
            case TRANSPORT_ERROR -> closed("AMQP transport error: "
                    + AmqpLinkHandler.describe(event.getTransport().getCondition()));
            case TRANSPORT_TAIL_CLOSED, TRANSPORT_CLOSED -> closed("the parent ended the connection");
            case SESSION_REMOTE_CLOSE -> {
                Session s = event.getSession();
                for (Link link = connection.linkHead(null, null); link != null; link = link.next(null, null)) {
                    if (link.getSession() == s && link.getContext() instanceof AmqpLinkHandler h) {
                        h.remoteClosed(link, s.getRemoteCondition());
                    }
                }
                s.close();
            }
            case LINK_REMOTE_OPEN -> {
                if (event.getLink().getContext() instanceof AmqpLinkHandler h) h.remoteOpened(event.getLink());
            }
            case LINK_REMOTE_CLOSE, LINK_REMOTE_DETACH -> {
                Link link = event.getLink();
                if (link.getContext() instanceof AmqpLinkHandler h) h.remoteClosed(link, link.getRemoteCondition());
                link.close();
            }
            case DELIVERY -> {
                if (event.getLink().getContext() instanceof AmqpLinkHandler h) h.delivery(event.getDelivery());
            }
            default -> {
                // the other events need nothing here
            }
        }
    }

    private void closed(String reason) {
        if (closedReason != null) return;
        closedReason = reason;
        opened.completeExceptionally(new UpstreamException(reason));
        if (ticker != null) ticker.cancel(false);
        closeQuietly(socket);
        List<Consumer<String>> listeners = List.copyOf(closeListeners);
        closeListeners.clear();
        for (Consumer<String> l : listeners) {
            try {
                l.accept(reason);
            } catch (RuntimeException e) {
                LOG.error("a close listener of the AMQP connection failed", e);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
