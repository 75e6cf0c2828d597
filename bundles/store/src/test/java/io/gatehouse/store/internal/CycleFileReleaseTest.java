package io.gatehouse.store.internal;

import static io.gatehouse.store.internal.StoreTestSupport.bodies;
import static io.gatehouse.store.internal.StoreTestSupport.drain;
import static io.gatehouse.store.internal.StoreTestSupport.message;
import static io.gatehouse.store.internal.StoreTestSupport.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoredMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CycleFileReleaseTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;

    @TempDir
    Path dir;

    @Test
    void filesWhollyBeforeTheCheckpointAreDeletedAndTheQueueStillReopens() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        StoreSettings settings = StoreSettings.of(dir).withClock(clock::get);
        Path queueFiles = dir.resolve("ep.p" + P).resolve(EndpointQueue.QUEUE_DIRECTORY);

        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings)) {
            store.append(message("hour0-a"), to("ep"));
            store.append(message("hour0-b"), to("ep"));
            clock.addAndGet(2 * HOUR);
            store.append(message("hour2"), to("ep"));
            assertThat(cycleFiles(queueFiles)).hasSize(2);

            QueueConsumer consumer = store.consume("ep");
            List<StoredMessage> got = drain(consumer);
            assertThat(bodies(got)).containsExactly("hour0-a", "hour0-b", "hour2");
            consumer.acknowledge(got.get(0));
            consumer.acknowledge(got.get(1));
            assertThat(cycleFiles(queueFiles)).as("checkpoint still in the first file").hasSize(2);
            consumer.acknowledge(got.get(2));
            assertThat(cycleFiles(queueFiles)).hasSize(1);

            store.append(message("hour2-later"), to("ep"));
        }
        try (ChronicleMessageStore store = ChronicleMessageStore.open(settings)) {
            assertThat(StoreTestSupport.counts(store)).containsExactly(new QueueStatus("ep", P, 1, 4, 3, 0));
            assertThat(bodies(drain(store.consume("ep")))).containsExactly("hour2-later");
        }
    }

    private static List<String> cycleFiles(Path queueFiles) throws Exception {
        try (Stream<Path> files = Files.list(queueFiles)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).toList();
        }
    }
}
