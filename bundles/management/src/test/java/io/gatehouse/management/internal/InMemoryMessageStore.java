package io.gatehouse.management.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-test store: the real one (Chronicle) is the store bundle's, another team's. Queues and dead
 * letters are lists in memory; {@link #queues()} reports the statuses a test sets, since figures
 * such as bytes on disk have no meaning here, or, when it sets none, each queue's length as its
 * pending and appended count. Consuming is not used by this bundle.
 */
class InMemoryMessageStore implements MessageStore {
    private final Map<String, List<Message>> queued = new LinkedHashMap<>();
    private final Map<String, List<DeadLetter>> deadLetters = new LinkedHashMap<>();
    /** Per endpoint, as a dead-letter queue's positions are: increasing, never reused. */
    private final Map<String, Long> nextSequence = new LinkedHashMap<>();

    /** What {@link #queues()} answers; null: the queues as appended to. */
    List<QueueStatus> statuses;
    /** When set, purge, requeue and append throw it and change nothing, as a store that cannot write would. */
    StoreException failure;
    /** The time to live of every append, by queue key, in order. */
    final Map<String, List<Long>> ttls = new LinkedHashMap<>();
    /** Every page {@link #deadLetters} was asked for: {afterSequence, max}. */
    final List<List<Long>> pagesAsked = new ArrayList<>();

    /** Stands in for a deliverer's {@code QueueConsumer.deadLetter}. */
    synchronized DeadLetter deadLetter(String endpointId, int priority, long atMillis, String reason, Message message) {
        long sequence = nextSequence.merge(endpointId, 1L, Long::sum);
        DeadLetter letter = new DeadLetter(endpointId, priority, sequence, atMillis, reason, message);
        deadLetters.computeIfAbsent(endpointId, e -> new ArrayList<>()).add(letter);
        return letter;
    }

    /** The messages queued for the endpoint at the priority, oldest first. */
    List<Message> queued(String endpointId, int priority) {
        return List.copyOf(queued.getOrDefault(key(endpointId, priority), List.of()));
    }

    @Override
    public synchronized void append(Message message, List<RouteTarget> targets) throws StoreException {
        if (failure != null) throw failure;
        for (RouteTarget t : targets) {
            queued.computeIfAbsent(key(t.endpointId(), t.priority()), k -> new ArrayList<>()).add(message);
            ttls.computeIfAbsent(key(t.endpointId(), t.priority()), k -> new ArrayList<>()).add(t.timeToLiveSecs());
        }
    }

    @Override
    public QueueConsumer consume(String endpointIdOrPrefix) {
        throw new UnsupportedOperationException("the management bundle does not consume");
    }

    @Override
    public synchronized List<QueueStatus> queues() {
        if (statuses != null) return statuses;
        List<QueueStatus> derived = new ArrayList<>();
        queued.forEach((key, messages) -> {
            int hash = key.lastIndexOf('#');
            derived.add(new QueueStatus(key.substring(0, hash), Integer.parseInt(key.substring(hash + 1)),
                    messages.size(), messages.size(), 0, 0));
        });
        return derived;
    }

    /** The time to live each append to the queue at the priority gave, in order. */
    synchronized List<Long> ttls(String endpointId, int priority) {
        return List.copyOf(ttls.getOrDefault(key(endpointId, priority), List.of()));
    }

    @Override
    public synchronized List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        pagesAsked.add(List.of(afterSequence, (long) max));
        return deadLetters.getOrDefault(endpointId, List.of()).stream()
                .filter(d -> d.sequence() > afterSequence).limit(max).toList();
    }

    @Override
    public synchronized long purgeDeadLetters(String endpointId) throws StoreException {
        if (failure != null) throw failure;
        List<DeadLetter> removed = deadLetters.remove(endpointId);
        return removed == null ? 0 : removed.size();
    }

    @Override
    public synchronized long requeueDeadLetters(String endpointId) throws StoreException {
        if (failure != null) throw failure;
        List<DeadLetter> removed = deadLetters.remove(endpointId);
        if (removed == null) return 0;
        for (DeadLetter d : removed) append(d.message(), List.of(new RouteTarget(endpointId, d.priority(), -1)));
        return removed.size();
    }

    private static String key(String endpointId, int priority) {
        return endpointId + "#" + priority;
    }
}
