package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's telemetry link ({@code /devices/{d}[/modules/{m}]/messages/events}, the hub
 * receives). Each transfer is routed and stored before it is accepted (invariant 1), stamped
 * with the link's authenticated identity (invariant 4). Credit is a window that is topped up as
 * transfers are settled, so a fast sender waits for the store instead of filling memory. A batch
 * transfer (message-format {@code 0x80013700}) is accepted once every message in it is stored.
 */
final class TelemetryLink implements LinkHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryLink.class);
    static final String MESSAGE_SIZE_EXCEEDED = "amqp:link:message-size-exceeded";
    static final String DECODE_ERROR = "amqp:decode-error";

    private final AmqpConnection connection;
    private final Receiver receiver;
    private final IdentityId identity;
    private final String modelId;
    private final HeadContext hub;
    private boolean closed;
    /** Made on the first batch: most links never carry one. */
    private BatchDecoder batches;

    /** Marks a transfer over the limit, whose bytes are discarded as they come. */
    private static final class Oversized {
        long bytes;
    }

    TelemetryLink(AmqpConnection connection, Receiver receiver, IdentityId identity, String modelId, HeadContext hub) {
        this.connection = connection;
        this.receiver = receiver;
        this.identity = identity;
        this.modelId = modelId;
        this.hub = hub;
    }

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public Link link() {
        return receiver;
    }

    @Override
    public void opened() {
        receiver.flow(hub.creditWindow());
    }

    @Override
    public void onDelivery(Delivery delivery) {
        if (closed || delivery != receiver.current()) return; // an update of a transfer already read
        if (delivery.isAborted()) {
            receiver.advance();
            delivery.settle();
            receiver.flow(1);
            return;
        }
        Oversized oversized = delivery.getContext() instanceof Oversized o ? o : null;
        if (oversized == null && delivery.pending() > hub.maxMessageBytes()) {
            oversized = new Oversized();
            delivery.setContext(oversized);
        }
        if (oversized != null) {
            oversized.bytes += discard(delivery);
            if (delivery.isPartial()) return;
            receiver.advance();
            reject(delivery, MESSAGE_SIZE_EXCEEDED, "the message takes " + oversized.bytes
                    + " bytes; this hub takes at most " + hub.maxMessageBytes());
            return;
        }
        if (delivery.isPartial()) return; // the rest comes in later frames
        byte[] bytes = new byte[delivery.pending()];
        int read = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        List<Message> messages;
        try {
            messages = decode(delivery.getMessageFormat(), bytes, Math.max(read, 0));
        } catch (AmqpMessages.InvalidMessageException e) {
            reject(delivery, DECODE_ERROR, e.getMessage());
            return;
        } catch (RuntimeException e) {
            reject(delivery, DECODE_ERROR, "the message cannot be decoded: " + e.getMessage());
            return;
        }
        hub.telemetry().submitAll(messages, outcome -> connection.execute(() -> settle(delivery, outcome)));
    }

    /** One message, or every message of a batch; all stamped with the link's identity and one enqueued time. */
    private List<Message> decode(int format, byte[] bytes, int length) throws AmqpMessages.InvalidMessageException {
        List<org.apache.qpid.proton.message.Message> amqp;
        if (format == BatchDecoder.BATCH_FORMAT) {
            if (batches == null) batches = new BatchDecoder();
            amqp = batches.decode(bytes, length);
        } else if (format == 0) {
            org.apache.qpid.proton.message.Message single = org.apache.qpid.proton.message.Message.Factory.create();
            single.decode(bytes, 0, length);
            amqp = List.of(single);
        } else {
            throw new AmqpMessages.InvalidMessageException("message-format " + Integer.toUnsignedString(format, 16)
                    + " is not served (0: one message, 80013700: a batch)");
        }
        long now = System.currentTimeMillis();
        String authMethod = connection.authMethodOf(identity);
        List<Message> messages = new ArrayList<>(amqp.size());
        for (org.apache.qpid.proton.message.Message m : amqp) {
            messages.add(AmqpMessages.toHubMessage(m, identity, modelId, authMethod, now));
        }
        return messages;
    }

    private int discard(Delivery delivery) {
        byte[] scratch = new byte[Math.min(Math.max(delivery.pending(), 1), 64 * 1024)];
        int total = 0;
        int n;
        while ((n = receiver.recv(scratch, 0, scratch.length)) > 0) total += n;
        return total;
    }

    private void settle(Delivery delivery, TelemetryStore.Outcome outcome) {
        if (closed) return; // stored or not, the client sends it again on a new link
        if (outcome.stored()) {
            delivery.disposition(Accepted.getInstance());
            delivery.settle();
            receiver.flow(1);
        } else {
            reject(delivery, outcome.condition(), outcome.description());
        }
    }

    private void reject(Delivery delivery, String condition, String description) {
        LOG.warn("Rejected a message of {} on {}: {} ({})", identity, connection.peer(), description, condition);
        Rejected rejected = new Rejected();
        rejected.setError(new ErrorCondition(Symbol.valueOf(condition), description));
        delivery.disposition(rejected);
        delivery.settle();
        receiver.flow(1);
    }

    /** Announced in the attach: a client may check it before sending. */
    void limitMessageSize() {
        receiver.setMaxMessageSize(UnsignedLong.valueOf(hub.maxMessageBytes()));
    }

    @Override
    public void closed() {
        closed = true;
    }
}
