package io.gatehouse.api.store;

import io.gatehouse.api.message.Message;

/** A message read from an endpoint queue, with the position that acknowledges it. */
public record StoredMessage(String endpointId, int priority, long index, Message message) {
}
