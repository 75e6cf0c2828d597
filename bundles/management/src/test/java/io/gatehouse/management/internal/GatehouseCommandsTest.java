package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatehouseCommandsTest {
    private static final long AT = Instant.parse("2024-05-01T12:00:00.789Z").toEpochMilli();
    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final GatehouseCommands commands = new GatehouseCommands(null, store);

    @Test
    void identitiesListsIdsWithoutKeys() {
        InMemoryIdentityRegistry registry = new InMemoryIdentityRegistry();
        registry.add(IdentityId.device("press-7"), "c2VjcmV0", null);
        registry.add(IdentityId.module("edge1", "filter"), null, null);
        registry.add(new Identity(IdentityId.device("child1"), null, null, true, null));
        registry.add(new Identity(IdentityId.device("sensor-3"), null, null, false, "child1"));
        registry.add(new Identity(IdentityId.device("cam-2"), null, null).withThumbprints(
                "3A9FC2075E11D48B60AF239CB40E7D5218C6F19A", null));

        String text = new GatehouseCommands(registry, null).identities();

        assertThat(text).isEqualTo("cam-2 (x509)\nchild1 (edge device)\nedge1/filter\npress-7\nsensor-3 (parent child1)\n"
                + "5 identities");
        assertThat(text).doesNotContain("c2VjcmV0");
    }

    @Test
    void queuesIsATableWithAgeSizeDropsAndDeadLetters() {
        store.statuses = List.of(
                new QueueStatus("$upstream", RouteTarget.DEFAULT_PRIORITY, 5, 9, 4, 0),
                new QueueStatus("$upstream", 0, 7, 30, 20, 1, 192_500, 1536,
                        Map.of("ttl_expiry", 1L, "quota", 2L, "corrupt", 0L), 3));

        List<String> lines = commands.queues().lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).split("\\s+")).containsExactly("ENDPOINT", "PRIORITY", "PENDING", "APPENDED", "DELIVERED",
                "OLDEST(s)", "BYTES", "TTL", "QUOTA", "CORRUPT", "DEAD");
        assertThat(lines.get(1).split("\\s+"))
                .containsExactly("$upstream", "0", "7", "30", "20", "192", "1536", "1", "2", "0", "3");
        assertThat(lines.get(2).split("\\s+"))
                .containsExactly("$upstream", "default", "5", "9", "4", "-", "0", "0", "0", "0", "0");
    }

    @Test
    void deadLettersListsTheirSequenceTimePrioritySizeReasonAndAGlimpseOfTheBody() {
        store.deadLetter("$upstream", 0, AT, "rejected", Message.builder()
                .body("{\"t\":\n21.5}".getBytes(StandardCharsets.UTF_8)).build());
        store.deadLetter("$upstream", RouteTarget.DEFAULT_PRIORITY, AT, "bad", Message.builder()
                .body(new byte[] {(byte) 0xff}).build());

        List<String> lines = commands.deadletters("$upstream").lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).split("\\s+")).containsExactly("", "SEQUENCE", "TIME", "PRIORITY", "SIZE", "REASON", "BODY");
        assertThat(lines.get(1).strip().split("\\s+"))
                .containsExactly("1", "2024-05-01T12:00:00Z", "0", "11", "rejected", "{\"t\":", "21.5}");
        assertThat(lines.get(2).strip().split("\\s+"))
                .containsExactly("2", "2024-05-01T12:00:00Z", "default", "1", "bad", "base64:/w==");
    }

    @Test
    void deadLettersSaysWhenThereAreMoreOrNone() {
        for (int i = 0; i < 3; i++) {
            store.deadLetter("$upstream", 0, AT, "bad", Message.builder().build());
        }

        assertThat(commands.deadletters("$upstream", 2).lines().toList()).hasSize(4).last().asString()
                .isEqualTo("(there are more than these 2; deadletters <endpoint> <limit> lists up to 1000)");
        assertThat(commands.deadletters("$upstream", 3).lines()).hasSize(4);
        assertThat(commands.deadletters("other")).isEqualTo("no dead letters for other");
        assertThat(commands.deadletters("$upstream", 0)).isEqualTo("the limit must be from 1 to 1000");
    }

    @Test
    void purgeAndRequeueSayHowManyAndAStoreFailureIsSaidAndChangesNothing() {
        store.deadLetter("$upstream", 0, AT, "bad", Message.builder().build());
        store.deadLetter("edge1/f/in", 4, AT, "bad", Message.builder().build());

        store.failure = new StoreException("disk full");
        assertThat(commands.purgedeadletters("$upstream"))
                .isEqualTo("the store could not purge the dead letters of $upstream: disk full");
        assertThat(commands.requeuedeadletters("edge1/f/in"))
                .isEqualTo("the store could not requeue the dead letters of edge1/f/in: disk full");
        assertThat(store.deadLetters("$upstream", 10)).hasSize(1);
        assertThat(store.deadLetters("edge1/f/in", 10)).hasSize(1);

        store.failure = null;
        assertThat(commands.purgedeadletters("$upstream")).isEqualTo("purged 1 dead letter of $upstream");
        assertThat(commands.requeuedeadletters("edge1/f/in")).isEqualTo("requeued 1 dead letter to edge1/f/in");
        assertThat(store.queued("edge1/f/in", 4)).hasSize(1);
        assertThat(commands.purgedeadletters("$upstream")).isEqualTo("purged 0 dead letters of $upstream");
    }

    @Test
    void missingServicesAreSaid() {
        GatehouseCommands none = new GatehouseCommands(null, null);
        assertThat(none.identities()).contains("not available");
        assertThat(none.queues()).contains("not available");
        assertThat(none.deadletters("$upstream")).contains("not available");
        assertThat(none.purgedeadletters("$upstream")).contains("not available");
        assertThat(none.requeuedeadletters("$upstream")).contains("not available");
    }
}
