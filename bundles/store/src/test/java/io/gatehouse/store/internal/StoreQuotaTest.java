package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.body;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.status;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreQuotaTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;
    /** With the message id and a property repeating the body, a message of about 1 KB. */
    private static final String KB = "x".repeat(300);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

    private StoreSettings settings(long maxBytes, QuotaPolicy policy) {
        return StoreSettings.of(dir).withClock(clock::get).withQuota(maxBytes, policy);
    }

    @Test
    void rejectNewRefusesWholeMessagesAndAcceptsAgainOnceDeliveredFilesAreGone() throws Exception {
        List<RouteTarget> both = List.of(new RouteTarget("a", P, -1), new RouteTarget("b", P, -1));
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(1_000_000, QuotaPolicy.REJECT_NEW))) {
            int stored = 0;
            StoreException refused = null;
            while (refused == null) {
                try {
                    store.append(message(stored + KB), both);
                    stored++;
                } catch (StoreException e) {
                    refused = e;
                }
            }
            assertThat(refused.getMessage()).contains("quota").contains("1000000").contains("reject-new");
            assertThat(stored).isGreaterThan(50);
            assertThat(status(store, "a", P).appended()).isEqualTo(stored);
            assertThat(status(store, "b", P).appended()).as("nothing half stored").isEqualTo(stored);
            assertThat(store.quota().usedBytes()).isLessThanOrEqualTo(1_000_000);

            assertThatThrownBy(() -> store.append(message("c" + KB + KB + KB), to("c"))).isInstanceOf(StoreException.class);
            assertThat(store.queues()).extracting(s -> s.endpointId()).containsExactly("a", "b");
            assertThat(dir.resolve("c.p" + P)).doesNotExist();

            clock.addAndGet(HOUR);
            assertThatThrownBy(() -> store.append(message("late" + KB), both))
                    .as("nothing delivered, nothing freed").isInstanceOf(StoreException.class);
            long full = store.quota().usedBytes();

            for (String endpoint : List.of("a", "b")) {
                QueueConsumer consumer = store.consume(endpoint);
                List<StoredMessage> got = drain(consumer);
                assertThat(got).hasSize(stored);
                got.forEach(consumer::acknowledge);
                consumer.close();
            }
            store.append(message("after"), both);

            assertThat(store.quota().usedBytes()).isLessThan(full / 4);
            assertThat(cycleFiles("a")).hasSize(1);
            assertThat(bodies(drain(store.consume("a")))).containsExactly("after");
            assertThat(store.quota().refusedAppends()).isEqualTo(3);
        }
    }

    @Test
    void dropOldestPassesTheOldestFilesCountsThemAndKeepsTheDiskBounded() throws Exception {
        long max = 1_000_000;
        int perHour = 300;
        int hours = 10;
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(max, QuotaPolicy.DROP_OLDEST))) {
            for (int h = 0; h < hours; h++) {
                for (int i = 0; i < perHour; i++) {
                    store.append(message(h + "-" + i + "-" + KB), to("ep"));
                    assertThat(store.quota().usedBytes()).isLessThanOrEqualTo(max + 2_000);
                }
                assertThat(cycleFiles("ep").size()).isLessThanOrEqualTo(3);
                clock.addAndGet(HOUR);
            }
            long dropped = store.quota().droppedMessages();
            assertThat(dropped).isPositive().isEqualTo(dropped / perHour * perHour);

            List<StoredMessage> left = drain(store.consume("ep"));
            assertThat(left).hasSize((int) (hours * perHour - dropped));
            assertThat(body(left.get(0))).startsWith((dropped / perHour) + "-0-");
            assertThat(body(left.get(left.size() - 1))).startsWith((hours - 1) + "-" + (perHour - 1) + "-");
            assertThat(status(store, "ep", P).pending()).isEqualTo(left.size());
            assertThat(status(store, "ep", P).appended()).isEqualTo(hours * perHour);
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(max, QuotaPolicy.DROP_OLDEST))) {
            assertThat(store.quota().usedBytes()).isLessThanOrEqualTo(max + 2_000);
            List<StoredMessage> left = drain(store.consume("ep"));
            assertThat(status(store, "ep", P).pending()).isEqualTo(left.size());
            assertThat(body(left.get(left.size() - 1))).startsWith((hours - 1) + "-" + (perHour - 1) + "-");
        }
    }

    @Test
    void dropOldestUnderAnOpenConsumerSkipsWhatItHadNotAcknowledged() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(1_000_000, QuotaPolicy.DROP_OLDEST))) {
            for (int i = 0; i < 500; i++) store.append(message("old" + i + KB), to("ep"));
            QueueConsumer consumer = store.consume("ep");
            StoredMessage first = consumer.poll();
            StoredMessage second = consumer.poll();
            consumer.acknowledge(second); // out of order: settled, but the checkpoint waits for the first
            clock.addAndGet(HOUR);
            for (int i = 0; i < 600; i++) store.append(message("new" + i + KB), to("ep"));

            assertThat(store.quota().droppedMessages()).isEqualTo(499); // 500 old, one of them delivered
            consumer.acknowledge(first); // too late: dropped, changes nothing
            List<StoredMessage> rest = drain(consumer);
            assertThat(body(rest.get(0))).startsWith("new0");
            assertThat(rest).hasSize(600);
            assertThat(status(store, "ep", P)).satisfies(s -> {
                assertThat(s.pending()).isEqualTo(600);
                assertThat(s.delivered()).isEqualTo(1);
                assertThat(s.appended()).isEqualTo(1100);
            });
        }
    }

    @Test
    void dropOldestRefusesWhenOnlyTheFileBeingWrittenIsLeft() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(500_000, QuotaPolicy.DROP_OLDEST))) {
            StoreException refused = null;
            for (int i = 0; i < 1000 && refused == null; i++) {
                try {
                    store.append(message(i + KB), to("ep"));
                } catch (StoreException e) {
                    refused = e;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).contains("quota").contains("drop-oldest");
            assertThat(store.quota().droppedMessages()).isZero();
        }
    }

    @Test
    void accountedBytesAreTheSameAfterARestartAndFallAsFilesAreDelivered() throws Exception {
        long before;
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(StoreQuota.UNLIMITED, QuotaPolicy.REJECT_NEW))) {
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i < 100; i++) store.append(message(h + "-" + i + KB), to("ep"));
                clock.addAndGet(HOUR);
            }
            before = store.quota().usedBytes();
            assertThat(before).isGreaterThan(300 * 900);
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings(StoreQuota.UNLIMITED, QuotaPolicy.REJECT_NEW))) {
            assertThat(store.quota().usedBytes()).isEqualTo(before);
            assertThat(status(store, "ep", P).pending()).isEqualTo(300);
            QueueConsumer consumer = store.consume("ep");
            drain(consumer).forEach(consumer::acknowledge);
            assertThat(cycleFiles("ep")).as("the checkpoint's file stays until the next roll").hasSize(1);
            store.append(message("next"), to("ep"));
            assertThat(cycleFiles("ep")).hasSize(1);
            assertThat(store.quota().usedBytes()).as("one file header and one message").isLessThan(before / 4);
        }
    }

    @Test
    void anUnknownQuotaPolicyFallsBackToRejectNew() {
        assertThat(MessageStoreComponent.quotaPolicy("drop-oldest")).isEqualTo(QuotaPolicy.DROP_OLDEST);
        assertThat(MessageStoreComponent.quotaPolicy(" Reject-New ")).isEqualTo(QuotaPolicy.REJECT_NEW);
        assertThat(MessageStoreComponent.quotaPolicy("drop-newest")).isEqualTo(QuotaPolicy.REJECT_NEW);
    }

    @Test
    void theDefaultQuotaIsAShareOfTheDiskWithinItsBounds() throws Exception {
        long quota = StoreQuota.defaultMaxBytes(dir);
        assertThat(quota).isBetween(StoreQuota.DEFAULT_FLOOR, StoreQuota.DEFAULT_CAP);
        long share = Files.getFileStore(dir).getUsableSpace() / 4;
        if (share > StoreQuota.DEFAULT_FLOOR && share < StoreQuota.DEFAULT_CAP) {
            assertThat(quota).isCloseTo(share, org.assertj.core.data.Percentage.withPercentage(5));
        }
    }

    private List<String> cycleFiles(String endpoint) throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve(endpoint + ".p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).toList();
        }
    }
}
