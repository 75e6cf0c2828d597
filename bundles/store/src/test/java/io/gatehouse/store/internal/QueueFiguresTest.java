package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.body;
import static io.gatehouse.store.internal.StoreTestSupport.counts;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.status;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoredMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures of {@link QueueStatus} beyond the counts: age, size, drops by reason. */
class QueueFiguresTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;
    private static final String KB = "x".repeat(300);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

    private StoreSettings settings() {
        return StoreSettings.of(dir).withClock(clock::get);
    }

    @Test
    void theOldestAgeIsHowLongTheFirstMessageAfterTheCheckpointHasWaited() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            store.append(message("a"), to("ep"));
            assertThat(status(store, "ep", P).oldestAgeMillis()).isZero();
            clock.addAndGet(5_000);
            store.append(message("b"), to("ep"));
            clock.addAndGet(2_000);
            assertThat(status(store, "ep", P).oldestAgeMillis()).isEqualTo(7_000);

            QueueConsumer consumer = store.consume("ep");
            StoredMessage a = consumer.poll();
            assertThat(status(store, "ep", P).oldestAgeMillis()).as("handed out, not settled").isEqualTo(7_000);
            // Reading the oldest record for the status leaves the consumer's reading where it was.
            assertThat(body(consumer.poll())).isEqualTo("b");
            consumer.acknowledge(a);
            assertThat(status(store, "ep", P).oldestAgeMillis()).isEqualTo(2_000);
            clock.addAndGet(1_000);
            assertThat(status(store, "ep", P).oldestAgeMillis()).isEqualTo(3_000);

            consumer.close();
            QueueConsumer again = store.consume("ep");
            again.acknowledge(again.poll());
            assertThat(status(store, "ep", P).oldestAgeMillis()).as("none pending").isEqualTo(-1);
            assertThat(status(store, "ep", P).pending()).isZero();
        }
    }

    @Test
    void theOldestAgeIsTheSameAfterARestart() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            store.append(message("a"), to("ep"));
            clock.addAndGet(HOUR + 10_000);
            store.append(message("b"), to("ep"));
        }
        clock.addAndGet(1_000);
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            assertThat(status(store, "ep", P).oldestAgeMillis()).isEqualTo(HOUR + 11_000);
            QueueConsumer consumer = store.consume("ep");
            consumer.acknowledge(consumer.poll());
            assertThat(status(store, "ep", P).oldestAgeMillis()).isEqualTo(1_000);
        }
    }

    @Test
    void recordsOfTheFirstFormatAreReadAndAgedFromTheStartOfTheirFile() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            store.append(message("new-format"), to("ep", 7, -1)); // creates the queue directory
        }
        Path queueFiles = dir.resolve("ep.p7").resolve(EndpointQueue.QUEUE_DIRECTORY);
        clock.addAndGet(25 * 60_000); // 25 minutes into the hour the store was opened in
        try (var queue = SingleChronicleQueueBuilder.binary(queueFiles).rollCycle(RollCycles.FAST_HOURLY)
                .timeProvider(clock::get).build();
                var appender = queue.createAppender()) {
            // As the previous release wrote them: format 1, expiry, payload.
            for (String b : List.of("old-1", "old-2")) {
                try (var dc = appender.writingDocument()) {
                    dc.wire().bytes().writeByte(RecordHeader.FORMAT_1).writeLong(Long.MAX_VALUE)
                            .write(MessageCodec.encode(message(b)));
                }
            }
        }
        long hourStart = clock.get() / HOUR * HOUR;
        clock.addAndGet(60_000);
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            assertThat(status(store, "ep", 7).oldestAgeMillis()).isEqualTo(clock.get() - hourStart);
            store.append(message("new"), to("ep", 7, -1));
            QueueConsumer consumer = store.consume("ep");
            List<StoredMessage> got = drain(consumer);
            assertThat(bodies(got)).containsExactly("new-format", "old-1", "old-2", "new");
            assertThat(got.get(1).message()).isEqualTo(message("old-1"));
        }
    }

    @Test
    void bytesOnDiskAreWhatTheQuotaCountsAndFallAfterADrain() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            for (int i = 0; i < 200; i++) store.append(message(i + KB), to("ep"));
            QueueStatus full = status(store, "ep", P);
            assertThat(full.bytesOnDisk()).isEqualTo(store.quota().usedBytes()).isGreaterThan(200 * 300);

            store.append(message("other"), to("other"));
            assertThat(status(store, "ep", P).bytesOnDisk() + status(store, "other", P).bytesOnDisk())
                    .isEqualTo(store.quota().usedBytes());

            clock.addAndGet(HOUR);
            store.append(message("next hour"), to("ep"));
            QueueConsumer consumer = store.consume("ep");
            drain(consumer).forEach(consumer::acknowledge);

            QueueStatus drained = status(store, "ep", P);
            assertThat(drained.pending()).isZero();
            // What is left: the next hour's file (its header and index area, one message) and the overhead.
            assertThat(drained.bytesOnDisk()).as("the first hour's file is deleted")
                    .isLessThan(full.bytesOnDisk() - 200 * 900);
            assertThat(drained.bytesOnDisk()).isGreaterThanOrEqualTo(EndpointQueue.QUEUE_OVERHEAD_BYTES);
            assertThat(drained.bytesOnDisk() + status(store, "other", P).bytesOnDisk())
                    .isEqualTo(store.quota().usedBytes());
        }
    }

    @Test
    void droppedCountsEveryReasonAndKeepsThemAcrossARestart() throws Exception {
        StoreSettings settings = settings().withQuota(1_000_000, QuotaPolicy.DROP_OLDEST);
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings)) {
            store.append(message("1"), to("ep"));
            assertThat(status(store, "ep", P).dropped()).isEqualTo(Map.of(
                    QueueStatus.DROPPED_TTL_EXPIRY, 0L, QueueStatus.DROPPED_QUOTA, 0L, QueueStatus.DROPPED_CORRUPT, 0L));
        }
        Path queueFiles = dir.resolve("ep.p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY);
        try (var queue = SingleChronicleQueueBuilder.binary(queueFiles).timeProvider(clock::get).build();
                var appender = queue.createAppender();
                var dc = appender.writingDocument()) {
            dc.wire().bytes().writeByte((byte) 99).writeLong(Long.MAX_VALUE).write(new byte[] {1, 2, 3});
        }
        List<QueueStatus> before;
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings)) {
            store.append(message("short"), to("ep", P, 1));
            clock.addAndGet(2_000);
            QueueConsumer consumer = store.consume("ep");
            List<StoredMessage> got = drain(consumer);
            assertThat(bodies(got)).containsExactly("1");
            consumer.acknowledge(got.get(0));
            consumer.close();

            for (int i = 0; i < 500; i++) store.append(message("old" + i + KB), to("ep"));
            clock.addAndGet(HOUR);
            for (int i = 0; i < 600; i++) store.append(message("new" + i + KB), to("ep"));

            before = counts(store);
            assertThat(before).containsExactly(StoreTestSupport.counts("ep", P, 600, 1103, 1, 1, 500, 1, 0));
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings)) {
            assertThat(counts(store)).isEqualTo(before);
            assertThat(status(store, "ep", P).dropped()).containsEntry(QueueStatus.DROPPED_QUOTA, 500L)
                    .containsEntry(QueueStatus.DROPPED_CORRUPT, 1L).containsEntry(QueueStatus.DROPPED_TTL_EXPIRY, 1L);
        }
    }
}
