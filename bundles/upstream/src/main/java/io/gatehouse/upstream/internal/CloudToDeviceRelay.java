package io.gatehouse.upstream.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the parent's cloud-to-device messages for a leaf into the local store queue
 * {@code $c2d/{leaf}}, from which the local heads deliver them, and settles each with the parent only
 * after that: accepted (AMQP Accepted, MQTT PUBACK) once the append returned (the message is durable
 * here), released when it failed (AMQP Released; MQTT: no PUBACK and the connection dropped), so the
 * parent sends it again later. Appends run on one thread of their own, in arrival order, never on
 * the connection's.
 */
final class CloudToDeviceRelay {
    private static final Logger LOG = LoggerFactory.getLogger(CloudToDeviceRelay.class);

    /** How the parent learns what became of a message. */
    interface Settlement {
        void accept();

        void release();

        void reject(String reason);

        /**
         * Whether it can no longer be settled (its connection is gone, or an earlier message on it
         * failed): then it is not stored, as the parent sends it again.
         */
        default boolean abandoned() {
            return false;
        }
    }

    /** A message as it goes into the store, and its time to live in seconds (-1: forever). */
    record Relayed(Message message, long timeToLiveSecs) {
    }

    /** Reads a message from the parent's encoding at {@code now}; throws IllegalArgumentException when it cannot. */
    interface Decoder {
        Relayed decode(Instant now);
    }

    private final MessageStore store;
    private final Clock clock;
    private final ExecutorService appends = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gatehouse-upstream-c2d");
        t.setDaemon(true);
        return t;
    });

    CloudToDeviceRelay(MessageStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** An AMQP message from the parent for {@code leaf}; returns at once. */
    void received(String leaf, org.apache.qpid.proton.message.Message amqp, Settlement settlement) {
        received(leaf, now -> new Relayed(AmqpMessageMapping.cloudToDevice(amqp, leaf, now),
                AmqpMessageMapping.timeToLiveSecs(amqp, now)), settlement);
    }

    /** A message from the parent for {@code leaf}; returns at once. */
    void received(String leaf, Decoder decoder, Settlement settlement) {
        try {
            appends.execute(() -> relay(leaf, decoder, settlement));
        } catch (RejectedExecutionException e) {
            settlement.release(); // stopping
        }
    }

    private void relay(String leaf, Decoder decoder, Settlement settlement) {
        if (settlement.abandoned()) {
            LOG.debug("a cloud-to-device message for {} arrived on a connection that is gone: the parent sends it again",
                    leaf);
            return;
        }
        Relayed r;
        try {
            r = decoder.decode(clock.instant());
        } catch (IllegalArgumentException e) {
            LOG.warn("refused a cloud-to-device message for {} from the parent: {}", leaf, e.getMessage());
            settlement.reject(e.getMessage());
            return;
        }
        Message m = r.message();
        String queue = EndpointIds.cloudToDevice(leaf);
        try {
            store.append(m, List.of(new RouteTarget(queue, 0, r.timeToLiveSecs())));
        } catch (Exception e) {
            LOG.warn("cannot queue the cloud-to-device message {} for {}: {}; the parent sends it again",
                    m.systemProperty(io.gatehouse.api.message.SystemProperties.MESSAGE_ID), leaf, e.getMessage());
            settlement.release();
            return;
        }
        settlement.accept();
    }

    void stop() {
        appends.shutdownNow();
    }
}
