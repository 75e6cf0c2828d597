package io.gatehouse.api.store;

import java.util.Map;

/**
 * The state of one endpoint queue at one priority.
 *
 * @param pending messages after the checkpoint (some may already be expired but not yet skipped)
 * @param appended messages ever appended
 * @param delivered messages the endpoint acknowledged
 * @param expired messages skipped because their time to live ran out; the same figure as
 *        {@code dropped.get(DROPPED_TTL_EXPIRY)}
 * @param oldestAgeMillis how long the oldest pending message has waited, or -1 when none is pending
 * @param bytesOnDisk what the queue's files and checkpoint take on disk, as the quota counts it
 * @param dropped messages that left the queue undelivered, by reason ({@link #DROPPED_TTL_EXPIRY},
 *        {@link #DROPPED_QUOTA}, {@link #DROPPED_CORRUPT}); every reason is present
 * @param deadLetters messages the endpoint refused as invalid, held in its dead-letter queue
 */
public record QueueStatus(String endpointId, int priority, long pending, long appended, long delivered,
        long expired, long oldestAgeMillis, long bytesOnDisk, Map<String, Long> dropped, long deadLetters) {

    /** Dropped because the time to live ran out (the reference's {@code ttl_expiry}). */
    public static final String DROPPED_TTL_EXPIRY = "ttl_expiry";
    /** Dropped to keep the store within its quota (policy drop-oldest). */
    public static final String DROPPED_QUOTA = "quota";
    /** Lost to a damaged queue file or an unreadable record. */
    public static final String DROPPED_CORRUPT = "corrupt";

    public QueueStatus {
        dropped = Map.copyOf(dropped);
    }

    /** A status with no age, size, drops or dead letters known. */
    public QueueStatus(String endpointId, int priority, long pending, long appended, long delivered, long expired) {
        this(endpointId, priority, pending, appended, delivered, expired, -1, 0,
                Map.of(DROPPED_TTL_EXPIRY, expired, DROPPED_QUOTA, 0L, DROPPED_CORRUPT, 0L), 0);
    }
}
