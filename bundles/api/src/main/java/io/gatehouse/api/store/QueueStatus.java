package io.gatehouse.api.store;

/**
 * The state of one endpoint queue at one priority. {@code pending} counts messages after the
 * checkpoint (some may already be expired but not yet skipped).
 */
public record QueueStatus(String endpointId, int priority, long pending, long appended,
        long delivered, long expired) {
}
