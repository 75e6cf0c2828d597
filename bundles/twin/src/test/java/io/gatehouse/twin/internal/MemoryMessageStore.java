package io.gatehouse.twin.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.util.ArrayList;
import java.util.List;

/**
 * A message store in memory with what the notifier uses: append, and what each queue holds. It can
 * be told to refuse appends, as a full or broken store does.
 */
final class MemoryMessageStore implements MessageStore {
    record Appended(Message message, List<RouteTarget> targets) {
    }

    private final List<Appended> appended = new ArrayList<>();
    private volatile String refusal;
    private volatile Runnable beforeRefusing = () -> {
    };

    /** Appends fail with this reason from now on; null takes them again. */
    void refuse(String reason) {
        refusal = reason;
    }

    /** Runs just before an append is refused (to replace the store under it, say). */
    void beforeRefusing(Runnable action) {
        beforeRefusing = action;
    }

    synchronized List<Appended> appended() {
        return List.copyOf(appended);
    }

    /** The messages of one endpoint queue, in the order they were appended. */
    synchronized List<Message> queue(String endpointId) {
        List<Message> messages = new ArrayList<>();
        for (Appended a : appended) {
            if (a.targets().stream().anyMatch(t -> t.endpointId().equals(endpointId))) messages.add(a.message());
        }
        return messages;
    }

    @Override
    public synchronized void append(Message message, List<RouteTarget> targets) throws StoreException {
        String reason = refusal;
        if (reason != null) {
            beforeRefusing.run();
            throw new StoreException(reason);
        }
        appended.add(new Appended(message, List.copyOf(targets)));
    }

    @Override
    public List<QueueStatus> queues() {
        return List.of();
    }

    @Override
    public QueueConsumer consume(String endpointIdOrPrefix) {
        throw new UnsupportedOperationException("the twin bundle never consumes");
    }

    @Override
    public List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max) {
        return List.of();
    }

    @Override
    public long purgeDeadLetters(String endpointId) {
        return 0;
    }

    @Override
    public long requeueDeadLetters(String endpointId) {
        return 0;
    }
}
