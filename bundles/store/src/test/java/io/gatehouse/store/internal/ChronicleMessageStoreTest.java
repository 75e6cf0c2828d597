package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.body;
import static io.gatehouse.store.internal.StoreTestSupport.counts;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.status;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleMessageStoreTest {

    private static final int P = RouteTarget.DEFAULT_PRIORITY;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    private ChronicleMessageStore store;

    @BeforeEach
    void open() throws IOException {
        store = ChronicleMessageStore.open(settings());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private StoreSettings settings() {
        return StoreSettings.of(dir).withClock(clock::get);
    }

    private void reopen() throws IOException {
        store.close();
        store = ChronicleMessageStore.open(settings());
    }

    private void appendAll(String endpointId, String... bodies) throws StoreException {
        for (String b : bodies) store.append(message(b), to(endpointId));
    }

    @Test
    void handsOutWhatWasAppendedWithAllItsPartsAndAcknowledgesIt() throws Exception {
        Message original = Message.builder()
                .body(new byte[] {0, 1, 2, (byte) 255})
                .systemProperty("messageId", "m-1")
                .systemProperty("connectionDeviceId", "dev1")
                .systemProperty("connectionModuleId", "mod/ü")
                .property("temperature", "21.5")
                .property("empty", "")
                .build();
        store.append(original, to("$upstream"));
        appendAll("$upstream", "b", "c");

        QueueConsumer consumer = store.consume("$upstream");
        List<StoredMessage> got = drain(consumer);

        assertThat(got).hasSize(3);
        assertThat(got.get(0).message()).isEqualTo(original);
        assertThat(got.get(0).message().properties().keySet()).containsExactly("temperature", "empty");
        assertThat(got.get(0).endpointId()).isEqualTo("$upstream");
        assertThat(got.get(0).priority()).isEqualTo(P);
        assertThat(bodies(got.subList(1, 3))).containsExactly("b", "c");
        assertThat(consumer.poll()).isNull();

        got.forEach(consumer::acknowledge);
        assertThat(counts(store)).containsExactly(new QueueStatus("$upstream", P, 0, 3, 3, 0));
    }

    @Test
    void reopenedStoreHandsOutUnacknowledgedMessagesOnly() throws Exception {
        appendAll("edge1/sink/in1", "1", "2", "3", "4", "5");
        QueueConsumer consumer = store.consume("edge1/sink/in1");
        List<StoredMessage> got = drain(consumer);
        consumer.acknowledge(got.get(0));
        consumer.acknowledge(got.get(1));

        reopen();

        assertThat(store.queues()).extracting(QueueStatus::endpointId).containsExactly("edge1/sink/in1");
        assertThat(bodies(drain(store.consume("edge1/sink/in1")))).containsExactly("3", "4", "5");
    }

    @Test
    void messagesOfAClosedConsumerThatWereNotAcknowledgedAreHandedOutAgain() throws Exception {
        appendAll("ep", "1", "2", "3");
        QueueConsumer first = store.consume("ep");
        StoredMessage one = first.poll();
        StoredMessage two = first.poll();
        first.acknowledge(one);
        first.close();

        QueueConsumer second = store.consume("ep");
        List<StoredMessage> again = drain(second);

        assertThat(bodies(again)).containsExactly("2", "3");
        assertThat(again.get(0).index()).isEqualTo(two.index());
    }

    @Test
    void openingASecondConsumerForAnEndpointClosesTheFirst() throws Exception {
        appendAll("ep", "1", "2");
        QueueConsumer first = store.consume("ep");
        StoredMessage handedOut = first.poll();

        QueueConsumer second = store.consume("ep");
        first.acknowledge(handedOut); // too late: the first consumer is closed

        assertThat(first.poll()).isNull();
        assertThat(bodies(drain(second))).containsExactly("1", "2");
        assertThat(status(store, "ep", P).delivered()).isZero();
    }

    @Test
    void aPrefixConsumerDisplacesTheConsumerOfAnEndpointUnderIt() throws Exception {
        appendAll("edge1/mod/in1", "1");
        QueueConsumer single = store.consume("edge1/mod/in1");
        QueueConsumer prefix = store.consume("edge1/mod/");
        QueueConsumer unrelated = store.consume("edge1/other/in1");

        assertThat(single.poll()).isNull();
        assertThat(bodies(drain(prefix))).containsExactly("1");
        assertThat(unrelated.poll()).isNull();
        // An unrelated consumer leaves the prefix consumer open.
        store.append(message("2"), to("edge1/mod/in1"));
        assertThat(bodies(drain(prefix))).containsExactly("2");
    }

    @Test
    void outOfOrderAcknowledgementsMoveTheCheckpointOverTheAcknowledgedPrefixOnly() throws Exception {
        appendAll("ep", "1", "2", "3", "4");
        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);

        consumer.acknowledge(got.get(2));
        consumer.acknowledge(got.get(1));
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 4, 4, 2, 0));

        consumer.acknowledge(got.get(0));
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 1, 4, 3, 0));

        consumer.close();
        assertThat(bodies(drain(store.consume("ep")))).containsExactly("4");
    }

    @Test
    void acknowledgementsAheadOfAGapAreForgottenWhenTheConsumerCloses() throws Exception {
        appendAll("ep", "1", "2", "3");
        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);
        consumer.acknowledge(got.get(1));
        consumer.close();

        assertThat(status(store, "ep", P).delivered()).isZero();
        assertThat(bodies(drain(store.consume("ep")))).containsExactly("1", "2", "3");
    }

    @Test
    void acknowledgingWhatWasNeverHandedOutChangesNothing() throws Exception {
        appendAll("ep", "1", "2");
        QueueConsumer consumer = store.consume("ep");
        StoredMessage first = consumer.poll();
        StoredMessage forged = new StoredMessage("ep", P, first.index() + 1, first.message());

        consumer.acknowledge(forged);
        consumer.acknowledge(new StoredMessage("elsewhere", P, first.index(), first.message()));
        consumer.acknowledge(null);

        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 2, 2, 0, 0));
        assertThat(body(consumer.poll())).isEqualTo("2");
    }

    @Test
    void aHandedOutMessageThatExpiresBeforeItIsTakenIsDroppedAsTtlExpiry() throws Exception {
        store.append(message("short"), to("ep", P, 10));
        store.append(message("forever"), to("ep", P, -1));
        QueueConsumer consumer = store.consume("ep");
        StoredMessage shortLived = consumer.poll();
        StoredMessage forever = consumer.poll();
        assertThat(shortLived.expiresAtMillis()).isEqualTo(clock.get() + 10_000);
        assertThat(forever.expiresAtMillis()).isEqualTo(StoredMessage.NEVER);

        consumer.expire(shortLived); // not yet: nothing changes
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 2, 2, 0, 0));

        clock.addAndGet(10_000);
        consumer.expire(shortLived);
        consumer.expire(forever); // never expires: nothing changes
        consumer.acknowledge(shortLived); // already settled: nothing changes
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 1, 2, 0, 1));
        assertThat(status(store, "ep", P).dropped()).containsEntry(QueueStatus.DROPPED_TTL_EXPIRY, 1L);

        consumer.acknowledge(forever);
        reopen();
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 0, 2, 1, 1));
        assertThat(store.consume("ep").poll()).isNull();
    }

    @Test
    void expiredMessagesAreSkippedAndCountedAndPassTheCheckpoint() throws Exception {
        store.append(message("short"), to("ep", P, 10));
        store.append(message("forever"), to("ep", P, -1));
        store.append(message("long"), to("ep", P, 100));
        store.append(message("zero"), to("ep", P, 0));

        clock.addAndGet(20_000);
        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);

        assertThat(bodies(got)).containsExactly("forever", "long");
        got.forEach(consumer::acknowledge);
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 0, 4, 2, 2));

        reopen();
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 0, 4, 2, 2));
        assertThat(store.consume("ep").poll()).isNull();
    }

    @Test
    void anExpiredMessageBehindAnUnacknowledgedOneWaitsForIt() throws Exception {
        store.append(message("kept"), to("ep", P, -1));
        store.append(message("dies"), to("ep", P, 5));
        QueueConsumer consumer = store.consume("ep");
        StoredMessage kept = consumer.poll();

        clock.addAndGet(6_000);
        assertThat(consumer.poll()).isNull();
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 2, 2, 0, 1));

        consumer.acknowledge(kept);
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 0, 2, 1, 1));
    }

    @Test
    void lowerPriorityNumbersAreHandedOutFirst() throws Exception {
        store.append(message("p5-a"), to("ep", 5, -1));
        store.append(message("p1"), to("ep", 1, -1));
        store.append(message("p5-b"), to("ep", 5, -1));
        store.append(message("p0"), to("ep", 0, -1));
        store.append(message("default"), to("ep"));

        QueueConsumer consumer = store.consume("ep");
        assertThat(body(consumer.poll())).isEqualTo("p0");
        assertThat(body(consumer.poll())).isEqualTo("p1");
        assertThat(body(consumer.poll())).isEqualTo("p5-a");

        store.append(message("p2-late"), to("ep", 2, -1));
        assertThat(bodies(drain(consumer))).containsExactly("p2-late", "p5-b", "default");
    }

    @Test
    void aPrefixConsumerSeesQueuesCreatedAfterItOpened() throws Exception {
        QueueConsumer consumer = store.consume("edge1/mod/");
        AtomicInteger signals = new AtomicInteger();
        consumer.onAvailable(signals::incrementAndGet);
        assertThat(signals).hasValue(0);

        store.append(message("in1"), to("edge1/mod/in1"));
        store.append(message("other"), to("edge1/modx/in1"));
        store.append(message("in2"), to("edge1/mod/in2", 0, -1));

        assertThat(signals).hasValue(2);
        assertThat(bodies(drain(consumer))).containsExactly("in2", "in1");
    }

    @Test
    void onAvailableFiresAtOnceWhenMessagesWaitAndAfterEachAppend() throws Exception {
        appendAll("ep", "1");
        QueueConsumer consumer = store.consume("ep");
        AtomicInteger first = new AtomicInteger();
        consumer.onAvailable(first::incrementAndGet);
        assertThat(first).hasValue(1);

        AtomicInteger second = new AtomicInteger();
        consumer.onAvailable(second::incrementAndGet);
        consumer.onAvailable(() -> {
            second.incrementAndGet();
            throw new IllegalStateException("a faulty listener must not fail the append");
        });
        store.append(message("2"), to("ep"));

        assertThat(first).hasValue(1);
        assertThat(second).hasValue(3);
        assertThat(bodies(drain(consumer))).containsExactly("1", "2");
    }

    @Test
    void eachTargetQueueGetsTheMessageWithItsOwnTimeToLive() throws Exception {
        store.append(message("m"), List.of(
                new RouteTarget("$upstream", 0, 10),
                new RouteTarget("edge1/sink/in1", P, -1),
                new RouteTarget("edge1/sink/in1", P, -1)));
        clock.addAndGet(11_000);

        assertThat(store.consume("$upstream").poll()).isNull();
        assertThat(bodies(drain(store.consume("edge1/sink/in1")))).containsExactly("m");
        assertThat(counts(store)).containsExactly(
                new QueueStatus("$upstream", 0, 0, 1, 0, 1),
                new QueueStatus("edge1/sink/in1", P, 1, 1, 0, 0));
    }

    @Test
    void concurrentAppendersKeepTheirOwnOrder() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        List<Thread> appenders = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) store.append(message(id + ":" + i), to("ep"));
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            appenders.add(thread);
            thread.start();
        }
        for (Thread thread : appenders) thread.join();
        assertThat(failures).isEmpty();

        int[] next = new int[threads];
        long lastIndex = Long.MIN_VALUE;
        List<StoredMessage> got = drain(store.consume("ep"));
        for (StoredMessage m : got) {
            String[] parts = body(m).split(":");
            int thread = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).as("order of thread %d", thread).isEqualTo(next[thread]);
            next[thread]++;
            assertThat(m.index()).isGreaterThan(lastIndex);
            lastIndex = m.index();
        }
        assertThat(got).hasSize(threads * perThread);
        assertThat(status(store, "ep", P).appended()).isEqualTo(threads * perThread);
    }

    @Test
    void queueFiguresAreTheSameAfterARestart() throws Exception {
        store.append(message("x"), to("ep", 1, 1));
        appendAll("ep", "1", "2", "3", "4");
        clock.addAndGet(2_000);
        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);
        consumer.acknowledge(got.get(0));
        consumer.acknowledge(got.get(1));
        List<QueueStatus> before = store.queues();
        assertThat(counts(store)).containsExactly(
                new QueueStatus("ep", 1, 0, 1, 0, 1),
                new QueueStatus("ep", P, 2, 4, 2, 0));

        reopen();

        assertThat(store.queues()).isEqualTo(before);
        store.append(message("5"), to("ep"));
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 3, 5, 2, 0));
    }

    @Test
    void queuesAreReopenedUnderTheirEndpointIdsFromEncodedDirectoryNames() throws Exception {
        store.append(message("u"), to("$upstream", 0, -1));
        store.append(message("m"), to("edge1/sink/in1"));
        reopen();

        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("%24upstream.p0", "edge1%2Fsink%2Fin1.p" + P);
        }
        assertThat(store.queues()).extracting(QueueStatus::endpointId, QueueStatus::priority, QueueStatus::pending)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("$upstream", 0, 1L),
                        org.assertj.core.groups.Tuple.tuple("edge1/sink/in1", P, 1L));
    }

    @Test
    void foreignDirectoriesInTheStoreAreIgnored() throws Exception {
        Files.createDirectories(dir.resolve("not a queue"));
        Files.createDirectories(dir.resolve("lost+found"));
        reopen();
        assertThat(store.queues()).isEmpty();
    }

    @Test
    void badInputIsRefusedWithAReasonAndStoresNothing() throws Exception {
        String tooLong = "x/".repeat(200);
        assertThatThrownBy(() -> store.append(message("m"), List.of(
                new RouteTarget("good", P, -1), new RouteTarget("", P, -1))))
                .isInstanceOf(StoreException.class).hasMessageContaining("endpoint id is empty");
        assertThatThrownBy(() -> store.append(message("m"), to(tooLong)))
                .isInstanceOf(StoreException.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> store.append(null, to("good")))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.consume(""))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(store.queues()).isEmpty();
        store.append(message("m"), List.of());
        assertThat(store.queues()).isEmpty();
    }

    @Test
    void aSecondStoreCannotOpenTheSameDirectory() {
        assertThatThrownBy(() -> ChronicleMessageStore.open(settings()))
                .isInstanceOf(IOException.class).hasMessageContaining("in use");
    }

    @Test
    void aClosedStoreRefusesAppendsAndItsConsumersAreClosed() throws Exception {
        appendAll("ep", "1");
        QueueConsumer consumer = store.consume("ep");
        store.close();

        assertThat(consumer.poll()).isNull();
        assertThatThrownBy(() -> store.append(message("2"), to("ep"))).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.append(message("2"), to("new"))).isInstanceOf(StoreException.class);
    }

    @Test
    void syncOnAppendStoresAndReadsBackTheSame() throws Exception {
        store.close();
        store = ChronicleMessageStore.open(settings().withSyncOnAppend(true));
        appendAll("ep", "1", "2");
        reopen();
        assertThat(bodies(drain(store.consume("ep")))).containsExactly("1", "2");
    }

    @Test
    void anUnreadableRecordIsSkippedAndTheQueueKeepsFlowing() throws Exception {
        appendAll("ep", "1");
        store.close();
        Path queueFiles = dir.resolve("ep.p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY);
        try (var queue = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(queueFiles)
                .timeProvider(clock::get).build();
                var appender = queue.createAppender()) {
            try (var dc = appender.writingDocument()) {
                dc.wire().bytes().writeByte((byte) 99).writeLong(Long.MAX_VALUE).write(new byte[] {1, 2, 3});
            }
            try (var dc = appender.writingDocument()) {
                dc.wire().bytes().writeByte(RecordHeader.FORMAT_1).writeLong(Long.MAX_VALUE)
                        .write(new byte[] {(byte) 0x80});
            }
        }
        store = ChronicleMessageStore.open(settings());
        appendAll("ep", "2");

        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);
        assertThat(bodies(got)).containsExactly("1", "2");
        got.forEach(consumer::acknowledge);
        assertThat(counts(status(store, "ep", P))).isEqualTo(StoreTestSupport.counts("ep", P, 0, 4, 2, 0, 0, 2, 0));
    }

    @Test
    void expiryOfAHugeTimeToLiveSaturates() {
        assertThat(ChronicleMessageStore.expiry(1_000, Long.MAX_VALUE / 10)).isEqualTo(Long.MAX_VALUE);
        assertThat(ChronicleMessageStore.expiry(1_000, -1)).isEqualTo(Long.MAX_VALUE);
        assertThat(ChronicleMessageStore.expiry(1_000, 2)).isEqualTo(3_000);
    }
}
