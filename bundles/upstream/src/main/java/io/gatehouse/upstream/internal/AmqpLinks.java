package io.gatehouse.upstream.internal;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;

/** Making links, sending and reading messages on them: the engine plumbing every AMQP part shares. */
final class AmqpLinks {
    static final Symbol CHANNEL_CORRELATION_ID = Symbol.valueOf("com.microsoft:channel-correlation-id");
    static final Symbol API_VERSION = Symbol.valueOf("com.microsoft:api-version");
    static final Symbol CLIENT_VERSION = Symbol.valueOf("com.microsoft:client-version");
    private static final AtomicLong TAGS = new AtomicLong();

    private AmqpLinks() {
    }

    /** The link properties the Azure IoT SDKs send, with a channel correlation id when {@code channel} is set. */
    static Map<Symbol, Object> properties(String channel) {
        Map<Symbol, Object> p = new LinkedHashMap<>();
        p.put(API_VERSION, UpstreamCredentials.API_VERSION);
        p.put(CLIENT_VERSION, UpstreamCredentials.CLIENT_TYPE);
        if (channel != null) p.put(CHANNEL_CORRELATION_ID, channel + ":" + UUID.randomUUID());
        return p;
    }

    /** An unsettled sender to {@code address}, opened. Call on the engine. */
    static Sender sender(Session session, String kind, String address, Map<Symbol, Object> properties,
            AmqpLinkHandler handler) {
        Sender s = session.sender(kind + "-sender-" + UUID.randomUUID());
        Target target = new Target();
        target.setAddress(address);
        s.setTarget(target);
        Source source = new Source();
        source.setAddress(kind + "-" + UUID.randomUUID());
        s.setSource(source);
        s.setSenderSettleMode(SenderSettleMode.UNSETTLED);
        s.setReceiverSettleMode(ReceiverSettleMode.FIRST);
        if (properties != null) s.setProperties(properties);
        s.setContext(handler);
        s.open();
        return s;
    }

    /** A receiver from {@code address} with {@code credit}, opened. Call on the engine. */
    static Receiver receiver(Session session, String kind, String address, Map<Symbol, Object> properties,
            AmqpLinkHandler handler, int credit) {
        Receiver r = session.receiver(kind + "-receiver-" + UUID.randomUUID());
        Source source = new Source();
        source.setAddress(address);
        r.setSource(source);
        Target target = new Target();
        target.setAddress(kind + "-" + UUID.randomUUID());
        r.setTarget(target);
        r.setReceiverSettleMode(ReceiverSettleMode.FIRST);
        if (properties != null) r.setProperties(properties);
        r.setContext(handler);
        r.open();
        r.flow(credit);
        return r;
    }

    /** Sends {@code payload} as one delivery of {@code messageFormat}. Call on the engine. */
    static Delivery send(Sender sender, byte[] payload, int messageFormat, Object context) {
        Delivery d = sender.delivery(Long.toString(TAGS.incrementAndGet()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        d.setMessageFormat(messageFormat);
        d.setContext(context);
        sender.send(payload, 0, payload.length);
        sender.advance();
        return d;
    }

    /** The whole payload of a delivery that arrived complete, advancing the receiver past it. */
    static byte[] read(Receiver receiver, Delivery d) {
        byte[] bytes = new byte[d.pending()];
        int n = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        return n == bytes.length ? bytes : Arrays.copyOf(bytes, Math.max(0, n));
    }

    static byte[] encode(Message m) {
        int size = 1024;
        Object body = m.getBody();
        if (body instanceof Data data && data.getValue() != null) size += data.getValue().getLength();
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int length = m.encode(buffer, 0, buffer.length);
                return Arrays.copyOf(buffer, length);
            } catch (BufferOverflowException e) {
                size *= 2;
            }
        }
    }

    static Message decode(byte[] bytes) {
        Message m = Message.Factory.create();
        m.decode(bytes, 0, bytes.length);
        return m;
    }

    static byte[] bytes(Binary binary) {
        if (binary == null) return new byte[0];
        ByteBuffer b = binary.asByteBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
