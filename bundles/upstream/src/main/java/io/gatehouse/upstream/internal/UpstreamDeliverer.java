package io.gatehouse.upstream.internal;

import io.gatehouse.api.delivery.RetryBackoff;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains {@code $upstream} to the parent on one thread, each message on its sender's connection.
 * A round sends up to {@code maxBatchSize} messages together and waits for their PUBACKs; any
 * failure is transient: the consumer is reopened, so everything unacknowledged comes again from
 * the checkpoint in store order, after the backoff. The link coming up ends a backoff at once.
 */
final class UpstreamDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamDeliverer.class);
    /** A safety net: re-polls now and then even if a wake-up were missed. */
    private static final long IDLE_RECHECK_MILLIS = 5_000;

    private final MessageStore store;
    private final ConnectionPool pool;
    private final IdentityId self;
    private final int maxBatchSize;
    private final Duration operationTimeout;
    private final BooleanSupplier linkUp;
    private final RetryBackoff backoff = new RetryBackoff();
    private final Object signal = new Object();
    private boolean available; // guarded by signal
    private boolean linkCameUp; // guarded by signal
    private volatile boolean running;
    private Thread thread;
    private QueueConsumer consumer; // deliverer thread only

    UpstreamDeliverer(MessageStore store, ConnectionPool pool, IdentityId self, int maxBatchSize,
            Duration operationTimeout, BooleanSupplier linkUp) {
        this.store = store;
        this.pool = pool;
        this.self = self;
        this.maxBatchSize = maxBatchSize;
        this.operationTimeout = operationTimeout;
        this.linkUp = linkUp;
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "gatehouse-upstream-deliverer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        Thread t = thread;
        if (t == null) return;
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The upstream link is (again) up: send now, whatever backoff was armed. */
    void linkUp() {
        synchronized (signal) {
            linkCameUp = true;
            signal.notifyAll();
        }
    }

    private void wake() {
        synchronized (signal) {
            available = true;
            signal.notifyAll();
        }
    }

    private void run() {
        try {
            while (running) {
                if (!linkUp.getAsBoolean()) {
                    awaitLink();
                    continue;
                }
                boolean cameUp;
                synchronized (signal) {
                    cameUp = linkCameUp;
                    linkCameUp = false;
                    available = false;
                }
                if (cameUp) backoff.reset();
                round();
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException | Error e) {
            LOG.error("the $upstream deliverer stopped on an unexpected failure", e);
        } finally {
            closeConsumer();
        }
    }

    private void round() throws InterruptedException {
        List<StoredMessage> batch;
        try {
            if (consumer == null) {
                consumer = store.consume(EndpointIds.UPSTREAM);
                consumer.onAvailable(this::wake);
            }
            batch = collect();
        } catch (StoreException | RuntimeException e) {
            failed("reading $upstream failed: " + e.getMessage());
            return;
        }
        if (batch.isEmpty()) {
            awaitMessages();
            return;
        }
        try {
            long t0 = System.nanoTime();
            send(batch);
            if (LOG.isDebugEnabled()) {
                LOG.debug("sent {} $upstream messages in {} ms", batch.size(), (System.nanoTime() - t0) / 1_000_000);
            }
            backoff.reset();
        } catch (UpstreamException e) {
            failed(e.getMessage());
        } catch (RuntimeException e) {
            // a bug or a library surprise must not end delivery for good: log it whole and retry like any failure
            LOG.error("sending $upstream messages failed unexpectedly", e);
            failed("unexpected " + e);
        }
    }

    /** Up to a batch of sendable messages; expired and never-acceptable ones are settled here. */
    private List<StoredMessage> collect() throws StoreException {
        List<StoredMessage> batch = new ArrayList<>(maxBatchSize);
        long now = System.currentTimeMillis();
        while (batch.size() < maxBatchSize) {
            StoredMessage m = consumer.poll();
            if (m == null) break;
            if (m.expiredAt(now)) {
                consumer.expire(m);
                continue;
            }
            String invalid = TelemetryEncoding.invalidReason(m.message());
            if (invalid != null) {
                consumer.deadLetter(m, invalid);
                LOG.warn("$upstream message {} (priority {}) dead-lettered: {}", m.index(), m.priority(), invalid);
                continue;
            }
            batch.add(m);
        }
        return batch;
    }

    private record InFlight(StoredMessage message, IdentityId sender, IMqttDeliveryToken token) {
    }

    /**
     * Publishes the batch, all in flight together, then acknowledges each PUBACK — but never a
     * sender's message after one of its earlier ones failed, so the resend keeps its order.
     */
    private void send(List<StoredMessage> batch) throws UpstreamException {
        Map<IdentityId, UpstreamConnection> connections = new HashMap<>();
        Set<IdentityId> failed = new HashSet<>();
        List<InFlight> inFlight = new ArrayList<>(batch.size());
        UpstreamException first = null;
        for (StoredMessage m : batch) {
            IdentityId sender = TelemetryEncoding.sender(m.message());
            if (failed.contains(sender)) continue;
            try {
                UpstreamConnection c = connections.get(sender);
                if (c == null) {
                    c = connectionOf(sender);
                    connections.put(sender, c);
                }
                String topic = TelemetryEncoding.topic(sender, m.message());
                inFlight.add(new InFlight(m, sender, c.publish(topic, m.message().body())));
            } catch (UpstreamException e) {
                failed.add(sender);
                if (first == null) first = e;
            }
        }
        long deadline = System.nanoTime() + operationTimeout.toNanos();
        for (InFlight f : inFlight) {
            if (failed.contains(f.sender)) continue;
            long remainingMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            try {
                f.token.waitForCompletion(remainingMillis);
                consumer.acknowledge(f.message);
            } catch (MqttException e) {
                failed.add(f.sender);
                if (first == null) {
                    first = new UpstreamException("sending as " + f.sender + ": " + UpstreamConnection.describe(e), e);
                }
                if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT && !f.sender.equals(self)) {
                    // a connection that does not answer in time is not reused; the next round opens a new one
                    pool.discard(f.sender);
                }
            }
        }
        if (first != null) throw first;
    }

    private UpstreamConnection connectionOf(IdentityId sender) throws UpstreamException {
        if (sender.equals(self)) {
            UpstreamConnection link = pool.get(self);
            if (!link.isConnected()) throw new UpstreamException("the upstream link is down");
            return link;
        }
        return pool.connected(sender);
    }

    private void failed(String reason) throws InterruptedException {
        closeConsumer();
        if (!running) return;
        Duration delay = backoff.nextDelay();
        LOG.warn("upstream delivery failed: {}; the unacknowledged messages go again in {} ms", reason,
                delay.toMillis());
        awaitBackoff(delay);
    }

    private void closeConsumer() {
        QueueConsumer c = consumer;
        consumer = null;
        if (c == null) return;
        try {
            c.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the $upstream consumer failed", e);
        }
    }

    private void awaitLink() throws InterruptedException {
        synchronized (signal) {
            while (running && !linkCameUp && !linkUp.getAsBoolean()) signal.wait(IDLE_RECHECK_MILLIS);
        }
    }

    private void awaitMessages() throws InterruptedException {
        synchronized (signal) {
            if (running && !available && !linkCameUp) signal.wait(IDLE_RECHECK_MILLIS);
        }
    }

    private void awaitBackoff(Duration delay) throws InterruptedException {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (signal) {
            while (running && !linkCameUp) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) return;
                signal.wait(remaining);
            }
        }
    }
}
