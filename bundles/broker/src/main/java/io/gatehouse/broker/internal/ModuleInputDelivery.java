package io.gatehouse.broker.internal;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoredMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Delivers a module's input queues to its connection. A stored message is acknowledged to the
 * store only when the module's PUBACK arrives (invariant 2); if the connection ends first, the
 * store hands it out again next time. Runs on the connection's event loop.
 */
final class ModuleInputDelivery {

    /** A publish in flight to the module, and the consumer that must hear of its PUBACK. */
    record InFlight(ModuleInputDelivery delivery, QueueConsumer consumer, StoredMessage message) {
    }

    private final MqttConnection connection;
    private final Channel channel;
    private final IdentityId module;
    private final ServiceSlot<MessageStore> store;
    private final int maxInflight;
    private final MqttQoS qos;
    private final Consumer<MessageStore> onStoreChange = this::storeChanged;
    /** One pump task queued at a time, however many appends signal meanwhile. */
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    private QueueConsumer consumer;
    private int inflight;
    private boolean closed;

    ModuleInputDelivery(MqttConnection connection, ServiceSlot<MessageStore> store, int maxInflight, MqttQoS qos) {
        this.connection = connection;
        this.channel = connection.channel();
        this.module = connection.identity();
        this.store = store;
        this.maxInflight = maxInflight;
        this.qos = qos;
    }

    void start() {
        store.onChange(onStoreChange);
        open(store.get());
    }

    private void storeChanged(MessageStore newStore) {
        channel.eventLoop().execute(() -> {
            if (closed) return;
            // messages in flight from the old consumer come again from the new one (at least once)
            if (consumer != null) consumer.close();
            consumer = null;
            inflight = 0;
            open(newStore);
        });
    }

    private void open(MessageStore s) {
        if (s == null || closed) return;
        QueueConsumer c = s.consume(EndpointIds.moduleInputPrefix(module.deviceId(), module.moduleId()));
        consumer = c;
        c.onAvailable(() -> {
            if (pumpQueued.compareAndSet(false, true)) {
                channel.eventLoop().execute(() -> {
                    pumpQueued.set(false);
                    pump();
                });
            }
        });
        pump();
    }

    /** Sends what the window and the socket allow. */
    void pump() {
        if (closed || consumer == null) return;
        boolean wrote = false;
        while (inflight < maxInflight && channel.isWritable()) {
            StoredMessage m = consumer.poll();
            if (m == null) break;
            publish(m);
            wrote = true;
        }
        if (wrote) connection.scheduleFlush();
    }

    private void publish(StoredMessage m) {
        String input = EndpointIds.inputName(m.endpointId());
        String topic = IotHubTopics.moduleInputTopic(module, input, PropertyBag.encode(m.message()));
        MqttMessageBuilders.PublishBuilder publish = MqttMessageBuilders.publish()
                .topicName(topic)
                .retained(false)
                .payload(Unpooled.wrappedBuffer(m.message().body()));
        if (qos == MqttQoS.AT_MOST_ONCE) {
            // the module chose at most once: the message leaves the queue once written
            QueueConsumer c = consumer;
            channel.write(publish.qos(MqttQoS.AT_MOST_ONCE).build()).addListener(f -> {
                if (f.isSuccess()) c.acknowledge(m);
            });
            return;
        }
        int packetId = connection.packetIds().allocate(new InFlight(this, consumer, m));
        if (packetId == 0) return; // cannot happen below 65535 in flight; the message comes again later
        inflight++;
        channel.write(publish.qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId).build());
    }

    void acknowledged(InFlight f) {
        if (closed || f.consumer() != consumer) return; // from a consumer that was replaced
        inflight--;
        consumer.acknowledge(f.message());
        pump();
    }

    void close() {
        closed = true;
        store.removeListener(onStoreChange);
        if (consumer != null) consumer.close();
        consumer = null;
    }
}
