package io.gatehouse.amqp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.SslDomain;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * A blocking AMQP 1.0 client on a Proton-J engine and a plain socket, for what the SDK cannot
 * show: refused SASL, CBS answers, refused links, rejected transfers. Single-threaded: every call
 * pumps the engine until its condition holds or its time runs out.
 */
final class ProtonClient implements AutoCloseable {
    static final long WAIT_MILLIS = 5000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final Transport transport = Proton.transport();
    final Connection connection = Proton.connection();
    private final Collector collector = Proton.collector();
    final Sasl sasl;
    final Session session;
    private boolean socketClosed;
    private int linkCount;
    private long tag;
    private Sender cbsOut;
    private Receiver cbsIn;

    private ProtonClient(int port, String mechanism, String user, String password, int idleTimeoutMillis, SSLContext tls)
            throws IOException {
        transport.setIdleTimeout(idleTimeoutMillis);
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        if (mechanism == null) {
            sasl = null; // no SASL layer at all: the AMQP header right after TLS, as the SDKs' X.509 clients
        } else {
            sasl = transport.sasl();
            sasl.client();
            if (mechanism.equals("PLAIN")) {
                sasl.plain(user, password);
            } else {
                sasl.setMechanisms(mechanism);
            }
        }
        if (tls != null) {
            // TLS in the engine, as the Azure IoT SDKs do it (after SASL, as they do)
            SslDomain domain = Proton.sslDomain();
            domain.init(SslDomain.Mode.CLIENT);
            domain.setSslContext(tls);
            domain.setPeerAuthentication(SslDomain.VerifyMode.VERIFY_PEER);
            transport.ssl(domain);
        }
        connection.setContainer("test-client");
        connection.setHostname("127.0.0.1");
        connection.collect(collector);
        transport.bind(connection);
        connection.open();
        session = connection.session();
        session.open();
    }

    /** Connects and waits for the SASL outcome (and, when it is OK, for the hub's open). */
    static ProtonClient connect(int port, String mechanism, String user, String password) throws IOException {
        return connect(port, mechanism, user, password, 0);
    }

    /** With an idle timeout of its own (it advertises half), so that the hub must send heartbeats. */
    static ProtonClient connect(int port, String mechanism, String user, String password, int idleTimeoutMillis)
            throws IOException {
        return connect(port, mechanism, user, password, idleTimeoutMillis, null);
    }

    /**
     * Over TLS with {@code tls} (which may hold a client key and certificate); {@code mechanism}
     * null skips SASL. Waits for the hub's open (or the socket to close).
     */
    static ProtonClient connectTls(int port, SSLContext tls, String mechanism) throws IOException {
        return connect(port, mechanism, null, null, 0, tls);
    }

    private static ProtonClient connect(int port, String mechanism, String user, String password, int idleTimeoutMillis,
            SSLContext tls) throws IOException {
        ProtonClient c = new ProtonClient(port, mechanism, user, password, idleTimeoutMillis, tls);
        if (c.sasl != null) c.await(() -> c.sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_NONE || c.socketClosed);
        if (c.sasl == null || c.sasl.getOutcome() == Sasl.SaslOutcome.PN_SASL_OK) {
            c.await(() -> c.connection.getRemoteState() == EndpointState.ACTIVE || c.socketClosed);
        }
        return c;
    }

    /** Whether the hub answered the open (the connection is up). */
    boolean isOpen() {
        return connection.getRemoteState() == EndpointState.ACTIVE && !socketClosed;
    }

    static ProtonClient anonymous(int port) throws IOException {
        return connect(port, "ANONYMOUS", null, null);
    }

    Sasl.SaslOutcome saslOutcome() {
        return sasl.getOutcome();
    }

    /** Pumps until {@code condition} holds; false when the time ran out first. */
    boolean await(BooleanSupplier condition, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            pump();
            if (condition.getAsBoolean()) return true;
            if (System.currentTimeMillis() > deadline) return false;
            read();
        }
    }

    boolean await(BooleanSupplier condition) {
        return await(condition, WAIT_MILLIS);
    }

    /** Whether the hub closed the socket within {@code millis}. */
    boolean closedByHub(long millis) {
        return await(() -> socketClosed, millis);
    }

    private void pump() {
        while (collector.peek() != null) collector.pop();
        if (socketClosed) return;
        try {
            while (true) {
                int pending = transport.pending();
                if (pending <= 0) break;
                ByteBuffer head = transport.head();
                byte[] bytes = new byte[head.remaining()];
                head.duplicate().get(bytes);
                out.write(bytes);
                transport.pop(bytes.length);
            }
            out.flush();
        } catch (IOException e) {
            socketClosed = true;
        }
    }

    private void read() {
        if (socketClosed) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        byte[] buffer = new byte[64 * 1024];
        try {
            int n = in.read(buffer);
            if (n < 0) {
                socketClosed = true;
                transport.close_tail();
                return;
            }
            int offset = 0;
            while (offset < n) {
                int capacity = transport.capacity();
                if (capacity <= 0) break;
                int chunk = Math.min(capacity, n - offset);
                transport.tail().put(buffer, offset, chunk);
                transport.process();
                offset += chunk;
            }
        } catch (SocketTimeoutException e) {
            // nothing this time
        } catch (IOException e) {
            socketClosed = true;
        }
    }

    /** Raw bytes on the socket, past the engine (to break the protocol on purpose). */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Sender sender(String address) {
        Sender s = session.sender("sender-" + linkCount++);
        Target target = new Target();
        target.setAddress(address);
        s.setTarget(target);
        s.setSource(new Source());
        s.open();
        await(() -> s.getRemoteState() != EndpointState.UNINITIALIZED);
        return s;
    }

    Receiver receiver(String address, int credit) {
        Receiver r = session.receiver("receiver-" + linkCount++);
        Source source = new Source();
        source.setAddress(address);
        r.setSource(source);
        r.setTarget(new Target());
        r.open();
        r.flow(credit);
        await(() -> r.getRemoteState() != EndpointState.UNINITIALIZED);
        return r;
    }

    /** The hub's detach condition of {@code link}, waiting for the detach; null when the link stays. */
    ErrorCondition detachCondition(Link link, long millis) {
        await(() -> link.getRemoteState() == EndpointState.CLOSED, millis);
        return link.getRemoteState() == EndpointState.CLOSED ? link.getRemoteCondition() : null;
    }

    Delivery sendNoWait(Sender sender, Message message) {
        return sendNoWait(sender, AmqpMessages.encode(message, 0), 0);
    }

    /** Encoded bytes as one transfer of the given message-format. */
    Delivery sendNoWait(Sender sender, byte[] bytes, int messageFormat) {
        Delivery d = sender.delivery(Long.toString(tag++).getBytes(StandardCharsets.US_ASCII));
        d.setMessageFormat(messageFormat);
        sender.send(bytes, 0, bytes.length);
        sender.advance();
        pump();
        return d;
    }

    /** Sends and waits for the hub's outcome; null if none came. */
    DeliveryState send(Sender sender, Message message) {
        Delivery d = sendNoWait(sender, message);
        await(() -> d.getRemoteState() != null);
        DeliveryState state = d.getRemoteState();
        if (state != null) d.settle();
        return state;
    }

    /** The next message on {@code receiver} (its delivery is {@code receiver}'s last one), or null. */
    Received receive(Receiver receiver, long millis) {
        if (!await(() -> receiver.current() != null && !receiver.current().isPartial(), millis)) return null;
        Delivery d = receiver.current();
        byte[] bytes = new byte[d.pending()];
        receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        Message m = Message.Factory.create();
        m.decode(bytes, 0, bytes.length);
        return new Received(m, d);
    }

    record Received(Message message, Delivery delivery) {
    }

    /** Settles a received delivery with {@code state}. */
    void settle(Delivery d, DeliveryState state) {
        d.disposition(state);
        d.settle();
        pump();
    }

    /** A CBS put-token; returns the reply's application properties (status-code, status-description). */
    Map<String, Object> putToken(String audience, String token) {
        return putToken(audience, token, Map.of());
    }

    /** A put-token with more application properties (an {@code auth-chain}). */
    Map<String, Object> putToken(String audience, String token, Map<String, Object> more) {
        Map<String, Object> props = new HashMap<>();
        props.put("type", "azure-devices.net:sastoken");
        props.put("name", audience);
        props.putAll(more);
        return cbs(props, new AmqpValue(token));
    }

    /** A put-token of any type and body (null: none); returns the reply's application properties. */
    Map<String, Object> cbs(Map<String, Object> properties, Section body) {
        if (cbsOut == null) {
            cbsOut = sender("$cbs");
            cbsIn = receiver("$cbs", 10);
        }
        Message request = Message.Factory.create();
        Properties p = new Properties();
        UUID id = UUID.randomUUID();
        p.setMessageId(id);
        p.setTo("$cbs");
        p.setReplyTo("cbs");
        request.setProperties(p);
        Map<String, Object> props = new HashMap<>();
        props.put("operation", "put-token");
        props.putAll(properties);
        request.setApplicationProperties(new ApplicationProperties(props));
        request.setBody(body);
        sendNoWait(cbsOut, request);
        Received reply = receive(cbsIn, WAIT_MILLIS);
        if (reply == null) return null;
        settle(reply.delivery(), org.apache.qpid.proton.amqp.messaging.Accepted.getInstance());
        if (!id.equals(reply.message().getCorrelationId())) throw new AssertionError("reply not correlated to " + id);
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) reply.message().getApplicationProperties().getValue();
        return status;
    }

    /** A request/response node: a sender and a receiver with the same address (and link properties). */
    record Node(Sender requests, Receiver replies) {
    }

    Node node(String address, Map<Symbol, Object> linkProperties) {
        Sender s = session.sender("sender-" + linkCount++);
        Target target = new Target();
        target.setAddress(address);
        s.setTarget(target);
        s.setSource(new Source());
        s.setProperties(linkProperties);
        Receiver r = session.receiver("receiver-" + linkCount++);
        Source source = new Source();
        source.setAddress(address);
        r.setSource(source);
        r.setTarget(new Target());
        r.setProperties(linkProperties);
        s.open();
        r.open();
        r.flow(100);
        await(() -> s.getRemoteState() != EndpointState.UNINITIALIZED && r.getRemoteState() != EndpointState.UNINITIALIZED);
        return new Node(s, r);
    }

    /** Sends a request and returns the next message on the node's receiver (settled Accepted), or null. */
    Received ask(Node node, Message request) {
        sendNoWait(node.requests(), request);
        Received reply = receive(node.replies(), WAIT_MILLIS);
        if (reply != null) settle(reply.delivery(), org.apache.qpid.proton.amqp.messaging.Accepted.getInstance());
        return reply;
    }

    @Override
    public void close() {
        try {
            connection.close();
            pump();
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
