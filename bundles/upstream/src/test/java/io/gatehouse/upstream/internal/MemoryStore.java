package io.gatehouse.upstream.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The store contract in memory, one priority, for testing the deliverer alone (the Chronicle
 * store's component is internal to its bundle). Settled messages leave the queue; whatever was
 * handed out and not settled is handed out again by the next consumer, from the checkpoint.
 */
final class MemoryStore implements MessageStore {
    /** A message appended to a queue other than {@code $upstream} (a cloud-to-device queue). */
    record Appended(RouteTarget target, Message message) {
    }

    private final List<StoredMessage> log = new ArrayList<>();
    /** Appends to other queues, in order. */
    final List<Appended> others = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** When set, appends to other queues fail with it. */
    volatile StoreException failOthers;
    /** How many of the next appends to other queues fail. */
    final java.util.concurrent.atomic.AtomicInteger failNextOthers = new java.util.concurrent.atomic.AtomicInteger();
    /** Appends to other queues tried, failed or not. */
    final java.util.concurrent.atomic.AtomicInteger otherAttempts = new java.util.concurrent.atomic.AtomicInteger();
    /** Runs at each append to another queue, before it succeeds or fails. */
    volatile Runnable onOtherAppend = () -> { };
    private final Set<Long> settled = new HashSet<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private long acknowledged;
    private long expired;
    private int consumersOpened;
    private Consumer current;

    /** Appends to {@code $upstream}; expiry in epoch millis. */
    void append(Message m, long expiresAtMillis) {
        Runnable notify;
        synchronized (this) {
            log.add(new StoredMessage("$upstream", 0, log.size(), m, expiresAtMillis));
            notify = current == null ? null : current.listener;
        }
        if (notify != null) notify.run();
    }

    void append(Message m) {
        append(m, StoredMessage.NEVER);
    }

    synchronized long pending() {
        return log.size() - settled.size();
    }

    synchronized long acknowledged() {
        return acknowledged;
    }

    synchronized long expired() {
        return expired;
    }

    synchronized int consumersOpened() {
        return consumersOpened;
    }

    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        if (targets.stream().allMatch(t -> t.endpointId().equals("$upstream"))) {
            append(message);
            return;
        }
        otherAttempts.incrementAndGet();
        onOtherAppend.run();
        if (failOthers != null) throw failOthers;
        if (failNextOthers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new StoreException("failing as told");
        for (RouteTarget t : targets) others.add(new Appended(t, message));
    }

    @Override
    public synchronized QueueConsumer consume(String endpointIdOrPrefix) {
        if (current != null) current.close();
        consumersOpened++;
        current = new Consumer();
        return current;
    }

    @Override
    public synchronized List<QueueStatus> queues() {
        return List.of(new QueueStatus("$upstream", 0, pending(), log.size(), acknowledged, expired));
    }

    @Override
    public synchronized List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        return deadLetters.stream().filter(d -> d.sequence() > afterSequence).limit(max).toList();
    }

    @Override
    public synchronized long purgeDeadLetters(String endpointId) {
        long n = deadLetters.size();
        deadLetters.clear();
        return n;
    }

    @Override
    public long requeueDeadLetters(String endpointId) {
        throw new UnsupportedOperationException("not needed by the upstream tests");
    }

    private final class Consumer implements QueueConsumer {
        private int next;
        private final Set<Long> handedOut = new HashSet<>();
        private volatile Runnable listener;
        private boolean closed;

        @Override
        public StoredMessage poll() {
            synchronized (MemoryStore.this) {
                if (closed) throw new IllegalStateException("consumer closed");
                while (next < log.size()) {
                    StoredMessage m = log.get(next++);
                    if (settled.contains(m.index())) continue;
                    handedOut.add(m.index());
                    return m;
                }
                return null;
            }
        }

        @Override
        public void acknowledge(StoredMessage m) {
            synchronized (MemoryStore.this) {
                if (handedOut.remove(m.index()) && settled.add(m.index())) acknowledged++;
            }
        }

        @Override
        public void deadLetter(StoredMessage m, String reason) {
            synchronized (MemoryStore.this) {
                if (handedOut.remove(m.index()) && settled.add(m.index())) {
                    deadLetters.add(new DeadLetter(m.endpointId(), m.priority(), deadLetters.size(),
                            System.currentTimeMillis(), reason, m.message()));
                }
            }
        }

        @Override
        public void expire(StoredMessage m) {
            synchronized (MemoryStore.this) {
                if (m.expiredAt(System.currentTimeMillis()) && handedOut.remove(m.index()) && settled.add(m.index())) {
                    expired++;
                }
            }
        }

        @Override
        public void onAvailable(Runnable l) {
            listener = l;
            l.run();
        }

        @Override
        public void close() {
            synchronized (MemoryStore.this) {
                closed = true;
                if (current == this) current = null;
            }
        }
    }
}
