package io.gatehouse.api.store;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import java.util.List;

/** Durable store-and-forward: one FIFO queue per endpoint and priority. */
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
}
