package io.gatehouse.api.store;

import io.gatehouse.api.message.Message;

/**
 * A message read from an endpoint queue, with the position that acknowledges it and the moment its
 * time to live runs out ({@link #NEVER} for none).
 */
public record StoredMessage(String endpointId, int priority, long index, Message message, long expiresAtMillis) {

    /** The expiry of a message without a time to live. */
    public static final long NEVER = Long.MAX_VALUE;

    /** A message that never expires. */
    public StoredMessage(String endpointId, int priority, long index, Message message) {
        this(endpointId, priority, index, message, NEVER);
    }

    /** Whether its time to live has run out at {@code nowMillis} (epoch milliseconds). */
    public boolean expiredAt(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
