package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import io.gatehouse.headsupport.delivery.CoalescedPump;
import io.gatehouse.headsupport.delivery.DeliveryRetry;
import io.gatehouse.headsupport.services.ServiceSlot;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers store queues to a connection: a module's inputs, or a device's cloud-to-device
 * messages ({@link DeliveryQueue}). A stored message is acknowledged to the store only when the
 * client's PUBACK arrives (invariant 2; for C2D the PUBACK is IoT Hub's "complete"); if the
 * connection ends first, the store hands it out again next time.
 *
 * <p>Transient failures (a PUBACK overdue while the connection stays open, a failed write on an
 * open channel, a store that throws) are retried after the reference's exponential backoff, for as
 * long as the connection lasts and the message's time to live allows (an expired one is not sent
 * again but dropped as ttl_expiry). A message that can never be a valid PUBLISH is refused to the
 * store's dead-letter queue instead, so it neither blocks the queue nor disappears. The backoff
 * belongs to this object, which lives as long as one connection's subscription: a client that
 * reconnects starts with a fresh one, and one that subscribes again is served at once.
 *
 * <p>Runs on the connection's event loop; its timers are scheduled there too.
 */
final class QueueDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDelivery.class);

    /** MQTT 3.1.1 §1.5.3: a string, the topic name included, has a two-byte length. */
    static final int MAX_TOPIC_BYTES = 65535;
    /** MQTT 3.1.1 §2.2.3: the largest remaining length four bytes can encode. */
    static final int MAX_REMAINING_LENGTH = 268_435_455;

    private enum State {
        /** Handed to the channel, outcome not known yet. */
        WRITING,
        /** On the wire at QoS 1, waiting for the PUBACK. */
        AWAITING_ACK,
        /** Its write failed or its PUBACK is overdue: the next retry sends it (again). */
        TO_RESEND,
        /** Invalid for the client; the store has not yet taken it into the dead-letter queue. */
        TO_DEAD_LETTER
    }

    /** A stored message handed out by the consumer and not settled yet. */
    static final class InFlight {
        private final QueueDelivery delivery;
        private final QueueConsumer consumer;
        private final StoredMessage message;
        private final String topic;
        private String refusal;
        private int packetId;
        private State state;
        private boolean everWritten;
        private ScheduledFuture<?> ackTimeout;

        private InFlight(QueueDelivery delivery, QueueConsumer consumer, StoredMessage message, String topic,
                String refusal) {
            this.delivery = delivery;
            this.consumer = consumer;
            this.message = message;
            this.topic = topic;
            this.refusal = refusal;
            this.state = refusal == null ? State.WRITING : State.TO_DEAD_LETTER;
        }

        QueueDelivery delivery() {
            return delivery;
        }
    }

    private final MqttConnection connection;
    private final Channel channel;
    private final IdentityId client;
    private final DeliveryQueue queue;
    private final ServiceSlot<MessageStore> store;
    private final int maxInflight;
    private final MqttQoS qos;
    private final long ackTimeoutMillis;
    private final DeliveryRetry retry;
    private final Consumer<MessageStore> onStoreChange = this::storeChanged;
    private final CoalescedPump pumpSignal;
    /** In the order they were (last) sent; bounded by {@code maxInflight}. */
    private final LinkedHashSet<InFlight> unsettled = new LinkedHashSet<>();
    private QueueConsumer consumer;
    /** The channel or the store failed: nothing new is polled until the retry. */
    private boolean holding;
    private boolean closed;

    QueueDelivery(MqttConnection connection, DeliveryQueue queue, ServiceSlot<MessageStore> store, int maxInflight,
            MqttQoS qos, Duration ackTimeout) {
        this.connection = connection;
        this.channel = connection.channel();
        this.client = connection.identity();
        this.queue = queue;
        this.store = store;
        this.maxInflight = maxInflight;
        this.qos = qos;
        this.ackTimeoutMillis = ackTimeout.toMillis();
        this.retry = new DeliveryRetry(queue.description(),
                (task, delayMillis) -> channel.eventLoop().schedule(task, delayMillis, TimeUnit.MILLISECONDS), this::retryNow);
        this.pumpSignal = new CoalescedPump(channel.eventLoop(), this::pump);
    }

    void start() {
        store.onChange(onStoreChange);
        open(store.get());
    }

    /**
     * The client subscribed to its queue again (inputs or devicebound): whatever waits for a backoff goes now, and the
     * next failure starts from the shortest delay.
     */
    void endpointAvailable() {
        if (closed) return;
        retry.resetBackoff();
        retry.cancel();
        retryNow();
    }

    private void storeChanged(MessageStore newStore) {
        channel.eventLoop().execute(() -> {
            if (closed) return;
            // messages in flight from the old consumer come again from the new one (at least once)
            if (consumer != null) consumer.close();
            consumer = null;
            forgetUnsettled();
            retry.cancel();
            holding = false;
            retry.resetBackoff();
            open(newStore);
        });
    }

    private void open(MessageStore s) {
        if (s == null || closed) return;
        QueueConsumer c;
        try {
            c = s.consume(queue.endpoint());
        } catch (RuntimeException e) {
            holding = true;
            scheduleRetry("the store could not open its queues: " + e);
            return;
        }
        consumer = c;
        c.onAvailable(pumpSignal::signal);
        pump();
    }

    /** Sends what the window and the socket allow. */
    void pump() {
        if (closed || consumer == null || holding) return;
        boolean wrote = false;
        while (!holding && unsettled.size() < maxInflight && channel.isWritable()) {
            StoredMessage m;
            try {
                m = consumer.poll();
            } catch (RuntimeException e) {
                holding = true;
                scheduleRetry("the store failed to hand out the next message: " + e);
                break;
            }
            if (m == null) break;
            wrote |= deliver(m);
        }
        if (wrote) connection.scheduleFlush();
    }

    /** @return whether something was written */
    private boolean deliver(StoredMessage m) {
        String topic;
        String refusal = null;
        try {
            topic = topicFor(m);
            refusal = invalidity(topic, m);
        } catch (RuntimeException e) {
            topic = null;
            refusal = "it cannot be rendered as an MQTT publish: " + e;
        }
        InFlight f = new InFlight(this, consumer, m, topic, refusal);
        unsettled.add(f);
        if (refusal != null) {
            LOG.warn("Refusing a message for {} as invalid (endpoint {}): {}", client, m.endpointId(), refusal);
            deadLetter(f);
            return false;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            f.packetId = connection.packetIds().allocate(f);
            if (f.packetId == 0) {
                // all 65535 ids are taken (cannot happen below that many in flight): try again later
                f.state = State.TO_RESEND;
                scheduleRetry("no free packet id");
                return false;
            }
        }
        write(f);
        return true;
    }

    private String topicFor(StoredMessage m) {
        return queue.topic().apply(m);
    }

    /** Why the publish would break MQTT 3.1.1, or null when it is valid. */
    private static String invalidity(String topic, StoredMessage m) {
        int topicBytes = ByteBufUtil.utf8Bytes(topic);
        if (topicBytes > MAX_TOPIC_BYTES) {
            return "its topic with the property bag takes " + topicBytes + " bytes; MQTT allows " + MAX_TOPIC_BYTES;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\u0000') {
                return "its topic would contain the character U+" + String.format("%04X", (int) c)
                        + ", which MQTT forbids in a topic name";
            }
        }
        long remaining = 2L + topicBytes + 2 + m.message().body().length;
        if (remaining > MAX_REMAINING_LENGTH) {
            return "the publish would take " + remaining + " bytes; MQTT allows " + MAX_REMAINING_LENGTH;
        }
        return null;
    }

    private void write(InFlight f) {
        f.state = State.WRITING;
        boolean dup = f.everWritten;
        MqttPublishMessage publish = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, qos, false, 0),
                new MqttPublishVariableHeader(f.topic, qos == MqttQoS.AT_MOST_ONCE ? -1 : f.packetId),
                Unpooled.wrappedBuffer(f.message.message().body()));
        channel.write(publish).addListener(future -> written(f, (ChannelFuture) future));
    }

    private void written(InFlight f, ChannelFuture future) {
        if (closed || f.consumer != consumer || !unsettled.contains(f)) return;
        if (future.isSuccess()) {
            f.everWritten = true;
            if (qos == MqttQoS.AT_MOST_ONCE) {
                // the client chose at most once: the message leaves the queue once written
                unsettled.remove(f);
                consumer.acknowledge(f.message);
                pump();
            } else {
                f.state = State.AWAITING_ACK;
                f.ackTimeout = channel.eventLoop().schedule(() -> ackOverdue(f), ackTimeoutMillis, TimeUnit.MILLISECONDS);
            }
            return;
        }
        if (!channel.isActive()) return; // the connection is ending; the next one gets the message again
        Throwable cause = future.cause();
        if (cause instanceof EncoderException && !(cause.getCause() instanceof Error)) {
            if (f.packetId != 0) connection.packetIds().release(f.packetId); // never reached the client
            f.packetId = 0;
            f.refusal = "it cannot be encoded as an MQTT publish: " + cause.getMessage();
            f.state = State.TO_DEAD_LETTER;
            LOG.warn("Refusing a message for {} as invalid (endpoint {}): {}", client, f.message.endpointId(), f.refusal);
            deadLetter(f);
            return;
        }
        f.state = State.TO_RESEND;
        holding = true;
        scheduleRetry("a write to the connection failed: " + cause);
    }

    private void ackOverdue(InFlight f) {
        f.ackTimeout = null;
        if (closed || f.state != State.AWAITING_ACK || !unsettled.contains(f)) return;
        f.state = State.TO_RESEND;
        scheduleRetry("packet " + f.packetId + " not acknowledged within " + ackTimeoutMillis + " ms");
    }

    /** @return whether the store took it */
    private boolean deadLetter(InFlight f) {
        try {
            f.consumer.deadLetter(f.message, f.refusal);
        } catch (StoreException | RuntimeException e) {
            // left unsettled: it must not leave the queue until the dead-letter queue holds it
            scheduleRetry("the store could not dead-letter a message of " + f.message.endpointId() + ": " + e.getMessage());
            return false;
        }
        unsettled.remove(f);
        return true;
    }

    void acknowledged(InFlight f) {
        if (closed || f.consumer != consumer || !unsettled.remove(f)) return; // from a replaced consumer
        if (f.ackTimeout != null) f.ackTimeout.cancel(false);
        consumer.acknowledge(f.message);
        // the client is working: the next failure waits the shortest delay, a long-armed retry comes sooner
        retry.clientResponded(this::hasRetryWork);
        pump();
    }

    private boolean hasRetryWork() {
        if (holding || consumer == null) return true;
        for (InFlight f : unsettled) {
            if (f.state == State.TO_RESEND || f.state == State.TO_DEAD_LETTER) return true;
        }
        return false;
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
        List<InFlight> pending = new ArrayList<>(unsettled);
        for (InFlight f : pending) {
            if (f.state == State.TO_DEAD_LETTER && !deadLetter(f)) break; // the store is still full: wait again
        }
        boolean wrote = false;
        long now = System.currentTimeMillis();
        for (InFlight f : pending) {
            if (f.state != State.TO_RESEND || !unsettled.contains(f)) continue;
            if (f.message.expiredAt(now)) {
                expire(f);
                continue;
            }
            if (qos == MqttQoS.AT_LEAST_ONCE && f.packetId == 0) {
                f.packetId = connection.packetIds().allocate(f);
                if (f.packetId == 0) {
                    scheduleRetry("no free packet id");
                    continue;
                }
            }
            unsettled.remove(f); // resent ones go to the back: the order is that of sending
            unsettled.add(f);
            write(f);
            wrote = true;
        }
        if (wrote) connection.scheduleFlush();
        pump();
    }

    /**
     * Its time to live ran out before the client took it: it leaves the queue as a TTL drop and is
     * not sent again. An id the client has seen stays taken until its PUBACK, which then settles nothing.
     */
    private void expire(InFlight f) {
        unsettled.remove(f);
        if (f.packetId != 0 && !f.everWritten) connection.packetIds().release(f.packetId);
        f.consumer.expire(f.message);
        LOG.debug("A message for {} expired before the client took it (endpoint {}); dropped (ttl_expiry)", client,
                f.message.endpointId());
    }

    /** Drops the bookkeeping of a consumer that is gone; the store hands its messages out again. */
    private void forgetUnsettled() {
        for (InFlight f : unsettled) {
            if (f.ackTimeout != null) f.ackTimeout.cancel(false);
            // ids the client has seen stay taken until its PUBACK, so that a late one cannot settle another message
            if (f.packetId != 0 && !f.everWritten) connection.packetIds().release(f.packetId);
        }
        unsettled.clear();
    }

    void close() {
        closed = true;
        store.removeListener(onStoreChange);
        retry.cancel();
        forgetUnsettled();
        if (consumer != null) consumer.close();
        consumer = null;
    }
}
