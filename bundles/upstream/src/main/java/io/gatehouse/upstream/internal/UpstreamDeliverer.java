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
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains {@code $upstream} to the parent on one thread, each message on its sender's channel,
 * with up to {@code window} messages in flight; any failure is transient: the consumer is reopened, so everything
 * unacknowledged comes again from the checkpoint in store order, after the backoff. The link coming up ends a backoff
 * at once. A message is acknowledged in the store only once the parent took it (over AMQP: its whole batch).
 */
final class UpstreamDeliverer {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamDeliverer.class);
    /** A safety net: re-polls now and then even if a wake-up were missed. */
    private static final long IDLE_RECHECK_MILLIS = 5_000;

    private final MessageStore store;
    private final ConnectionPool pool;
    private final IdentityId self;
    private final int window;
    private final Function<io.gatehouse.api.message.Message, String> invalidReason;
    private final Duration operationTimeout;
    private final BooleanSupplier linkUp;
    private final RetryBackoff backoff = new RetryBackoff();
    private final Object signal = new Object();
    private boolean available; // guarded by signal
    private boolean linkCameUp; // guarded by signal
    private volatile boolean running;
    private Thread thread;
    private QueueConsumer consumer; // deliverer thread only

    UpstreamDeliverer(MessageStore store, ConnectionPool pool, IdentityId self, int window,
            Function<io.gatehouse.api.message.Message, String> invalidReason, Duration operationTimeout,
            BooleanSupplier linkUp) {
        this.store = store;
        this.pool = pool;
        this.self = self;
        this.window = window;
        this.invalidReason = invalidReason;
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

    private record InFlight(StoredMessage message, IdentityId sender, ParentChannel.Ack ack, long sentNanos) {
    }

    /**
     * Sends while messages wait, with up to {@code window} in flight: the acknowledgements are taken in
     * send order, each acknowledges its message and lets the next one go, so the window never waits
     * for its slowest member. A channel that batches sends what it holds before anyone waits for it. After a failure, a failed sender's later messages are neither sent nor
     * acknowledged (its resend keeps the order), the others' go for one more window; then the
     * consumer is reopened and the backoff waited.
     */
    private void round() throws InterruptedException {
        ArrayDeque<InFlight> window = new ArrayDeque<>(this.window);
        Set<ParentChannel> unflushed = new LinkedHashSet<>();
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
                while (window.size() < this.window && afterFailure < this.window) {
                    StoredMessage m = nextSendable();
                    if (m == null) break;
                    if (failure != null) afterFailure++;
                    IdentityId sender = TelemetryEncoding.sender(m.message());
                    if (failedSenders.contains(sender)) continue;
                    try {
                        ParentChannel channel = channelOf(sender);
                        ParentChannel.Ack ack = channel.send(m.message());
                        unflushed.add(channel);
                        window.add(new InFlight(m, sender, ack, System.nanoTime()));
                    } catch (UpstreamException e) {
                        failedSenders.add(sender);
                        if (failure == null) failure = e.getMessage();
                    }
                }
                InFlight head = window.poll();
                if (head == null) break;
                if (failedSenders.contains(head.sender())) continue;
                if (!head.ack().isDone()) {
                    for (ParentChannel c : unflushed) c.flush();
                    unflushed.clear();
                }
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
            for (ParentChannel c : unflushed) c.discardUnsent();
            failed(failure);
        } else if (running) {
            awaitMessages();
        }
    }

    /** Waits for the acknowledgement of the oldest message in flight; returns the round's failure, if any. */
    private String settle(InFlight f, Set<IdentityId> failedSenders, String failure) {
        long remainingMillis = (operationTimeout.toNanos() - (System.nanoTime() - f.sentNanos())) / 1_000_000;
        try {
            f.ack().await(Math.max(1, remainingMillis));
            consumer.acknowledge(f.message());
            backoff.reset();
            return failure;
        } catch (UpstreamException e) {
            failedSenders.add(f.sender());
            if (e instanceof AckTimeoutException && !f.sender().equals(self)) {
                // a channel that does not answer in time is not reused; the retry opens a new one
                pool.discard(f.sender());
            }
            return failure != null ? failure : "sending as " + f.sender() + ": " + e.getMessage();
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
            String invalid = invalidReason.apply(m.message());
            if (invalid == null) return m;
            consumer.deadLetter(m, invalid);
            LOG.warn("$upstream message {} (priority {}) dead-lettered: {}", m.index(), m.priority(), invalid);
        }
    }

    private ParentChannel channelOf(IdentityId sender) throws UpstreamException {
        if (sender.equals(self)) {
            ParentChannel link = pool.get(self);
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
