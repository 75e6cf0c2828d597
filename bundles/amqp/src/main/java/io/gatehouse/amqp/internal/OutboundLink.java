package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's sending half of a request/response node (twin responses and desired patches, method
 * requests, scope answers): messages go out within the client's credit, the rest wait in a short
 * queue, and each delivery is settled once the client has settled or answered it. Nothing here is
 * durable: what these links carry is answered again or asked again by the client.
 */
final class OutboundLink implements LinkHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundLink.class);
    /** Messages waiting for credit; beyond this the oldest is dropped (a client that gives no credit). */
    static final int MAX_QUEUED = 1000;

    private final Sender sender;
    private final IdentityId identity;
    private final Runnable onClosed;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private long nextTag;
    private volatile boolean closed;

    /** @param onClosed told once, on the event loop, when the link is gone */
    OutboundLink(Sender sender, IdentityId identity, Runnable onClosed) {
        this.sender = sender;
        this.identity = identity;
        this.onClosed = onClosed;
    }

    @Override
    public IdentityId identity() {
        return identity;
    }

    @Override
    public Link link() {
        return sender;
    }

    boolean isOpen() {
        return !closed;
    }

    /** Sends now if the client gave credit, else when it does; false when the link is gone. */
    boolean send(Message message, int bodyLength) {
        if (closed) return false;
        if (waiting.size() >= MAX_QUEUED) {
            waiting.poll();
            LOG.warn("{} gives no credit on {}: dropped the oldest of {} waiting messages", identity == null ? "A client" : identity,
                    AmqpConnection.addressOf(sender), MAX_QUEUED);
        }
        waiting.add(AmqpMessages.encode(message, bodyLength));
        drain();
        return true;
    }

    private void drain() {
        while (!closed && sender.getCredit() > 0 && !waiting.isEmpty()) {
            byte[] bytes = waiting.poll();
            sender.delivery(Long.toString(nextTag++).getBytes(StandardCharsets.US_ASCII));
            sender.send(bytes, 0, bytes.length);
            sender.advance();
        }
    }

    @Override
    public void opened() {
    }

    @Override
    public void onFlow() {
        drain();
    }

    @Override
    public void onDelivery(Delivery delivery) {
        if (delivery.getRemoteState() != null || delivery.remotelySettled()) delivery.settle();
    }

    @Override
    public void closed() {
        if (closed) return;
        closed = true;
        waiting.clear();
        onClosed.run();
    }
}
