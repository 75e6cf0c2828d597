package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small helpers shared by the store tests. */
final class StoreTestSupport {

    private StoreTestSupport() {
    }

    static Message message(String body) {
        return Message.builder()
                .body(body.getBytes(StandardCharsets.UTF_8))
                .systemProperty("messageId", "id-" + body)
                .systemProperty("connectionDeviceId", "dev1")
                .property("seq", body)
                .build();
    }

    static String body(StoredMessage stored) {
        return new String(stored.message().body(), StandardCharsets.UTF_8);
    }

    static List<RouteTarget> to(String endpointId) {
        return List.of(new RouteTarget(endpointId, RouteTarget.DEFAULT_PRIORITY, -1));
    }

    static List<RouteTarget> to(String endpointId, int priority, long ttlSecs) {
        return List.of(new RouteTarget(endpointId, priority, ttlSecs));
    }

    /** Polls until the consumer is empty. */
    static List<StoredMessage> drain(QueueConsumer consumer) {
        List<StoredMessage> out = new ArrayList<>();
        StoredMessage m;
        while ((m = consumer.poll()) != null) out.add(m);
        return out;
    }

    static List<String> bodies(List<StoredMessage> messages) {
        return messages.stream().map(StoreTestSupport::body).toList();
    }

    /** The status without its age and size (which depend on time and layout), for comparing counts. */
    static QueueStatus counts(QueueStatus s) {
        return new QueueStatus(s.endpointId(), s.priority(), s.pending(), s.appended(), s.delivered(), s.expired(), -1, 0,
                s.dropped(), s.deadLetters());
    }

    static List<QueueStatus> counts(ChronicleMessageStore store) {
        return store.queues().stream().map(StoreTestSupport::counts).toList();
    }

    /** A status as {@link #counts(QueueStatus)} gives it, with every figure. */
    static QueueStatus counts(String endpointId, int priority, long pending, long appended, long delivered,
            long expired, long droppedQuota, long corrupt, long deadLetters) {
        return new QueueStatus(endpointId, priority, pending, appended, delivered, expired, -1, 0,
                Map.of(QueueStatus.DROPPED_TTL_EXPIRY, expired, QueueStatus.DROPPED_QUOTA, droppedQuota,
                        QueueStatus.DROPPED_CORRUPT, corrupt), deadLetters);
    }

    static QueueStatus status(ChronicleMessageStore store, String endpointId, int priority) {
        return store.queues().stream()
                .filter(s -> s.endpointId().equals(endpointId) && s.priority() == priority)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + endpointId + " priority " + priority));
    }
}
