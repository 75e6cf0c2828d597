package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.MessageStore;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatehouseCommandsTest {

    @Test
    void identitiesListsIdsWithoutKeys() {
        InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
        registry.add(IdentityId.device("press-7"), "c2VjcmV0", null);
        registry.add(IdentityId.module("edge1", "filter"), null, null);

        String text = new GatehouseCommands(registry, null).identities();

        assertThat(text).isEqualTo("edge1/filter\npress-7\n2 identities");
        assertThat(text).doesNotContain("c2VjcmV0");
    }

    @Test
    void queuesIsATableAndMissingServicesAreSaid() {
        // In-test store (the real one is the store bundle's): only queues() is called.
        MessageStore store = new MessageStore() {
            @Override
            public void append(Message message, List<RouteTarget> targets) {
            }

            @Override
            public QueueConsumer consume(String endpointIdOrPrefix) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<QueueStatus> queues() {
                return List.of(new QueueStatus("$upstream", RouteTarget.DEFAULT_PRIORITY, 5, 9, 4, 0));
            }
        };

        String text = new GatehouseCommands(null, store).queues();

        assertThat(text.lines().toList()).hasSize(2);
        assertThat(text.lines().skip(1).findFirst().orElseThrow().split("\\s+"))
                .containsExactly("$upstream", "default", "5", "9", "4", "0");
        assertThat(new GatehouseCommands(null, null).identities()).contains("not available");
        assertThat(new GatehouseCommands(null, null).queues()).contains("not available");
    }
}
