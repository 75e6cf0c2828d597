package io.gatehouse.api.store;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Durable store-and-forward: one FIFO queue per endpoint and priority, and a dead-letter queue per endpoint. */
@ProviderType
public interface MessageStore {

    /**
     * Appends the message to the queue of every target. When this returns, the message survives
     * a crash of the process in every one of them.
     */
    void append(Message message, List<RouteTarget> targets) throws StoreException;

    /**
     * Opens a consumer over every queue whose endpoint id is {@code endpointId}, or starts with
     * it when it ends with {@code /}, including queues created later. One consumer at a time per
     * endpoint: opening a second one for an endpoint closes the first.
     */
    QueueConsumer consume(String endpointIdOrPrefix);

    List<QueueStatus> queues();

    /** Up to {@code max} dead letters of the endpoint, oldest first; empty when it has none. */
    default List<DeadLetter> deadLetters(String endpointId, int max) {
        return deadLetters(endpointId, -1, max);
    }

    /**
     * Up to {@code max} dead letters of the endpoint whose {@link DeadLetter#sequence} is above
     * {@code afterSequence}, oldest first: the page after the last letter read (-1: from the oldest).
     */
    List<DeadLetter> deadLetters(String endpointId, long afterSequence, int max);

    /** Deletes every dead letter of the endpoint; returns how many there were. */
    long purgeDeadLetters(String endpointId) throws StoreException;

    /**
     * Appends every dead letter of the endpoint back to the endpoint's queue of its priority, with
     * no expiry, oldest first, and removes them from the dead-letter queue; returns how many.
     */
    long requeueDeadLetters(String endpointId) throws StoreException;
}
