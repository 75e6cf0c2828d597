package io.gatehouse.amqp.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * The store contract in memory, following the api's javadoc: one log, consumers by endpoint id or
 * prefix (one per endpoint), settled positions never handed out again, unsettled ones handed out
 * again by the next consumer. Appends can be held (to prove ack-after-persist) or refused (a full store).
 */
final class InMemoryStore implements MessageStore {
    private final List<StoredMessage> log = new ArrayList<>();
    private final TreeSet<Long> acknowledged = new TreeSet<>();
    private final TreeSet<Long> expired = new TreeSet<>();
    private final TreeSet<Long> deadLettered = new TreeSet<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final Map<String, Consumer> consumers = new HashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile String refuseAppends;

    void holdAppends() {
        gate = new CountDownLatch(1);
    }

    void releaseAppends() {
        gate.countDown();
    }

    /** Every append throws {@link StoreException} with this reason, as a store over its quota does; null: accept again. */
    void refuseAppends(String reason) {
        refuseAppends = reason;
    }

    @Override
    public void append(Message message, List<RouteTarget> targets) throws StoreException {
        try {
            gate.await();
        } catch (InterruptedException e) {
            throw new StoreException("interrupted");
        }
        if (refuseAppends != null) throw new StoreException(refuseAppends);
        List<Runnable> listeners;
        synchronized (this) {
            long now = System.currentTimeMillis();
            for (RouteTarget t : targets) {
                long expiry = t.timeToLiveSecs() < 0 ? StoredMessage.NEVER : now + t.timeToLiveSecs() * 1000;
                log.add(new StoredMessage(t.endpointId(), t.priority(), log.size(), message, expiry));
            }
            listeners = consumers.values().stream().map(c -> c.listener).filter(Objects::nonNull).toList();
        }
        listeners.forEach(Runnable::run);
    }

    synchronized List<Message> messagesOf(String endpointId) {
        return log.stream().filter(m -> m.endpointId().equals(endpointId)).map(StoredMessage::message).toList();
    }

    synchronized long pending(String endpointId) {
        return log.stream().filter(m -> m.endpointId().equals(endpointId) && !settled(m.index())).count();
    }

    synchronized long acknowledgedOf(String endpointId) {
        return log.stream().filter(m -> m.endpointId().equals(endpointId) && acknowledged.contains(m.index())).count();
    }

    synchronized boolean hasConsumer(String endpointIdOrPrefix) {
        return consumers.containsKey(endpointIdOrPrefix);
    }

    private boolean settled(long index) {
        return acknowledged.contains(index) || expired.contains(index) || deadLettered.contains(index);
    }

    @Override
    public synchronized QueueConsumer consume(String endpointIdOrPrefix) {
        Consumer previous = consumers.get(endpointIdOrPrefix);
        if (previous != null) previous.close();
        Consumer c = new Consumer(endpointIdOrPrefix);
        consumers.put(endpointIdOrPrefix, c);
        return c;
    }

    @Override
    public synchronized List<QueueStatus> queues() {
        return log.stream().map(StoredMessage::endpointId).distinct()
                .map(e -> new QueueStatus(e, 0, pending(e), messagesOf(e).size(), acknowledgedOf(e), 0)).toList();
    }

    @Override
    public synchronized List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        return deadLetters.stream().filter(d -> d.endpointId().equals(endpointId) && d.sequence() > afterSequence)
                .limit(Math.max(max, 0)).toList();
    }

    @Override
    public synchronized long purgeDeadLetters(String endpointId) {
        long before = deadLetters.size();
        deadLetters.removeIf(d -> d.endpointId().equals(endpointId));
        return before - deadLetters.size();
    }

    @Override
    public long requeueDeadLetters(String endpointId) {
        throw new UnsupportedOperationException("not needed by the head");
    }

    private final class Consumer implements QueueConsumer {
        private final String prefix;
        private final TreeSet<Long> handedOut = new TreeSet<>();
        private volatile Runnable listener;
        private volatile boolean closed;

        Consumer(String prefix) {
            this.prefix = prefix;
        }

        private boolean matches(String endpointId) {
            return prefix.endsWith("/") ? endpointId.startsWith(prefix) : endpointId.equals(prefix);
        }

        @Override
        public StoredMessage poll() {
            synchronized (InMemoryStore.this) {
                if (closed) throw new IllegalStateException("consumer closed");
                long now = System.currentTimeMillis();
                for (StoredMessage m : log) {
                    if (!matches(m.endpointId()) || settled(m.index()) || handedOut.contains(m.index())) continue;
                    if (m.expiredAt(now)) continue;
                    handedOut.add(m.index());
                    return m;
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
        public void deadLetter(StoredMessage message, String reason) {
            synchronized (InMemoryStore.this) {
                if (!deadLettered.add(message.index())) return;
                deadLetters.add(new DeadLetter(message.endpointId(), message.priority(), deadLetters.size(),
                        System.currentTimeMillis(), reason, message.message()));
            }
        }

        @Override
        public void expire(StoredMessage message) {
            synchronized (InMemoryStore.this) {
                if (message.expiredAt(System.currentTimeMillis())) expired.add(message.index());
            }
        }

        @Override
        public void onAvailable(Runnable l) {
            listener = l;
            l.run();
        }

        @Override
        public void close() {
            closed = true;
            synchronized (InMemoryStore.this) {
                consumers.remove(prefix, this);
            }
        }
    }
}
