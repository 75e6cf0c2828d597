package io.gatehouse.itests.osgi;

import io.gatehouse.api.identity.IdentityId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

/**
 * A device sending telemetry to the hub's plain AMQP port as the Azure IoT SDKs authenticate:
 * SASL PLAIN with username {@code {id}@sas.{hubName}} and a SAS token as password, one sender
 * link on {@code /devices/{d}/messages/events}. A Proton-J engine over a blocking socket, driven
 * only by the thread that calls it.
 */
final class AmqpTestClient implements AutoCloseable {
    private static final long WAIT_MILLIS = 10_000;
    private static final int READ_TIMEOUT_MILLIS = 10;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Transport transport = Proton.transport();
    private final Connection connection = Proton.connection();
    private final Collector collector = Proton.collector();
    private final Sasl sasl;
    private final byte[] readBuffer = new byte[64 * 1024];
    private Sender sender;
    private long nextTag;
    private boolean socketClosed;

    private AmqpTestClient(int port, String username, String token) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        sasl = transport.sasl();
        sasl.client();
        sasl.plain(username, token);
        connection.setContainer("itest-" + username);
        connection.setHostname("127.0.0.1");
        connection.collect(collector);
        transport.bind(connection);
        connection.open();
    }

    /**
     * Connects, authenticates and attaches the telemetry sender.
     *
     * @throws IOException when the socket, SASL or the attach fails, saying which
     */
    static AmqpTestClient connect(int port, String iotHubHostName, IdentityId id, String sasToken) throws IOException {
        int dot = iotHubHostName.indexOf('.');
        String hubName = dot < 0 ? iotHubHostName : iotHubHostName.substring(0, dot);
        AmqpTestClient c = new AmqpTestClient(port, id + "@sas." + hubName, sasToken);
        try {
            c.await(() -> c.sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_NONE || c.socketClosed);
            if (c.sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_OK) {
                throw new IOException("SASL PLAIN of " + id + ": " + c.sasl.getOutcome()
                        + (c.socketClosed ? " (socket closed)" : ""));
            }
            if (!c.await(() -> c.connection.getRemoteState() == EndpointState.ACTIVE || c.broken())) {
                throw new IOException("the hub did not open the connection");
            }
            Session session = c.connection.session();
            session.open();
            Sender s = session.sender("telemetry");
            Target target = new Target();
            target.setAddress("/devices/" + id.deviceId() + "/messages/events");
            s.setTarget(target);
            s.setSource(new Source());
            s.open();
            c.await(() -> s.getRemoteState() != EndpointState.UNINITIALIZED || c.broken());
            if (s.getRemoteState() != EndpointState.ACTIVE || s.getRemoteTarget() == null) {
                throw new IOException("the hub refused the telemetry link: " + s.getRemoteCondition());
            }
            c.sender = s;
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Sends one message without waiting; its outcome shows in {@link Delivery#getRemoteState()} after {@link #pump}. */
    Delivery send(String messageId, String body) {
        Message m = Message.Factory.create();
        m.setMessageId(messageId);
        m.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
        byte[] buffer = new byte[1024];
        int length = m.encode(buffer, 0, buffer.length);
        Delivery d = sender.delivery(Long.toString(nextTag++).getBytes(StandardCharsets.US_ASCII));
        sender.send(buffer, 0, length);
        sender.advance();
        return d;
    }

    /** Writes what the engine has to send and reads what arrived (waiting at most a few ms). */
    void pump() {
        flush();
        read();
        flush();
    }

    /** Whether the hub closed the socket, the connection or the link. */
    boolean broken() {
        return socketClosed || connection.getRemoteState() == EndpointState.CLOSED
                || (sender != null && sender.getRemoteState() == EndpointState.CLOSED);
    }

    private boolean await(BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            pump();
            if (condition.getAsBoolean()) return true;
            if (System.currentTimeMillis() > deadline) return false;
        }
    }

    private void flush() {
        while (collector.peek() != null) collector.pop();
        if (socketClosed) return;
        try {
            while (transport.pending() > 0) {
                ByteBuffer head = transport.head();
                int n = head.remaining();
                byte[] bytes = new byte[n];
                head.get(bytes);
                out.write(bytes);
                transport.pop(n);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            socketClosed = true;
        }
    }

    private void read() {
        if (socketClosed) {
            GatehouseTestSupport.sleep(READ_TIMEOUT_MILLIS);
            return;
        }
        try {
            int n = in.read(readBuffer);
            if (n < 0) {
                socketClosed = true;
                transport.close_tail();
                return;
            }
            int offset = 0;
            while (offset < n) {
                int capacity = transport.capacity();
                if (capacity <= 0) {
                    socketClosed = true; // the engine is done: it takes no more input
                    return;
                }
                int chunk = Math.min(capacity, n - offset);
                transport.tail().put(readBuffer, offset, chunk);
                transport.process();
                offset += chunk;
            }
        } catch (SocketTimeoutException e) {
            // nothing arrived this time
        } catch (IOException | RuntimeException e) {
            socketClosed = true;
        }
    }

    @Override
    public void close() {
        try {
            if (!socketClosed) {
                connection.close();
                flush();
            }
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
