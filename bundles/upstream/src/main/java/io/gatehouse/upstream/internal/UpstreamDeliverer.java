package io.gatehouse.upstream.internal;

import io.gatehouse.api.delivery.RetryBackoff;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.route.EndpointIds;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains {@code $upstream} to the parent on one thread, each message on its sender's connection,
 * with up to {@code maxBatchSize} messages in flight; any failure is transient: the consumer is reopened, so everything unacknowledged comes again from
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

    private record InFlight(StoredMessage message, IdentityId sender, IMqttDeliveryToken token, long sentNanos) {
    }

    /**
     * Sends while messages wait, with up to {@code maxBatchSize} in flight: the PUBACKs are taken in
     * send order, each acknowledges its message and lets the next one go, so the window never waits
     * for its slowest member. After a failure, a failed sender's later messages are neither sent nor
     * acknowledged (its resend keeps the order), the others' go for one more window; then the
     * consumer is reopened and the backoff waited.
     */
    private void round() throws InterruptedException {
        ArrayDeque<InFlight> window = new ArrayDeque<>(maxBatchSize);
        Set<IdentityId> failedSenders = new HashSet<>();
        String failure = null;
        try {
            if (consumer == null) {
                consumer = store.consume(EndpointIds.UPSTREAM);
                consumer.onAvailable(this::wake);
            }
            // after a failure, up to one more window of the others' messages still goes (a refused leaf must
            // not hold back the rest), but no more: the checkpoint cannot pass the failed message, so all
            // after it come again with the retry
            int afterFailure = 0;
            while (running) {
                while (window.size() < maxBatchSize && afterFailure < maxBatchSize) {
                    StoredMessage m = nextSendable();
                    if (m == null) break;
                    if (failure != null) afterFailure++;
                    IdentityId sender = TelemetryEncoding.sender(m.message());
                    if (failedSenders.contains(sender)) continue;
                    try {
                        IMqttDeliveryToken token = connectionOf(sender)
                                .publish(TelemetryEncoding.topic(sender, m.message()), m.message().body());
                        window.add(new InFlight(m, sender, token, System.nanoTime()));
                    } catch (UpstreamException e) {
                        failedSenders.add(sender);
                        if (failure == null) failure = e.getMessage();
                    }
                }
                InFlight head = window.poll();
                if (head == null) break;
                if (failedSenders.contains(head.sender())) continue;
                failure = settle(head, failedSenders, failure);
            }
        } catch (StoreException e) {
            failure = "reading $upstream failed: " + e.getMessage();
        } catch (RuntimeException e) {
            // a bug or a library surprise must not end delivery for good: log it whole and retry like any failure
            LOG.error("sending $upstream messages failed unexpectedly", e);
            failure = "unexpected " + e;
        }
        if (failure != null) {
            failed(failure);
        } else if (running) {
            awaitMessages();
        }
    }

    /** Waits for the PUBACK of the oldest message in flight; returns the round's failure, if any. */
    private String settle(InFlight f, Set<IdentityId> failedSenders, String failure) {
        long remainingMillis = (operationTimeout.toNanos() - (System.nanoTime() - f.sentNanos())) / 1_000_000;
        try {
            f.token().waitForCompletion(Math.max(1, remainingMillis));
            consumer.acknowledge(f.message());
            backoff.reset();
            return failure;
        } catch (MqttException e) {
            failedSenders.add(f.sender());
            if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT && !f.sender().equals(self)) {
                // a connection that does not answer in time is not reused; the retry opens a new one
                pool.discard(f.sender());
            }
            return failure != null ? failure : "sending as " + f.sender() + ": " + UpstreamConnection.describe(e);
        }
    }

    /** The next message to send; expired and never-acceptable ones are settled here. */
    private StoredMessage nextSendable() throws StoreException {
        long now = System.currentTimeMillis();
        while (true) {
            StoredMessage m = consumer.poll();
            if (m == null) return null;
            if (m.expiredAt(now)) {
                consumer.expire(m);
                continue;
            }
            String invalid = TelemetryEncoding.invalidReason(m.message());
            if (invalid == null) return m;
            consumer.deadLetter(m, invalid);
            LOG.warn("$upstream message {} (priority {}) dead-lettered: {}", m.index(), m.priority(), invalid);
        }
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
