package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueuesApiTest {
    private final ObjectMapper mapper = JsonBodies.newMapper();

    /** In-test store: the real one (Chronicle) is the store bundle's, another team's. Only queues() is used. */
    private static MessageStore storeWith(List<QueueStatus> queues) {
        return new MessageStore() {
            @Override
            public void append(Message message, List<RouteTarget> targets) {
                throw new UnsupportedOperationException();
            }

            @Override
            public QueueConsumer consume(String endpointIdOrPrefix) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<QueueStatus> queues() {
                return queues;
            }
        };
    }

    @Test
    void listsEveryQueueWithItsCountersSortedByEndpointAndPriority() throws Exception {
        MessageStore store = storeWith(List.of(
                new QueueStatus("edge1/filter/in1", RouteTarget.DEFAULT_PRIORITY, 3, 10, 7, 0),
                new QueueStatus("$upstream", 5, 1, 2, 1, 0),
                new QueueStatus("$upstream", 0, 0, 4, 3, 1)));

        ApiResponse answer = QueuesApi.list(store, mapper);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(mapper.writeValueAsString(answer.body())).isEqualTo("["
                + "{\"endpointId\":\"$upstream\",\"priority\":0,\"pending\":0,\"appended\":4,\"delivered\":3,\"expired\":1},"
                + "{\"endpointId\":\"$upstream\",\"priority\":5,\"pending\":1,\"appended\":2,\"delivered\":1,\"expired\":0},"
                + "{\"endpointId\":\"edge1/filter/in1\",\"priority\":2000000000,\"pending\":3,\"appended\":10,"
                + "\"delivered\":7,\"expired\":0}]");
    }

    @Test
    void noQueuesIsAnEmptyArray() {
        ApiResponse answer = QueuesApi.list(storeWith(List.of()), mapper);
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
