package io.gatehouse.broker.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * The store contract in memory, for testing the head alone (the real Chronicle store is another
 * bundle; system tests run the two together). Appends can be held to prove ack-after-persist.
 */
final class InMemoryStore implements MessageStore {
    private final List<StoredMessage> log = new ArrayList<>();
    private final TreeSet<Long> acknowledged = new TreeSet<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String closedReason;
    private Consumer current;

    void holdAppends() {
        gate = new CountDownLatch(1);
    }

    /** Appends held so far, and every later one, fail as those of a closed store do. */
    void closeUnderAppends(String reason) {
        closedReason = reason;
    }

    int appendsWaiting() {
        return waiting.get();
    }

    void releaseAppends() {
        gate.countDown();
    }

    synchronized int appended() {
        return log.size();
    }

    synchronized boolean isAcknowledged(long index) {
        return acknowledged.contains(index);
    }

    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        waiting.incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            throw new StoreException("interrupted");
        } finally {
            waiting.decrementAndGet();
        }
        if (closedReason != null) throw new StoreException(closedReason);
        Runnable notify;
        synchronized (this) {
            for (RouteTarget t : targets) log.add(new StoredMessage(t.endpointId(), t.priority(), log.size(), message));
            notify = current != null ? current.listener : null;
        }
        if (notify != null) notify.run();
    }

    @Override
    public synchronized QueueConsumer consume(String prefix) {
        if (current != null) current.close();
        current = new Consumer(prefix);
        return current;
    }

    @Override
    public synchronized List<QueueStatus> queues() {
        return List.of();
    }

    private final class Consumer implements QueueConsumer {
        private final String prefix;
        private int next;
        private volatile Runnable listener;

        Consumer(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public StoredMessage poll() {
            synchronized (InMemoryStore.this) {
                while (next < log.size()) {
                    StoredMessage m = log.get(next++);
                    if (m.endpointId().startsWith(prefix) && !acknowledged.contains(m.index())) return m;
                }
                return null;
            }
        }

        @Override
        public void acknowledge(StoredMessage message) {
            synchronized (InMemoryStore.this) {
                acknowledged.add(message.index());
            }
        }

        @Override
        public void onAvailable(Runnable l) {
            listener = l;
            l.run();
        }

        @Override
        public void close() {
            synchronized (InMemoryStore.this) {
                if (current == this) current = null;
            }
        }
    }
}
