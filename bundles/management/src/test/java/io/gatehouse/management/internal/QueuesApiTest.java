package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueuesApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();
    private final InMemoryMessageStore store = new InMemoryMessageStore();

    @Test
    void listsEveryQueueWithItsCountersSortedByEndpointAndPriority() throws Exception {
        store.statuses = List.of(
                new QueueStatus("edge1/filter/in1", RouteTarget.DEFAULT_PRIORITY, 3, 10, 7, 0),
                new QueueStatus("$upstream", 5, 1, 2, 1, 0),
                new QueueStatus("$upstream", 0, 0, 4, 3, 1));

        ApiResponse answer = QueuesApi.list(store, mapper);

        assertThat(answer.status()).isEqualTo(200);
        String none = "\"oldestAgeMillis\":null,\"bytesOnDisk\":0,";
        assertThat(mapper.writeValueAsString(answer.body())).isEqualTo("["
                + "{\"endpointId\":\"$upstream\",\"priority\":0,\"pending\":0,\"appended\":4,\"delivered\":3,\"expired\":1,"
                + none + "\"dropped\":{\"ttl_expiry\":1,\"quota\":0,\"corrupt\":0},\"deadLetters\":0},"
                + "{\"endpointId\":\"$upstream\",\"priority\":5,\"pending\":1,\"appended\":2,\"delivered\":1,\"expired\":0,"
                + none + "\"dropped\":{\"ttl_expiry\":0,\"quota\":0,\"corrupt\":0},\"deadLetters\":0},"
                + "{\"endpointId\":\"edge1/filter/in1\",\"priority\":2000000000,\"pending\":3,\"appended\":10,"
                + "\"delivered\":7,\"expired\":0,"
                + none + "\"dropped\":{\"ttl_expiry\":0,\"quota\":0,\"corrupt\":0},\"deadLetters\":0}]");
    }

    @Test
    void answersTheOldestAgeTheSizeOnDiskTheDropsByReasonAndTheDeadLetters() throws Exception {
        store.statuses = List.of(new QueueStatus("$upstream", 0, 12, 40, 20, 5, 192_500, 3_145_728,
                Map.of("ttl_expiry", 5L, "quota", 2L, "corrupt", 1L), 4));

        ApiResponse answer = QueuesApi.list(store, mapper);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(answer.body())).isEqualTo("[{\"endpointId\":\"$upstream\",\"priority\":0,"
                + "\"pending\":12,\"appended\":40,\"delivered\":20,\"expired\":5,\"oldestAgeMillis\":192500,"
                + "\"bytesOnDisk\":3145728,"
                + "\"dropped\":{\"ttl_expiry\":5,\"quota\":2,\"corrupt\":1},\"deadLetters\":4}]");
    }

    @Test
    void everyKnownDropReasonIsAnsweredAndOnesThisVersionDoesNotKnowArePassedOn() {
        store.statuses = List.of(new QueueStatus("$upstream", 0, 0, 0, 0, 0, 0, 0, Map.of("disk_error", 3L), 0));

        ApiResponse answer = QueuesApi.list(store, mapper);

        assertThat(answer.body().get(0).get("dropped").toString())
                .isEqualTo("{\"ttl_expiry\":0,\"quota\":0,\"corrupt\":0,\"disk_error\":3}");
        assertThat(answer.body().get(0).get("oldestAgeMillis").asLong()).isZero();
    }

    @Test
    void noQueuesIsAnEmptyArray() {
        ApiResponse answer = QueuesApi.list(store, mapper);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().isArray()).isTrue();
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void withoutAStoreItIs503WithAReason() {
        ApiResponse answer = QueuesApi.list(null, mapper);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().get("error").asText()).contains("message store", "io.gatehouse.store");
    }
}
