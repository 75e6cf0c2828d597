package io.gatehouse.api.store;

import io.gatehouse.api.message.Message;

/**
 * A message an endpoint refused as invalid, kept for an operator to inspect, purge or requeue.
 *
 * @param priority the priority of the queue it came from
 * @param sequence its position in the dead-letter queue (increasing, never reused)
 * @param deadLetteredAtMillis when it was refused (epoch milliseconds)
 * @param reason why the endpoint refused it, as the deliverer reported it
 */
public record DeadLetter(String endpointId, int priority, long sequence, long deadLetteredAtMillis, String reason,
        Message message) {
}
