package io.gatehouse.amqp.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.headsupport.ingest.IngestThread;
import io.gatehouse.headsupport.ingest.RoutedAppend;
import io.gatehouse.headsupport.ingest.ServiceUnavailableException;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and stores telemetry transfers on one thread of its own, so that the network threads
 * never wait for a disk, and every link's order is kept. The outcome is reported only once the
 * message is durable in every queue it routes to (invariant 1), or with the reason it is not, as
 * an AMQP error condition.
 */
final class TelemetryStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryStore.class);

    /** How a transfer ended; {@code condition} is an AMQP error symbol when it was not stored. */
    record Outcome(boolean stored, String condition, String description) {
        static final Outcome STORED = new Outcome(true, null, null);
    }

    static final String INTERNAL_ERROR = "amqp:internal-error";
    static final String RESOURCE_LIMIT_EXCEEDED = "amqp:resource-limit-exceeded";

    private final RoutedAppend append;
    private final IngestThread worker = new IngestThread("gatehouse-amqp-ingest");

    TelemetryStore(ServiceSlot<MessageRouter> router, ServiceSlot<MessageStore> store, long serviceWaitMillis) {
        this.append = new RoutedAppend(router, store, serviceWaitMillis);
    }

    /** Stores the message, then hands the outcome to {@code done} (on the ingest thread). */
    void submit(Message message, Consumer<Outcome> done) {
        submitAll(List.of(message), done);
    }

    /**
     * Stores the messages of a batch in order, then hands the outcome to {@code done}: stored
     * once all are, otherwise the first failure (the messages before it stay stored; the client
     * sends the batch again, at least once).
     */
    void submitAll(List<Message> messages, Consumer<Outcome> done) {
        try {
            worker.execute(() -> done.accept(storeAll(messages)));
        } catch (RejectedExecutionException e) {
            done.accept(new Outcome(false, INTERNAL_ERROR, "the hub is stopping"));
        }
    }

    private Outcome storeAll(List<Message> messages) {
        for (int i = 0; i < messages.size(); i++) {
            Outcome outcome = store(messages.get(i));
            if (outcome.stored()) continue;
            if (messages.size() == 1) return outcome;
            return new Outcome(false, outcome.condition(), "message " + (i + 1) + " of the batch of " + messages.size()
                    + ": " + outcome.description());
        }
        return Outcome.STORED;
    }

    private Outcome store(Message message) {
        try {
            append.routeAndAppend(message);
            return Outcome.STORED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, INTERNAL_ERROR, "the hub is stopping");
        } catch (ServiceUnavailableException e) {
            // no router or store: the hub's fault, not a full store
            LOG.warn("A message from {} was not stored: {}; rejected",
                    message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID), e.getMessage());
            return new Outcome(false, INTERNAL_ERROR, "the message could not be stored: " + e.getMessage());
        } catch (StoreException e) {
            LOG.error("Could not store a message from {}; rejected: {}",
                    message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID), e.getMessage());
            return new Outcome(false, RESOURCE_LIMIT_EXCEEDED, "the message could not be stored: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Could not route or store a message; rejected", e);
            return new Outcome(false, INTERNAL_ERROR, "the message could not be routed or stored: " + e);
        }
    }

    @Override
    public void close() {
        worker.close();
    }
}
