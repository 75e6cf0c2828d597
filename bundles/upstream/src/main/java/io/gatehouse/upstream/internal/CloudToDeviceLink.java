package io.gatehouse.upstream.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;

/**
 * The receiver of one leaf's cloud-to-device messages: each one goes to the {@link CloudToDeviceRelay},
 * and is settled with the parent only when the relay says (after the local append), each with one
 * more credit.
 */
final class CloudToDeviceLink implements AmqpLinkHandler {
    private final String leaf;
    private final AmqpUpstreamConnection connection;
    private final CloudToDeviceRelay relay;
    private final CompletableFuture<Void> open;
    private final Consumer<String> lost;

    CloudToDeviceLink(String leaf, AmqpUpstreamConnection connection, CloudToDeviceRelay relay,
            CompletableFuture<Void> open, Consumer<String> lost) {
        this.leaf = leaf;
        this.connection = connection;
        this.relay = relay;
        this.open = open;
        this.lost = lost;
    }

    @Override
    public void remoteOpened(Link link) {
        if (link.getRemoteSource() != null) open.complete(null);
    }

    @Override
    public void remoteClosed(Link link, ErrorCondition condition) {
        String reason = "the cloud-to-device link of " + leaf + " was detached: " + AmqpLinkHandler.describe(condition);
        open.completeExceptionally(new UpstreamException(reason));
        lost.accept(reason);
    }

    @Override
    public void delivery(Delivery d) {
        if (!d.isReadable() || d.isPartial()) return;
        Receiver receiver = (Receiver) d.getLink();
        byte[] bytes = AmqpLinks.read(receiver, d);
        org.apache.qpid.proton.message.Message m;
        try {
            m = AmqpLinks.decode(bytes);
        } catch (RuntimeException e) {
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(Symbol.valueOf("amqp:decode-error"), "not an AMQP message"));
            settle(d, receiver, rejected);
            return;
        }
        relay.received(leaf, m, new CloudToDeviceRelay.Settlement() {
            @Override
            public void accept() {
                connection.execute(() -> settle(d, receiver, Accepted.getInstance()));
            }

            @Override
            public void release() {
                connection.execute(() -> settle(d, receiver, Released.getInstance()));
            }

            @Override
            public boolean abandoned() {
                return !connection.isOpen();
            }

            @Override
            public void reject(String reason) {
                Rejected rejected = new Rejected();
                rejected.setError(new ErrorCondition(Symbol.valueOf("amqp:decode-error"), reason));
                connection.execute(() -> settle(d, receiver, rejected));
            }
        });
    }

    private static void settle(Delivery d, Receiver receiver, DeliveryState state) {
        if (d.isSettled()) return;
        d.disposition(state);
        d.settle();
        receiver.flow(1);
    }
}
