package io.gatehouse.store.internal;

import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer over the queues its selector matches. Priorities are strict: a queue is read only
 * when every queue with a lower priority number is empty; queues sharing a priority take turns.
 * One lock guards all state, so poll and acknowledge may come from different threads.
 */
final class StoreConsumer implements QueueConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(StoreConsumer.class);

    /** Keeps a refused message in its endpoint's dead-letter queue, durably, or throws and keeps nothing. */
    @FunctionalInterface
    interface DeadLetterSink {
        void store(StoredMessage message, String reason) throws StoreException;
    }

    private final EndpointSelector selector;
    private final LongSupplier clock;
    private final DeadLetterSink deadLetters;
    private final Consumer<StoreConsumer> onClose;
    private final TreeMap<Integer, PriorityGroup> groups = new TreeMap<>();
    private final Map<QueueKey, QueueCursor> cursors = new HashMap<>();
    private final Runnable signal = this::signal;
    private volatile Runnable listener;
    private volatile boolean closed;

    StoreConsumer(EndpointSelector selector, LongSupplier clock, DeadLetterSink deadLetters,
            Consumer<StoreConsumer> onClose) {
        this.selector = selector;
        this.clock = clock;
        this.deadLetters = deadLetters;
        this.onClose = onClose;
    }

    EndpointSelector selector() {
        return selector;
    }

    /** Starts reading a queue (one that existed when the consumer opened, or a new one). */
    synchronized void add(EndpointQueue queue) {
        if (closed || cursors.containsKey(queue.key())) return;
        QueueCursor cursor = new QueueCursor(queue, signal, this);
        cursors.put(queue.key(), cursor);
        groups.computeIfAbsent(queue.key().priority(), p -> new PriorityGroup()).add(cursor);
    }

    @Override
    public synchronized StoredMessage poll() {
        if (closed) return null;
        long now = clock.getAsLong();
        for (PriorityGroup group : groups.values()) {
            StoredMessage message = group.next(now);
            if (message != null) return message;
        }
        return null;
    }

    @Override
    public synchronized void acknowledge(StoredMessage message) {
        if (closed || message == null) return;
        QueueCursor cursor = cursors.get(new QueueKey(message.endpointId(), message.priority()));
        if (cursor == null || !cursor.acknowledge(message.index())) {
            LOG.debug("Ignoring acknowledgement of {} #{}: not handed out by this consumer", message.endpointId(),
                    message.index());
        }
    }

    @Override
    public synchronized void expire(StoredMessage message) {
        if (closed || message == null || !message.expiredAt(clock.getAsLong())) return;
        QueueCursor cursor = cursors.get(new QueueKey(message.endpointId(), message.priority()));
        if (cursor != null && cursor.expire(message.index())) {
            LOG.debug("{} #{} expired while handed out; dropped (ttl_expiry)", message.endpointId(), message.index());
        }
    }

    /**
     * Stored first, settled after: if storing fails nothing changed. Under this consumer's lock, so
     * an acknowledgement of the same message cannot slip in between; the sink therefore never takes
     * a consumer's lock (nor the store's room lock, which does).
     */
    @Override
    public synchronized void deadLetter(StoredMessage message, String reason) throws StoreException {
        if (message == null) throw new StoreException("no message to dead-letter");
        if (reason == null || reason.isBlank()) {
            throw new StoreException("message not dead-lettered: a reason is required");
        }
        if (closed) throw new StoreException("message not dead-lettered: the consumer is closed");
        QueueCursor cursor = cursors.get(new QueueKey(message.endpointId(), message.priority()));
        if (cursor == null || !cursor.isHandedOut(message.index())) {
            throw new StoreException("message not dead-lettered: " + message.endpointId() + " #" + message.index()
                    + " is not handed out by this consumer, or already settled");
        }
        deadLetters.store(message, reason);
        cursor.deadLettered(message.index());
    }

    @Override
    public void onAvailable(Runnable newListener) {
        listener = newListener;
        if (newListener != null && hasUnread()) signal();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            listener = null;
            for (QueueCursor cursor : cursors.values()) {
                try {
                    cursor.close();
                } catch (RuntimeException e) {
                    LOG.warn("Closing the cursor of {} failed: {}", cursor.key(), e.toString());
                }
            }
            cursors.clear();
            groups.clear();
        }
        // Outside the lock: the store takes its own lock here, and takes ours when opening queues.
        onClose.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    private synchronized boolean hasUnread() {
        for (QueueCursor cursor : cursors.values()) {
            if (cursor.hasUnread()) return true;
        }
        return false;
    }

    private void signal() {
        Runnable current = listener;
        if (current == null) return;
        try {
            current.run();
        } catch (RuntimeException e) {
            LOG.warn("Availability listener of consumer {} failed", selector.value(), e);
        }
    }

    /** The queues of one priority, read round robin so one busy endpoint cannot starve another. */
    private static final class PriorityGroup {
        private final List<QueueCursor> cursors = new ArrayList<>(1);
        private int nextTurn;

        void add(QueueCursor cursor) {
            cursors.add(cursor);
        }

        StoredMessage next(long now) {
            int size = cursors.size();
            for (int i = 0; i < size; i++) {
                int turn = (nextTurn + i) % size;
                StoredMessage message = cursors.get(turn).next(now);
                if (message != null) {
                    nextTurn = (turn + 1) % size;
                    return message;
                }
            }
            return null;
        }
    }
}
