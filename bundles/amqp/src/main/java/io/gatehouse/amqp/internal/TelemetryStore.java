package io.gatehouse.amqp.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and stores telemetry transfers on one thread of its own, so that the network threads
 * never wait for a disk, and every link's order is kept. The outcome is reported only once the
 * message is durable in every queue it routes to (invariant 1), or with the reason it is not.
 */
final class TelemetryStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryStore.class);

    /** How a transfer ended; {@code condition} is an AMQP error symbol when it was not stored. */
    record Outcome(boolean stored, String condition, String description) {
        static final Outcome STORED = new Outcome(true, null, null);
    }

    static final String INTERNAL_ERROR = "amqp:internal-error";
    static final String RESOURCE_LIMIT_EXCEEDED = "amqp:resource-limit-exceeded";

    private final ServiceSlot<MessageRouter> router;
    private final ServiceSlot<MessageStore> store;
    private final long serviceWaitMillis;
    private final ExecutorService worker;

    TelemetryStore(ServiceSlot<MessageRouter> router, ServiceSlot<MessageStore> store, long serviceWaitMillis) {
        this.router = router;
        this.store = store;
        this.serviceWaitMillis = serviceWaitMillis;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-amqp-ingest");
            t.setDaemon(true);
            return t;
        });
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
            MessageRouter r = router.await(serviceWaitMillis);
            if (r == null) throw new StoreUnavailableException("no router available for " + serviceWaitMillis + " ms");
            List<RouteTarget> targets = r.route(message);
            if (targets.isEmpty()) {
                // as in IoT Edge: accepted and dropped; the router counts it (reason no_route)
                LOG.debug("No route matches a message from {}; dropped (no_route)",
                        message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID));
                return Outcome.STORED;
            }
            appendToCurrentStore(message, targets);
            return Outcome.STORED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, INTERNAL_ERROR, "the hub is stopping");
        } catch (StoreException e) {
            LOG.error("Could not store a message from {}; rejected: {}",
                    message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID), e.getMessage());
            return new Outcome(false, RESOURCE_LIMIT_EXCEEDED, "the message could not be stored: " + e.getMessage());
        } catch (StoreUnavailableException e) {
            LOG.warn("A message from {} was not stored: {}; rejected",
                    message.systemProperty(SystemProperties.CONNECTION_DEVICE_ID), e.getMessage());
            return new Outcome(false, INTERNAL_ERROR, "the message could not be stored: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Could not route or store a message; rejected", e);
            return new Outcome(false, INTERNAL_ERROR, "the message could not be routed or stored: " + e);
        }
    }

    /** A store replaced under an append (bundle update) gets the message in its successor. */
    private void appendToCurrentStore(Message message, List<RouteTarget> targets) throws StoreException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(serviceWaitMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            MessageStore s = left > 0 ? store.await(left) : null;
            if (s == null) throw new StoreUnavailableException("no store available for " + serviceWaitMillis + " ms");
            try {
                s.append(message, targets);
                return;
            } catch (StoreException e) {
                if (store.get() == s) throw e; // the store in service failed: a real storage failure
                LOG.debug("Store replaced during an append; appending to its successor");
            }
        }
    }

    /** No store: the hub's fault, not a full store. */
    private static final class StoreUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreUnavailableException(String message) {
            super(message);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
