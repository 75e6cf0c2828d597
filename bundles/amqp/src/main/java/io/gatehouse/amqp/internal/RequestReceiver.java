package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's receiving half of a request/response node (twin requests, method responses, scope
 * requests): a small credit window, a size limit whose excess is discarded as it arrives, and
 * each complete transfer decoded and handed to {@link #handle}, which settles it (at once or
 * later, on the event loop) with {@link #accept} or {@link #reject}.
 */
abstract class RequestReceiver implements LinkHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestReceiver.class);
    static final int CREDIT = 10;

    final Receiver receiver;
    private final IdentityId identity;
    private final int maxBytes;
    private volatile boolean closed;

    /** Marks a transfer over the limit, whose bytes are discarded as they come. */
    private static final class Oversized {
        long bytes;
    }

    RequestReceiver(Receiver receiver, IdentityId identity, int maxBytes) {
        this.receiver = receiver;
        this.identity = identity;
        this.maxBytes = maxBytes;
        receiver.setMaxMessageSize(UnsignedLong.valueOf(maxBytes));
    }

    /** A complete, decoded request; must be settled with {@link #accept} or {@link #reject}. */
    abstract void handle(Message request, Delivery delivery);

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public Link link() {
        return receiver;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void opened() {
        receiver.flow(CREDIT);
    }

    @Override
    public void onDelivery(Delivery delivery) {
        if (closed || delivery != receiver.current()) return;
        if (delivery.isAborted()) {
            receiver.advance();
            delivery.settle();
            receiver.flow(1);
            return;
        }
        Oversized oversized = delivery.getContext() instanceof Oversized o ? o : null;
        if (oversized == null && delivery.pending() > maxBytes) {
            oversized = new Oversized();
            delivery.setContext(oversized);
        }
        if (oversized != null) {
            byte[] scratch = new byte[16 * 1024];
            int n;
            while ((n = receiver.recv(scratch, 0, scratch.length)) > 0) oversized.bytes += n;
            if (delivery.isPartial()) return;
            receiver.advance();
            reject(delivery, TelemetryLink.MESSAGE_SIZE_EXCEEDED, "the request takes " + oversized.bytes
                    + " bytes; this node takes at most " + maxBytes);
            return;
        }
        if (delivery.isPartial()) return;
        byte[] bytes = new byte[delivery.pending()];
        int read = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        Message request = Message.Factory.create();
        try {
            request.decode(bytes, 0, Math.max(read, 0));
        } catch (RuntimeException e) {
            reject(delivery, TelemetryLink.DECODE_ERROR, "the request cannot be decoded: " + e.getMessage());
            return;
        }
        handle(request, delivery);
    }

    void accept(Delivery delivery) {
        if (closed) return;
        delivery.disposition(Accepted.getInstance());
        delivery.settle();
        receiver.flow(1);
    }

    void reject(Delivery delivery, String condition, String description) {
        if (closed) return;
        LOG.warn("Rejected a request of {} on {}: {} ({})", identity == null ? "a client" : identity,
                AmqpConnection.addressOf(receiver), description, condition);
        Rejected rejected = new Rejected();
        rejected.setError(new ErrorCondition(Symbol.valueOf(condition), description));
        delivery.disposition(rejected);
        delivery.settle();
        receiver.flow(1);
    }

    @Override
    public void closed() {
        if (closed) return;
        closed = true;
        onClosed();
    }

    /** The link is gone: release what it holds. */
    void onClosed() {
    }
}
