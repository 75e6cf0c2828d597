package io.gatehouse.amqp.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import io.gatehouse.headsupport.delivery.CoalescedPump;
import io.gatehouse.headsupport.delivery.DeliveryRetry;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a store queue to a client: a module's inputs (consumed by the prefix
 * {@code {d}/{m}/}) or a device's cloud-to-device queue {@code $c2d/{d}}. A message leaves the
 * queue only on the client's outcome (invariant 2): Accepted acknowledges it, Rejected
 * dead-letters it with the reason, Released or Modified sends it again after the retry backoff.
 * A message without an outcome within the ack timeout detaches the link; what it left unsettled
 * comes again on the next attach, since the consumer is closed with it.
 */
final class QueueSenderLink implements LinkHandler {
    private static final Logger LOG = LoggerFactory.getLogger(QueueSenderLink.class);
    static final String DETACH_FORCED = "amqp:link:detach-forced";

    private final AmqpConnection connection;
    private final Sender sender;
    private final IdentityId client;
    private final String endpoint;
    /** {@code /devices/{d}/messages/deviceBound} for cloud-to-device messages, null for module inputs. */
    private final String deviceBoundTo;
    private final String description;
    private final ServiceSlot<MessageStore> store;
    private final int maxInflight;
    private final long ackTimeoutMillis;
    private final DeliveryRetry retry;
    private final Consumer<MessageStore> onStoreChange = this::storeChanged;
    private final CoalescedPump pumpSignal;
    private final LinkedHashSet<InFlight> unsettled = new LinkedHashSet<>();
    /** Released by the client (or refused by a full dead-letter queue), waiting for the retry. */
    private final List<Pending> waiting = new ArrayList<>();
    /** Due again now: sent before anything new. */
    private final ArrayDeque<StoredMessage> resend = new ArrayDeque<>();
    private QueueConsumer consumer;
    /** The store failed to hand out a message: nothing new is polled until the retry. */
    private boolean holding;
    private boolean closed;
    private long nextTag;

    private static final class InFlight {
        final StoredMessage message;
        final QueueConsumer consumer;
        ScheduledFuture<?> ackTimeout;

        InFlight(StoredMessage message, QueueConsumer consumer) {
            this.message = message;
            this.consumer = consumer;
        }
    }

    /** A message to send again, or (with a reason) to dead-letter again. */
    private record Pending(StoredMessage message, String deadLetterReason) {
    }

    private QueueSenderLink(AmqpConnection connection, Sender sender, IdentityId client, String endpoint,
            String deviceBoundTo, String description, HeadContext hub) {
        this.connection = connection;
        this.sender = sender;
        this.client = client;
        this.endpoint = endpoint;
        this.deviceBoundTo = deviceBoundTo;
        this.description = description;
        this.store = hub.store();
        this.maxInflight = hub.maxInflightToClient();
        this.ackTimeoutMillis = hub.clientAckTimeout().toMillis();
        this.retry = new DeliveryRetry(description, connection::schedule, this::retryNow);
        this.pumpSignal = new CoalescedPump(connection::execute, this::pump);
    }

    static QueueSenderLink moduleInputs(AmqpConnection connection, Sender sender, IdentityId module, HeadContext hub) {
        return new QueueSenderLink(connection, sender, module,
                io.gatehouse.api.route.EndpointIds.moduleInputPrefix(module.deviceId(), module.moduleId()), null,
                "inputs of " + module, hub);
    }

    static QueueSenderLink cloudToDevice(AmqpConnection connection, Sender sender, String deviceId, HeadContext hub) {
        return new QueueSenderLink(connection, sender, IdentityId.device(deviceId),
                io.gatehouse.api.route.EndpointIds.cloudToDevice(deviceId), "/devices/" + deviceId + "/messages/deviceBound",
                "cloud-to-device messages of " + deviceId, hub);
    }

    @Override
    public IdentityId identity() {
        return client;
    }

    @Override
    public Link link() {
        return sender;
    }

    @Override
    public void opened() {
        store.onChange(onStoreChange);
        open(store.get());
    }

    private void open(MessageStore s) {
        if (s == null || closed) return;
        QueueConsumer c;
        try {
            c = s.consume(endpoint);
        } catch (RuntimeException e) {
            holding = true;
            scheduleRetry("the store could not open its queues: " + e);
            return;
        }
        consumer = c;
        c.onAvailable(pumpSignal::signal);
        pump();
    }

    /** A new store (its bundle updated): whatever the old one handed out comes again from the new one. */
    private void storeChanged(MessageStore newStore) {
        connection.execute(() -> {
            if (closed) return;
            dropConsumer();
            holding = false;
            retry.resetBackoff();
            open(newStore);
        });
    }

    @Override
    public void onFlow() {
        pump();
    }

    /** Sends what the client's credit and the window allow. */
    void pump() {
        if (closed || consumer == null) return;
        long now = System.currentTimeMillis();
        while (sender.getCredit() > 0 && unsettled.size() < maxInflight) {
            StoredMessage m = resend.poll();
            if (m == null) {
                if (holding) break;
                try {
                    m = consumer.poll();
                } catch (RuntimeException e) {
                    holding = true;
                    scheduleRetry("the store failed to hand out the next message: " + e);
                    break;
                }
                if (m == null) break;
            }
            if (m.expiredAt(now)) {
                consumer.expire(m);
                continue;
            }
            send(m);
        }
    }

    private void send(StoredMessage m) {
        byte[] bytes;
        try {
            bytes = AmqpMessages.encode(AmqpMessages.toAmqp(m, deviceBoundTo), m.message().body().length);
        } catch (RuntimeException e) {
            deadLetter(m, "it cannot be encoded as an AMQP message: " + e);
            return;
        }
        InFlight f = new InFlight(m, consumer);
        Delivery d = sender.delivery(Long.toString(nextTag++).getBytes(StandardCharsets.US_ASCII));
        d.setContext(f);
        sender.send(bytes, 0, bytes.length);
        sender.advance();
        unsettled.add(f);
        f.ackTimeout = connection.schedule(() -> ackOverdue(f), ackTimeoutMillis);
    }

    @Override
    public void onDelivery(Delivery d) {
        if (!(d.getContext() instanceof InFlight f)) return;
        DeliveryState state = d.getRemoteState();
        if (state == null && !d.remotelySettled()) return; // no outcome yet
        d.settle();
        if (closed || f.consumer != consumer || !unsettled.remove(f)) return; // from a consumer that is gone
        if (f.ackTimeout != null) f.ackTimeout.cancel(false);
        if (state instanceof Accepted) {
            consumer.acknowledge(f.message);
            clientResponded();
        } else if (state instanceof Rejected rejected) {
            String why = rejected.getError() != null && rejected.getError().getDescription() != null
                    ? ": " + rejected.getError().getDescription() : "";
            deadLetter(f.message, "rejected by the " + (client.isModule() ? "module" : "device") + why);
            clientResponded();
        } else if (f.message.expiredAt(System.currentTimeMillis())) {
            consumer.expire(f.message);
        } else {
            // Released, Modified (the SDKs' abandon) or settled without an outcome: again, later
            waiting.add(new Pending(f.message, null));
            scheduleRetry("the client released a message (" + (state == null ? "no outcome" : state.getType()) + ")");
        }
        pump();
    }

    private void deadLetter(StoredMessage m, String reason) {
        try {
            consumer.deadLetter(m, reason);
            LOG.warn("Dead-lettered a message for {} (endpoint {}): {}", client, m.endpointId(), reason);
        } catch (StoreException | RuntimeException e) {
            // it stays unsettled in the store: it must not leave its queue before the dead-letter queue holds it
            waiting.add(new Pending(m, reason));
            scheduleRetry("the store could not dead-letter a message of " + m.endpointId() + ": " + e.getMessage());
        }
    }

    private void ackOverdue(InFlight f) {
        f.ackTimeout = null;
        if (closed || !unsettled.contains(f)) return;
        connection.closeLink(this, DETACH_FORCED, "no outcome for a message within " + ackTimeoutMillis
                + " ms; unsettled messages come again on the next attach");
    }

    /** The client is working: the next failure waits the shortest delay. */
    private void clientResponded() {
        retry.resetBackoff();
    }

    private void scheduleRetry(String failure) {
        if (!closed) retry.schedule(failure);
    }

    private void retryNow() {
        if (closed) return;
        holding = false;
        if (consumer == null) {
            open(store.get());
            return;
        }
        List<Pending> due = new ArrayList<>(waiting);
        waiting.clear();
        for (Pending p : due) {
            if (p.deadLetterReason() != null) {
                deadLetter(p.message(), p.deadLetterReason());
            } else {
                resend.add(p.message());
            }
        }
        pump();
    }

    private void dropConsumer() {
        for (InFlight f : unsettled) {
            if (f.ackTimeout != null) f.ackTimeout.cancel(false);
        }
        unsettled.clear();
        waiting.clear();
        resend.clear();
        if (consumer != null) consumer.close();
        consumer = null;
    }

    @Override
    public void closed() {
        if (closed) return;
        closed = true;
        store.removeListener(onStoreChange);
        retry.cancel();
        dropConsumer();
    }
}
