package io.gatehouse.broker.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.store.DeadLetter;
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
 * bundle; system tests run the two together). Appends can be held to prove ack-after-persist;
 * polls and dead-lettering can be made to fail, as those of a damaged or full store do.
 */
final class InMemoryStore implements MessageStore {
    private final List<StoredMessage> log = new ArrayList<>();
    private final TreeSet<Long> acknowledged = new TreeSet<>();
    /** Log positions whose time to live ran out while handed out. */
    private final TreeSet<Long> expired = new TreeSet<>();
    /** Log positions settled into the dead-letter queue. */
    private final TreeSet<Long> deadLettered = new TreeSet<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private long deadLetterSequence;
    private int pollsToFail;
    private int deadLettersToRefuse;
    private int failedPolls;
    private int refusedDeadLetters;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String closedReason;
    /** One consumer per endpoint id or prefix, as the store contract has it. */
    private final java.util.Map<String, Consumer> consumers = new java.util.HashMap<>();

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

    synchronized boolean isExpired(long index) {
        return expired.contains(index);
    }

    synchronized boolean isAcknowledged(long index) {
        return acknowledged.contains(index);
    }

    /** The next {@code n} polls throw, as a store that cannot read its queue file does. */
    synchronized void failNextPolls(int n) {
        pollsToFail = n;
    }

    synchronized int failedPolls() {
        return failedPolls;
    }

    /** The next {@code n} dead-letterings throw {@link StoreException}, as a full store does. */
    synchronized void refuseNextDeadLetters(int n) {
        deadLettersToRefuse = n;
    }

    synchronized int refusedDeadLetters() {
        return refusedDeadLetters;
    }

    /** Whether the message at this log position is settled (acknowledged or dead-lettered). */
    synchronized boolean isSettled(long index) {
        return acknowledged.contains(index) || deadLettered.contains(index) || expired.contains(index);
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
        Runnable notify;
        long count = 0;
        synchronized (this) {
            for (java.util.Iterator<DeadLetter> it = deadLetters.iterator(); it.hasNext();) {
                DeadLetter d = it.next();
                if (!d.endpointId().equals(endpointId)) continue;
                log.add(new StoredMessage(d.endpointId(), d.priority(), log.size(), d.message()));
                it.remove();
                count++;
            }
            notify = count > 0 ? listeners() : null;
        }
        if (notify != null) notify.run();
        return count;
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
            long now = System.currentTimeMillis();
            for (RouteTarget t : targets) {
                long expiry = t.timeToLiveSecs() < 0 ? StoredMessage.NEVER : now + t.timeToLiveSecs() * 1000;
                log.add(new StoredMessage(t.endpointId(), t.priority(), log.size(), message, expiry));
            }
            notify = listeners();
        }
        if (notify != null) notify.run();
    }

    /** Wakes every consumer, as a store that does not bother to tell which queue grew. */
    private Runnable listeners() {
        List<Runnable> all = consumers.values().stream().map(c -> c.listener).filter(java.util.Objects::nonNull).toList();
        return () -> all.forEach(Runnable::run);
    }

    /** The contract's matching: the endpoint id itself, or every id under a prefix ending with {@code /}. */
    private static boolean matches(String consumed, String endpointId) {
        return consumed.endsWith("/") ? endpointId.startsWith(consumed) : endpointId.equals(consumed);
    }

    @Override
    public synchronized QueueConsumer consume(String endpointIdOrPrefix) {
        Consumer previous = consumers.get(endpointIdOrPrefix);
        if (previous != null) previous.close();
        Consumer c = new Consumer(endpointIdOrPrefix);
        consumers.put(endpointIdOrPrefix, c);
        return c;
    }

    /** Every message appended to the endpoint, in order. */
    synchronized List<Message> messagesOf(String endpointId) {
        return log.stream().filter(m -> m.endpointId().equals(endpointId)).map(StoredMessage::message).toList();
    }

    /** Messages of the endpoint not yet settled (acknowledged, expired or dead-lettered). */
    synchronized long pending(String endpointId) {
        return log.stream().filter(m -> m.endpointId().equals(endpointId) && !isSettled(m.index())).count();
    }

    /** Per endpoint (all priorities together): pending, appended and delivered counts. */
    @Override
    public synchronized List<QueueStatus> queues() {
        return log.stream().map(StoredMessage::endpointId).distinct().map(e -> new QueueStatus(e, 0, pending(e),
                log.stream().filter(m -> m.endpointId().equals(e)).count(),
                log.stream().filter(m -> m.endpointId().equals(e) && acknowledged.contains(m.index())).count(),
                log.stream().filter(m -> m.endpointId().equals(e) && expired.contains(m.index())).count())).toList();
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
                if (pollsToFail > 0) {
                    pollsToFail--;
                    failedPolls++;
                    throw new IllegalStateException("simulated unreadable queue file");
                }
                while (next < log.size()) {
                    StoredMessage m = log.get(next++);
                    if (matches(prefix, m.endpointId()) && !isSettled(m.index())) return m;
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
        public void expire(StoredMessage message) {
            synchronized (InMemoryStore.this) {
                if (message.expiredAt(System.currentTimeMillis()) && !isSettled(message.index())) {
                    expired.add(message.index());
                }
            }
        }

        @Override
        public void deadLetter(StoredMessage message, String reason) throws StoreException {
            synchronized (InMemoryStore.this) {
                if (deadLettersToRefuse > 0) {
                    deadLettersToRefuse--;
                    refusedDeadLetters++;
                    throw new StoreException("simulated full store: dead-letter queue over its quota");
                }
                if (!deadLettered.add(message.index())) return;
                deadLetters.add(new DeadLetter(message.endpointId(), message.priority(), deadLetterSequence++,
                        System.currentTimeMillis(), reason, message.message()));
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
                consumers.remove(prefix, this);
            }
        }
    }
}
