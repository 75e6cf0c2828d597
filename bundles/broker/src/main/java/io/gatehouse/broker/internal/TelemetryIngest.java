package io.gatehouse.broker.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.MessageRouter;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.StoreException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and persists telemetry off the network threads, one message after the other so that
 * every sender's order is kept. The callback that sends the PUBACK runs only after the message is
 * durable in every queue it routes to (invariant 1): nothing else in this bundle acknowledges a
 * telemetry publish.
 */
final class TelemetryIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryIngest.class);

    /** What the caller does once the message is safe (ack) or could not be made safe (fail). */
    interface Outcome {
        void persisted();

        void failed(String reason);
    }

    private final ServiceSlot<MessageRouter> router;
    private final ServiceSlot<MessageStore> store;
    private final long serviceWaitMillis;
    private final ExecutorService worker;

    TelemetryIngest(ServiceSlot<MessageRouter> router, ServiceSlot<MessageStore> store, long serviceWaitMillis) {
        this.router = router;
        this.store = store;
        this.serviceWaitMillis = serviceWaitMillis;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-ingest");
            t.setDaemon(true);
            return t;
        });
    }

    void submit(Message message, Outcome outcome) {
        worker.execute(() -> ingest(message, outcome));
    }

    private void ingest(Message message, Outcome outcome) {
        try {
            MessageRouter r = router.await(serviceWaitMillis);
            if (r == null) {
                outcome.failed("no router available for " + serviceWaitMillis + " ms");
                return;
            }
            List<RouteTarget> targets = r.route(message);
            if (targets.isEmpty()) {
                // as in IoT Edge: acknowledged and dropped; the router counts it (reason no_route)
                LOG.debug("No route matches a message from {}; dropped (no_route)",
                        message.systemProperties().get("connectionDeviceId"));
                outcome.persisted();
                return;
            }
            appendToCurrentStore(message, targets);
            outcome.persisted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.failed("shutting down");
        } catch (Exception e) {
            LOG.error("Could not store a message; the sender is not acknowledged", e);
            outcome.failed("storage failure: " + e.getMessage());
        }
    }

    /**
     * Appends to the store in service. A store being replaced (its bundle updated) can close under
     * an append in progress; the message then goes to its successor, so the update costs the
     * sender a delay, never its connection.
     */
    private void appendToCurrentStore(Message message, List<RouteTarget> targets)
            throws StoreException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(serviceWaitMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            MessageStore s = left > 0 ? store.await(left) : null;
            if (s == null) throw new StoreException("no store available for " + serviceWaitMillis + " ms");
            try {
                s.append(message, targets);
                return;
            } catch (StoreException e) {
                if (store.get() == s) throw e; // the store in service failed: a real storage failure
                LOG.debug("Store replaced during an append; appending to its successor");
            }
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
