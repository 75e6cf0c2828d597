package io.gatehouse.broker.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.headsupport.ingest.IngestThread;
import io.gatehouse.headsupport.ingest.RoutedAppend;
import io.gatehouse.headsupport.services.ServiceSlot;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and persists telemetry: on the network thread while router and store are in service
 * ({@link #storeHere}), otherwise on its own thread, one message after the other so that every
 * sender's order is kept. The callback that sends the PUBACK runs only after the message is
 * durable in every queue it routes to (invariant 1): nothing else in this bundle acknowledges a
 * telemetry publish.
 */
final class TelemetryIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryIngest.class);

    /**
     * What the caller does with a batch: acknowledge the first {@code count} messages, which are
     * safe; on failure, the ones after them are not.
     */
    interface Outcome {
        void persisted(int count);

        void failed(int persistedCount, String reason);
    }

    private final ServiceSlot<MessageRouter> router;
    private final ServiceSlot<MessageStore> store;
    private final RoutedAppend append;
    private final IngestThread worker = new IngestThread("gatehouse-ingest");

    TelemetryIngest(ServiceSlot<MessageRouter> router, ServiceSlot<MessageStore> store, long serviceWaitMillis) {
        this.router = router;
        this.store = store;
        this.append = new RoutedAppend(router, store, serviceWaitMillis);
    }

    /**
     * Routes and stores the messages of one read from one connection, in order. Handing them over
     * as a batch costs one thread hand-off and one acknowledgement task per read instead of per
     * message.
     */
    void submit(List<Message> messages, Outcome outcome) {
        worker.execute(() -> ingest(messages, outcome));
    }

    /**
     * Routes and stores messages on the calling thread, in order, while router and store are in
     * service and the store takes them; returns how many are stored. It never waits: the caller
     * hands what is left to {@link #submit}, whose thread waits for services being replaced and
     * reports real failures.
     */
    int storeHere(List<Message> messages) {
        MessageRouter r = router.get();
        MessageStore s = store.get();
        if (r == null || s == null) return 0;
        int done = 0;
        try {
            for (Message message : messages) {
                List<RouteTarget> targets = r.route(message);
                if (!targets.isEmpty()) s.append(message, targets);
                done++;
            }
        } catch (StoreException | RuntimeException e) {
            LOG.debug("Storing on the network thread stopped ({}); the ingest thread takes the rest", e.toString());
        }
        return done;
    }

    private void ingest(List<Message> messages, Outcome outcome) {
        int done = 0;
        try {
            for (Message message : messages) {
                append.routeAndAppend(message);
                done++;
            }
            outcome.persisted(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.failed(done, "shutting down");
        } catch (StoreException | RuntimeException e) {
            LOG.error("Could not store a message; the sender is not acknowledged", e);
            outcome.failed(done, "storage failure: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        worker.close();
    }
}
