package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.route.RoutingStatistics;
import io.gatehouse.api.store.QueueStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsServletTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final MetricsServlet servlet = new MetricsServlet();

    private ServletExchange scrape() throws Exception {
        ServletExchange get = new ServletExchange("GET", "/metrics", new byte[0], 0);
        servlet.doGet(get.request, get.response);
        return get;
    }

    @Test
    void queuesAndDropsAreExposedUnderTheReferenceNamesWithTheirLabels() throws Exception {
        store.statuses = List.of(
                new QueueStatus("edge1/sink/in\"1", 0, 12, 40, 20, 5, 2_500, 4096,
                        Map.of("ttl_expiry", 5L, "quota", 2L, "corrupt", 1L), 3),
                new QueueStatus("$upstream", RouteTarget.DEFAULT_PRIORITY, 0, 7, 7, 0));
        servlet.store = store;
        RoutingStatistics router = () -> Map.of("no_route", 9L);
        servlet.statistics = router;

        ServletExchange get = scrape();

        assertThat(get.status).isEqualTo(200);
        assertThat(get.headers).containsEntry("Content-Type", MetricsServlet.CONTENT_TYPE);
        assertThat(get.body()).isEqualTo("""
                # HELP edgehub_messages_dropped_total Messages dropped, by reason.
                # TYPE edgehub_messages_dropped_total counter
                edgehub_messages_dropped_total{reason="no_route"} 9
                edgehub_messages_dropped_total{reason="corrupt",endpoint="$upstream",priority="2000000000"} 0
                edgehub_messages_dropped_total{reason="quota",endpoint="$upstream",priority="2000000000"} 0
                edgehub_messages_dropped_total{reason="ttl_expiry",endpoint="$upstream",priority="2000000000"} 0
                edgehub_messages_dropped_total{reason="corrupt",endpoint="edge1/sink/in\\"1",priority="0"} 1
                edgehub_messages_dropped_total{reason="quota",endpoint="edge1/sink/in\\"1",priority="0"} 2
                edgehub_messages_dropped_total{reason="ttl_expiry",endpoint="edge1/sink/in\\"1",priority="0"} 5
                # HELP edgehub_queue_length Messages waiting in an endpoint queue.
                # TYPE edgehub_queue_length gauge
                edgehub_queue_length{endpoint="$upstream",priority="2000000000"} 0
                edgehub_queue_length{endpoint="edge1/sink/in\\"1",priority="0"} 12
                # HELP gatehouse_queue_appended_total Messages appended to an endpoint queue.
                # TYPE gatehouse_queue_appended_total counter
                gatehouse_queue_appended_total{endpoint="$upstream",priority="2000000000"} 7
                gatehouse_queue_appended_total{endpoint="edge1/sink/in\\"1",priority="0"} 40
                # HELP gatehouse_queue_delivered_total Messages an endpoint acknowledged.
                # TYPE gatehouse_queue_delivered_total counter
                gatehouse_queue_delivered_total{endpoint="$upstream",priority="2000000000"} 7
                gatehouse_queue_delivered_total{endpoint="edge1/sink/in\\"1",priority="0"} 20
                # HELP gatehouse_queue_oldest_message_age_seconds How long the oldest waiting message of a queue has waited.
                # TYPE gatehouse_queue_oldest_message_age_seconds gauge
                gatehouse_queue_oldest_message_age_seconds{endpoint="edge1/sink/in\\"1",priority="0"} 2.5
                # HELP gatehouse_queue_disk_bytes Bytes an endpoint queue takes on disk.
                # TYPE gatehouse_queue_disk_bytes gauge
                gatehouse_queue_disk_bytes{endpoint="$upstream",priority="2000000000"} 0
                gatehouse_queue_disk_bytes{endpoint="edge1/sink/in\\"1",priority="0"} 4096
                # HELP gatehouse_dead_letters Messages an endpoint refused, held in its dead-letter queue.
                # TYPE gatehouse_dead_letters gauge
                gatehouse_dead_letters{endpoint="$upstream",priority="2000000000"} 0
                gatehouse_dead_letters{endpoint="edge1/sink/in\\"1",priority="0"} 3
                """);
    }

    @Test
    void withTheStoreAndRouterAwayTheScrapeStillAnswersWithWhatIsLeft() throws Exception {
        ServletExchange get = scrape();

        assertThat(get.status).isEqualTo(200);
        assertThat(get.body()).isEqualTo("""
                # HELP edgehub_messages_dropped_total Messages dropped, by reason.
                # TYPE edgehub_messages_dropped_total counter
                """);
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewline() {
        assertThat(PrometheusText.escape("a\\b\"c\nd")).isEqualTo("a\\\\b\\\"c\\nd");
    }
}
