package io.gatehouse.upstream.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;

/**
 * A sender and a receiver with the same address, as IoT Hub's request/response nodes have them
 * ({@code $cbs}, twin, methods, {@code $gatehouse/scope}). Messages that arrive are accepted and
 * handed on; if the parent detaches either link, the pair is lost. Used on the engine only.
 */
final class AmqpLinkPair implements AmqpLinkHandler {
    private static final int CREDIT = 50;

    private final String address;
    private final Sender sender;
    private final Receiver receiver;
    private final Consumer<Message> arrived;
    private final Consumer<String> lost;
    private final CompletableFuture<Void> attached = new CompletableFuture<>();
    private boolean senderOpen;
    private boolean receiverOpen;
    private boolean ended;

    /**
     * @param arrived each message the parent sends on the pair (on the engine: must not block)
     * @param lost once, why the pair ended (a detach by the parent)
     */
    AmqpLinkPair(Session session, String kind, String address, Map<Symbol, Object> properties,
            Consumer<Message> arrived, Consumer<String> lost) {
        this.address = address;
        this.arrived = arrived;
        this.lost = lost;
        this.sender = AmqpLinks.sender(session, kind, address, properties, this);
        this.receiver = AmqpLinks.receiver(session, kind, address, properties, this, CREDIT);
    }

    /** Completes when the parent attached both links; fails if it refused either. */
    CompletableFuture<Void> attached() {
        return attached;
    }

    void send(Message m) {
        AmqpLinks.send(sender, AmqpLinks.encode(m), 0, null);
    }

    @Override
    public void remoteOpened(Link link) {
        // a refusal attaches without the terminus, then detaches with the reason
        if (link == sender && link.getRemoteTarget() != null) senderOpen = true;
        if (link == receiver && link.getRemoteSource() != null) receiverOpen = true;
        if (senderOpen && receiverOpen) attached.complete(null);
    }

    @Override
    public void remoteClosed(Link link, ErrorCondition condition) {
        end(address + " was detached by the parent: " + AmqpLinkHandler.describe(condition));
    }

    @Override
    public void delivery(Delivery d) {
        if (d.getLink() == sender) {
            if (d.getRemoteState() != null || d.remotelySettled()) d.settle();
            return;
        }
        if (!d.isReadable() || d.isPartial()) return;
        byte[] bytes = AmqpLinks.read(receiver, d);
        Message m;
        try {
            m = AmqpLinks.decode(bytes);
        } catch (RuntimeException e) {
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(Symbol.valueOf("amqp:decode-error"), "not an AMQP message"));
            d.disposition(rejected);
            d.settle();
            receiver.flow(1);
            return;
        }
        d.disposition(Accepted.getInstance());
        d.settle();
        receiver.flow(1);
        arrived.accept(m);
    }

    /** Ends the pair here (or after the parent ended it); {@code lost} runs only for the parent's. */
    void close() {
        ended = true;
        attached.completeExceptionally(new UpstreamException(address + " closed"));
        sender.close();
        receiver.close();
    }

    private void end(String reason) {
        if (ended) return;
        ended = true;
        attached.completeExceptionally(new UpstreamException(reason));
        sender.close();
        receiver.close();
        lost.accept(reason);
    }
}
