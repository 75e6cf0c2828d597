package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.route.RoutingStatistics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingStatisticsApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();

    @Test
    void answersTheDroppedCountsByReasonSorted() throws Exception {
        // In-test statistics: the real counters are the router bundle's, another team's.
        RoutingStatistics statistics = () -> Map.of("ttl_expired", 3L, "no_route", 12L);

        ApiResponse answer = RoutingStatisticsApi.stats(statistics, mapper);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(answer.body()))
                .isEqualTo("{\"messagesDropped\":{\"no_route\":12,\"ttl_expired\":3}}");
    }

    @Test
    void nothingDroppedIsAnEmptyObject() throws Exception {
        ApiResponse answer = RoutingStatisticsApi.stats(Map::of, mapper);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(answer.body())).isEqualTo("{\"messagesDropped\":{}}");
    }

    @Test
    void withoutStatisticsItIs503WithAReason() {
        ApiResponse answer = RoutingStatisticsApi.stats(null, mapper);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().get("error").asText()).contains("routing statistics", "io.gatehouse.router");
    }
}
