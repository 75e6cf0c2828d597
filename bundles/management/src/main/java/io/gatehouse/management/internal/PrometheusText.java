package io.gatehouse.management.internal;

import io.gatehouse.api.store.QueueStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The hub's figures in the Prometheus text format (0.0.4), under the reference's metric names where
 * it has one: {@code edgehub_queue_length} and {@code edgehub_messages_dropped_total}. The router's
 * drops carry only {@code reason} (no_route); the store's carry the queue's {@code endpoint} and
 * {@code priority} too, as the store counts per queue, not per sender.
 */
final class PrometheusText {

    private final StringBuilder out = new StringBuilder(1024);

    private PrometheusText() {
    }

    /** {@code queues} may be null (no store in service): its families are then left out. */
    static String render(List<QueueStatus> queues, Map<String, Long> routerDropped) {
        PrometheusText text = new PrometheusText();
        text.dropped(queues, routerDropped);
        if (queues != null) text.queues(queues);
        return text.out.toString();
    }

    private void dropped(List<QueueStatus> queues, Map<String, Long> routerDropped) {
        family("edgehub_messages_dropped_total", "counter", "Messages dropped, by reason.");
        if (routerDropped != null) {
            new TreeMap<>(routerDropped).forEach((reason, n) ->
                    sample("edgehub_messages_dropped_total", "{reason=\"" + escape(reason) + "\"}", n));
        }
        if (queues == null) return;
        for (QueueStatus q : queues) {
            new TreeMap<>(q.dropped()).forEach((reason, n) -> sample("edgehub_messages_dropped_total",
                    "{reason=\"" + escape(reason) + "\"," + queueLabels(q).substring(1), n));
        }
    }

    private void queues(List<QueueStatus> queues) {
        gauge(queues, "edgehub_queue_length", "gauge", "Messages waiting in an endpoint queue.", QueueStatus::pending);
        gauge(queues, "gatehouse_queue_appended_total", "counter", "Messages appended to an endpoint queue.",
                QueueStatus::appended);
        gauge(queues, "gatehouse_queue_delivered_total", "counter", "Messages an endpoint acknowledged.",
                QueueStatus::delivered);
        family("gatehouse_queue_oldest_message_age_seconds", "gauge",
                "How long the oldest waiting message of a queue has waited.");
        for (QueueStatus q : queues) {
            if (q.oldestAgeMillis() >= 0) {
                out.append("gatehouse_queue_oldest_message_age_seconds").append(queueLabels(q)).append(' ')
                        .append(q.oldestAgeMillis() / 1000.0).append('\n');
            }
        }
        gauge(queues, "gatehouse_queue_disk_bytes", "gauge", "Bytes an endpoint queue takes on disk.",
                QueueStatus::bytesOnDisk);
        gauge(queues, "gatehouse_dead_letters", "gauge", "Messages an endpoint refused, held in its dead-letter queue.",
                QueueStatus::deadLetters);
    }

    private void gauge(List<QueueStatus> queues, String name, String type, String help, ToLongFunction<QueueStatus> value) {
        family(name, type, help);
        for (QueueStatus q : queues) sample(name, queueLabels(q), value.applyAsLong(q));
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, long value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static String queueLabels(QueueStatus q) {
        return "{endpoint=\"" + escape(q.endpointId()) + "\",priority=\"" + q.priority() + "\"}";
    }

    /** The format's escapes for label values: backslash, double quote, line feed. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
