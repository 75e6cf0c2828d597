package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.counts;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.status;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoredMessage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage that appears in a queue file while the store runs and a consumer reads through it. */
class RuntimeQuarantineTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

    private StoreSettings settings() {
        return StoreSettings.of(dir).withClock(clock::get);
    }

    private Path queueFiles() {
        return dir.resolve("ep.p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY);
    }

    private List<Path> cycleFiles() throws Exception {
        try (Stream<Path> files = Files.list(queueFiles())) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private void threeHours(ChronicleMessageStore store) throws Exception {
        for (int h = 0; h < 3; h++) {
            if (h > 0) clock.addAndGet(HOUR);
            for (int i = 0; i < 3; i++) store.append(message(h + "-" + i), to("ep"));
        }
    }

    @Test
    void aClosedFileWhoseHeaderIsOverwrittenIsQuarantinedAndTheLaterMessagesDelivered() throws Exception {
        readThroughDamage(file -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.write(new byte[4096]);
            }
        });
    }

    @Test
    void aClosedFileCutShortIsQuarantinedAndTheLaterMessagesDelivered() throws Exception {
        readThroughDamage(file -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(100);
            }
        });
    }

    private interface Damage {
        void apply(Path file) throws Exception;
    }

    private void readThroughDamage(Damage damage) throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            threeHours(store);
            QueueConsumer consumer = store.consume("ep");
            StoredMessage first = consumer.poll();
            consumer.acknowledge(first);
            StoredMessage second = consumer.poll(); // handed out, not acknowledged yet
            Path middle = cycleFiles().get(1);

            damage.apply(middle);

            List<StoredMessage> rest = drain(consumer);
            assertThat(bodies(rest)).containsExactly("0-2", "2-0", "2-1", "2-2");
            assertThat(middle).doesNotExist();
            assertThat(dir.resolve(EndpointQueue.QUARANTINE_DIRECTORY).resolve("ep.p" + P).resolve(middle.getFileName()))
                    .exists();
            assertThat(store.quarantinedFiles()).isEqualTo(1);
            assertThat(status(store, "ep", P).dropped().get("corrupt")).isEqualTo(3);

            consumer.acknowledge(second);
            rest.forEach(consumer::acknowledge);
            assertThat(counts(store)).containsExactly(StoreTestSupport.counts("ep", P, 0, 9, 6, 0, 0, 3, 0));

            store.append(message("after"), to("ep"));
            assertThat(bodies(drain(consumer))).containsExactly("after");
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            assertThat(store.quarantinedFiles()).isZero();
            assertThat(counts(store)).containsExactly(StoreTestSupport.counts("ep", P, 1, 10, 6, 0, 0, 3, 0));
        }
    }

    @Test
    void messagesHandedOutFromAQuarantinedFileAreCountedLostWhenTheirConsumerCloses() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            threeHours(store);
            QueueConsumer consumer = store.consume("ep");
            List<StoredMessage> firstHour = List.of(consumer.poll(), consumer.poll(), consumer.poll());
            StoredMessage secondHour = consumer.poll();
            // Damage the rest of the second hour's file: its later records cannot be read.
            zeroRecordHeader(1, 1);

            assertThat(bodies(drain(consumer))).containsExactly("2-0", "2-1", "2-2");
            assertThat(store.quarantinedFiles()).isEqualTo(1);
            firstHour.forEach(consumer::acknowledge);
            consumer.close(); // "1-0" was handed out from the quarantined file and never settled

            assertThat(bodies(drain(store.consume("ep")))).containsExactly("2-0", "2-1", "2-2");
            assertThat(counts(status(store, "ep", P))).isEqualTo(
                    StoreTestSupport.counts("ep", P, 3, 9, 3, 0, 0, 3, 0));
            assertThat(secondHour).isNotNull();
        }
    }

    @Test
    void damageInTheFileBeingWrittenWaitsForTheNextFileThenIsQuarantined() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings())) {
            for (int i = 0; i < 3; i++) store.append(message("0-" + i), to("ep"));
            QueueConsumer consumer = store.consume("ep");
            consumer.acknowledge(consumer.poll());
            zeroRecordHeader(0, 1);

            assertThat(consumer.poll()).as("stops, throws nothing").isNull();
            store.append(message("0-3"), to("ep"));
            assertThat(consumer.poll()).as("not read until the file is closed").isNull();
            assertThat(store.quarantinedFiles()).isZero();
            assertThat(cycleFiles()).hasSize(1);

            clock.addAndGet(HOUR);
            store.append(message("1-0"), to("ep"));
            assertThat(bodies(drain(consumer))).containsExactly("1-0");
            assertThat(store.quarantinedFiles()).isEqualTo(1);
            assertThat(status(store, "ep", P).dropped().get("corrupt")).isEqualTo(3);
        }
    }

    /** Zeroes the header of one record (the {@code cycle}-th file, {@code record}-th), as stray writes would. */
    private void zeroRecordHeader(int cycle, int record) throws Exception {
        Path file = cycleFiles().get(cycle);
        long position;
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueFiles()).timeProvider(clock::get)
                .readOnly(true).build();
                ExcerptTailer tailer = queue.createTailer()) {
            // the cycle-th file's cycle number: files need not be consecutive cycles
            int fileCycle = queue.firstCycle();
            for (int i = 0; i < cycle; i++) fileCycle = queue.nextCycle(fileCycle, net.openhft.chronicle.queue.TailerDirection.FORWARD);
            tailer.moveToIndex(queue.rollCycle().toIndex(fileCycle, record));
            try (DocumentContext dc = tailer.readingDocument()) {
                position = dc.wire().bytes().readPosition() - 4;
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            f.write(new byte[4]);
        }
    }
}
