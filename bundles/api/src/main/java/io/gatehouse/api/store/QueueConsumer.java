package io.gatehouse.api.store;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the queues of one or more endpoints for one deliverer. Priorities are strict: a message
 * is handed out only when no lower priority number has one waiting. A queue's checkpoint moves
 * past a message only once it is acknowledged, dead-lettered (or expired), so whatever was handed
 * out but not settled when the consumer closes (or the process dies) is handed out again.
 */
@ProviderType
public interface QueueConsumer extends AutoCloseable {

    /** The next message not yet handed out, or null when there is none. Expired ones are skipped. */
    StoredMessage poll();

    /** The endpoint took the message; its queue may advance past it. */
    void acknowledge(StoredMessage message);

    /**
     * The endpoint refused the message as invalid (it will never take it): it goes to the
     * endpoint's dead-letter queue with the reason, and its queue may advance past it. When this
     * throws, nothing changed: the message stays handed out and unsettled.
     */
    void deadLetter(StoredMessage message, String reason) throws StoreException;

    /**
     * The message's time to live ran out while it was handed out and not taken (a module that
     * never acknowledges it, say): it leaves its queue, counted as dropped with reason ttl_expiry.
     * Changes nothing for a message that has not expired yet or is not handed out by this consumer.
     */
    void expire(StoredMessage message);

    /**
     * Called, on any thread, whenever messages may have arrived for this consumer. Replaces any
     * earlier listener.
     */
    void onAvailable(Runnable listener);

    @Override
    void close();
}
