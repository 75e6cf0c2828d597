package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.route.RoutingStatistics;
import java.util.TreeMap;

/**
 * {@code GET /api/routes/stats}: the router's counters, {@code {"messagesDropped": {reason: n}}}
 * ({@code /metrics} has them as {@code edgehub_messages_dropped_total{reason=…}}).
 */
public final class RoutingStatisticsApi {

    private RoutingStatisticsApi() {
    }

    public static ApiResponse stats(RoutingStatistics statistics, ObjectMapper mapper) {
        if (statistics == null) {
            return ApiResponse.unavailable("the routing statistics", "io.gatehouse.router");
        }
        ObjectNode dropped = mapper.createObjectNode();
        new TreeMap<>(statistics.droppedMessages()).forEach(dropped::put);
        ObjectNode answer = mapper.createObjectNode();
        answer.set("messagesDropped", dropped);
        return ApiResponse.ok(answer);
    }
}
