package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

    private Path queueFiles() {
        return dir.resolve("ep.p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY);
    }

    private List<Path> threeHours() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(dir).withClock(clock::get))) {
            for (int h = 0; h < 3; h++) {
                for (int i = 0; i < 3; i++) store.append(message(h + "-" + i), to("ep"));
                clock.addAndGet(HOUR);
            }
        }
        try (Stream<Path> files = Files.list(queueFiles())) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void aTruncatedFileIsQuarantinedAndTheMessagesAroundItAreDelivered() throws Exception {
        List<Path> files = threeHours();
        try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
            f.setLength(100);
        }
        assertQuarantinedAndRest(files.get(1));
    }

    @Test
    void aFileWithAnOverwrittenHeaderIsQuarantinedAndTheMessagesAroundItAreDelivered() throws Exception {
        List<Path> files = threeHours();
        try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
            f.write(new byte[4096]);
        }
        assertQuarantinedAndRest(files.get(1));
    }

    @Test
    void aHealthyQueueHasNothingQuarantined() throws Exception {
        threeHours();
        try (ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(dir).withClock(clock::get))) {
            assertThat(store.quarantinedFiles()).isZero();
            assertThat(bodies(drain(store.consume("ep")))).hasSize(9);
        }
        assertThat(dir.resolve(EndpointQueue.QUARANTINE_DIRECTORY)).doesNotExist();
    }

    private void assertQuarantinedAndRest(Path damaged) throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(dir).withClock(clock::get))) {
            assertThat(store.quarantinedFiles()).isEqualTo(1);
            assertThat(dir.resolve(EndpointQueue.QUARANTINE_DIRECTORY).resolve("ep.p" + P).resolve(damaged.getFileName()))
                    .exists();
            assertThat(damaged).doesNotExist();
            assertThat(StoreTestSupport.status(store, "ep", P).pending()).as("right at once").isEqualTo(6);
            store.append(message("new"), to("ep"));
            assertThat(bodies(drain(store.consume("ep")))).containsExactly("0-0", "0-1", "0-2", "2-0", "2-1", "2-2", "new");
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(dir).withClock(clock::get))) {
            assertThat(store.quarantinedFiles()).as("the store keeps running on the good files").isZero();
            assertThat(StoreTestSupport.status(store, "ep", P).pending()).isEqualTo(7);
        }
    }
}
