package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueStatus;
import java.util.Comparator;
import java.util.List;

/** {@code GET /api/queues}: every endpoint queue of the store, with its counters. */
public final class QueuesApi {

    /** The drop reasons every queue answers, in this order, whether or not the store names them. */
    static final List<String> DROP_REASONS =
            List.of(QueueStatus.DROPPED_TTL_EXPIRY, QueueStatus.DROPPED_QUOTA, QueueStatus.DROPPED_CORRUPT);

    private QueuesApi() {
    }

    public static ApiResponse list(MessageStore store, ObjectMapper mapper) {
        if (store == null) {
            return ApiResponse.unavailable("the message store", "io.gatehouse.store");
        }
        ArrayNode array = mapper.createArrayNode();
        sorted(store.queues()).forEach(q -> array.add(node(q, mapper)));
        return ApiResponse.ok(array);
    }

    static List<QueueStatus> sorted(List<QueueStatus> queues) {
        return queues.stream()
                .sorted(Comparator.comparing(QueueStatus::endpointId).thenComparingInt(QueueStatus::priority))
                .toList();
    }

    /** A reason the store did not report counts as none dropped for it. */
    static long dropped(QueueStatus q, String reason) {
        Long n = q.dropped().get(reason);
        return n == null ? 0 : n;
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
        if (q.oldestAgeMillis() < 0) {
            node.putNull("oldestAgeMillis");
        } else {
            node.put("oldestAgeMillis", q.oldestAgeMillis());
        }
        node.put("bytesOnDisk", q.bytesOnDisk());
        ObjectNode dropped = node.putObject("dropped");
        DROP_REASONS.forEach(reason -> dropped.put(reason, dropped(q, reason)));
        // A store may come to report reasons this version does not know: pass them on rather than hide them.
        q.dropped().keySet().stream().filter(r -> !DROP_REASONS.contains(r)).sorted()
                .forEach(reason -> dropped.put(reason, q.dropped().get(reason)));
        node.put("deadLetters", q.deadLetters());
        return node;
    }
}
