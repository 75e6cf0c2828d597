package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import java.util.Comparator;

/** {@code GET /api/queues}: every endpoint queue of the store, with its counters. */
public final class QueuesApi {

    private QueuesApi() {
    }

    public static ApiResponse list(MessageStore store, ObjectMapper mapper) {
        if (store == null) {
            return ApiResponse.unavailable("the message store", "io.gatehouse.store");
        }
        ArrayNode array = mapper.createArrayNode();
        store.queues().stream()
                .sorted(Comparator.comparing(QueueStatus::endpointId).thenComparingInt(QueueStatus::priority))
                .forEach(q -> array.add(node(q, mapper)));
        return ApiResponse.ok(array);
    }

    // Field by field rather than Jackson's record support: the wire format stays what it is here
    // even if the api record grows.
    private static ObjectNode node(QueueStatus q, ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("endpointId", q.endpointId());
        node.put("priority", q.priority());
        node.put("pending", q.pending());
        node.put("appended", q.appended());
        node.put("delivered", q.delivered());
        node.put("expired", q.expired());
        return node;
    }
}
