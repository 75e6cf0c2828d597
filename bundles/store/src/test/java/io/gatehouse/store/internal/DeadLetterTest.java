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

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.QueueStatus;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterTest {

    private static final long HOUR = 3_600_000L;
    private static final int P = RouteTarget.DEFAULT_PRIORITY;
    private static final String KB = "x".repeat(300);

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

    @Test
    void aDeadLetteredMessageIsKeptWithItsReasonAndItsQueueMovesPastIt() throws Exception {
        for (String b : List.of("1", "2", "3")) store.append(message(b), to("edge1/mod/in1"));
        QueueConsumer consumer = store.consume("edge1/mod/in1");
        StoredMessage first = consumer.poll();
        clock.addAndGet(1_000);
        consumer.deadLetter(first, "body is not JSON");
        consumer.acknowledge(consumer.poll());

        List<DeadLetter> letters = store.deadLetters("edge1/mod/in1", 10);
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.endpointId()).isEqualTo("edge1/mod/in1");
            assertThat(letter.priority()).isEqualTo(P);
            assertThat(letter.reason()).isEqualTo("body is not JSON");
            assertThat(letter.deadLetteredAtMillis()).isEqualTo(clock.get());
            assertThat(letter.message()).isEqualTo(message("1"));
        });
        QueueStatus s = status(store, "edge1/mod/in1", P);
        assertThat(counts(s)).isEqualTo(StoreTestSupport.counts("edge1/mod/in1", P, 1, 3, 1, 0, 0, 0, 1));

        consumer.close();
        assertThat(bodies(drain(store.consume("edge1/mod/in1")))).as("the checkpoint passed it").containsExactly("3");
        assertThat(store.deadLetters("edge1/mod/in1", 10)).as("listing consumes nothing").hasSize(1);
        assertThat(store.deadLetters("edge1/other/in1", 10)).isEmpty();
    }

    @Test
    void deadLettersAreListedPageByPageAfterTheLastSequenceRead() throws Exception {
        for (int i = 0; i < 5; i++) store.append(message("m" + i), to("ep"));
        QueueConsumer consumer = store.consume("ep");
        for (int i = 0; i < 5; i++) consumer.deadLetter(consumer.poll(), "refused " + i);

        List<DeadLetter> first = store.deadLetters("ep", -1, 2);
        List<DeadLetter> second = store.deadLetters("ep", first.get(1).sequence(), 2);
        List<DeadLetter> last = store.deadLetters("ep", second.get(1).sequence(), 2);

        assertThat(first).extracting(DeadLetter::reason).containsExactly("refused 0", "refused 1");
        assertThat(second).extracting(DeadLetter::reason).containsExactly("refused 2", "refused 3");
        assertThat(last).extracting(DeadLetter::reason).containsExactly("refused 4");
        assertThat(store.deadLetters("ep", last.get(0).sequence(), 2)).isEmpty();
        assertThat(store.deadLetters("ep", 5)).as("the short form starts at the oldest").hasSize(5);

        store.purgeDeadLetters("ep");
        assertThat(store.deadLetters("ep", first.get(0).sequence(), 10)).as("a purged page is gone").isEmpty();
    }

    @Test
    void deadLettersAreNeverAQueueNorConsumable() throws Exception {
        store.append(message("1"), to("ep"));
        QueueConsumer consumer = store.consume("ep");
        consumer.deadLetter(consumer.poll(), "refused");

        assertThat(store.queues()).extracting(QueueStatus::endpointId).containsExactly("ep");
        assertThat(consumer.poll()).isNull();
        assertThat(store.consume("ep").poll()).isNull();
        assertThat(dir.resolve(DeadLetterQueue.DIRECTORY).resolve("ep")).isDirectory();

        reopen();
        assertThat(store.queues()).extracting(QueueStatus::endpointId).containsExactly("ep");
        assertThat(store.consume("ep").poll()).isNull();
        assertThat(store.deadLetters("ep", 10)).hasSize(1);
    }

    @Test
    void badDeadLetteringIsRefusedWithAReasonAndChangesNothing() throws Exception {
        store.append(message("1"), to("ep"));
        store.append(message("2"), to("ep"));
        QueueConsumer consumer = store.consume("ep");
        StoredMessage one = consumer.poll();
        StoredMessage two = consumer.poll();
        consumer.acknowledge(two);

        assertThatThrownBy(() -> consumer.deadLetter(one, null)).isInstanceOf(StoreException.class)
                .hasMessageContaining("reason");
        assertThatThrownBy(() -> consumer.deadLetter(one, " ")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> consumer.deadLetter(null, "r")).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> consumer.deadLetter(two, "r")).as("already settled").isInstanceOf(StoreException.class)
                .hasMessageContaining("not handed out");
        assertThatThrownBy(() -> consumer.deadLetter(new StoredMessage("ep", P, one.index() + 5, one.message()), "r"))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> consumer.deadLetter(new StoredMessage("other", P, one.index(), one.message()), "r"))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.deadLetters("ep", -1)).isInstanceOf(IllegalArgumentException.class);

        assertThat(store.deadLetters("ep", 10)).isEmpty();
        assertThat(dir.resolve(DeadLetterQueue.DIRECTORY)).doesNotExist();
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 2, 2, 1, 0));
        consumer.acknowledge(one);
        assertThat(counts(status(store, "ep", P))).isEqualTo(new QueueStatus("ep", P, 0, 2, 2, 0));

        QueueConsumer closed = store.consume("ep");
        store.append(message("3"), to("ep"));
        StoredMessage three = closed.poll();
        closed.close();
        assertThatThrownBy(() -> closed.deadLetter(three, "r")).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
        assertThat(bodies(drain(store.consume("ep")))).containsExactly("3");
    }

    @Test
    void aDeadLetterTheQuotaRefusesChangesNothing() throws Exception {
        store.close();
        store = ChronicleMessageStore.open(settings().withQuota(300_000, QuotaPolicy.REJECT_NEW));
        int stored = 0;
        try {
            while (true) {
                store.append(message(stored + KB), to("ep"));
                stored++;
            }
        } catch (StoreException full) {
            assertThat(full.getMessage()).contains("quota");
        }
        QueueConsumer consumer = store.consume("ep");
        StoredMessage first = consumer.poll();
        QueueStatus before = status(store, "ep", P);
        long used = store.quota().usedBytes();

        assertThatThrownBy(() -> consumer.deadLetter(first, "refused")).isInstanceOf(StoreException.class)
                .hasMessageContaining("not dead-lettered").hasMessageContaining("quota");

        assertThat(status(store, "ep", P)).isEqualTo(before);
        assertThat(store.quota().usedBytes()).isEqualTo(used);
        assertThat(store.deadLetters("ep", 10)).isEmpty();
        assertThat(dir.resolve(DeadLetterQueue.DIRECTORY)).as("no dead-letter queue made").doesNotExist();
        // Still handed out and unsettled: it can be acknowledged, or comes again after a close.
        consumer.close();
        List<StoredMessage> again = drain(store.consume("ep"));
        assertThat(again).hasSize(stored);
        assertThat(body(again.get(0))).isEqualTo(body(first));
    }

    @Test
    void purgeRemovesEveryDeadLetterAndReclaimsItsFiles() throws Exception {
        for (int i = 0; i < 3; i++) store.append(message("m" + i + KB), to("ep"));
        QueueConsumer consumer = store.consume("ep");
        for (StoredMessage m : drain(consumer)) consumer.deadLetter(m, "bad " + body(m).substring(0, 2));
        long withLetters = store.quota().usedBytes();
        assertThat(status(store, "ep", P).deadLetters()).isEqualTo(3);

        clock.addAndGet(HOUR);
        assertThat(store.purgeDeadLetters("ep")).isEqualTo(3);
        assertThat(store.deadLetters("ep", 10)).isEmpty();
        assertThat(status(store, "ep", P).deadLetters()).isZero();
        assertThat(cycleFiles(dir.resolve(DeadLetterQueue.DIRECTORY).resolve("ep"))).as("files reclaimed").isEmpty();
        assertThat(store.quota().usedBytes()).isLessThan(withLetters - 3 * 300);
        assertThat(store.purgeDeadLetters("ep")).isZero();
        assertThat(store.purgeDeadLetters("never")).isZero();

        store.append(message("later"), to("ep"));
        consumer.deadLetter(consumer.poll(), "again");
        reopen();
        assertThat(store.deadLetters("ep", 10)).extracting(DeadLetter::reason).containsExactly("again");
        assertThat(status(store, "ep", P).deadLetters()).isEqualTo(1);
    }

    @Test
    void requeueAppendsTheDeadLettersBackToTheirQueuesWithoutExpiry() throws Exception {
        store.append(message("urgent"), to("ep", 0, 5));
        store.append(message("normal-1"), to("ep", P, 5));
        store.append(message("normal-2"), to("ep", P, 5));
        QueueConsumer consumer = store.consume("ep");
        List<StoredMessage> got = drain(consumer);
        assertThat(bodies(got)).containsExactly("urgent", "normal-1", "normal-2");
        consumer.deadLetter(got.get(1), "first");
        consumer.deadLetter(got.get(0), "second");
        consumer.acknowledge(got.get(2));
        assertThat(status(store, "ep", 0).deadLetters()).isEqualTo(1);
        assertThat(status(store, "ep", P).deadLetters()).isEqualTo(1);
        List<Long> sequences = store.deadLetters("ep", 10).stream().map(DeadLetter::sequence).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();

        assertThat(store.deadLetters("ep", 1)).extracting(DeadLetter::reason).containsExactly("first");
        assertThat(store.requeueDeadLetters("ep")).isEqualTo(2);
        assertThat(store.deadLetters("ep", 10)).isEmpty();
        assertThat(status(store, "ep", 0).deadLetters()).isZero();
        assertThat(status(store, "ep", P).deadLetters()).isZero();

        clock.addAndGet(60_000); // past their old time to live
        List<StoredMessage> back = drain(consumer);
        assertThat(bodies(back)).containsExactly("urgent", "normal-1");
        assertThat(back.get(0).message()).isEqualTo(message("urgent"));
        back.forEach(consumer::acknowledge);
        assertThat(counts(status(store, "ep", P))).isEqualTo(StoreTestSupport.counts("ep", P, 0, 3, 2, 0, 0, 0, 0));
        assertThat(store.requeueDeadLetters("ep")).isZero();

        reopen();
        assertThat(store.deadLetters("ep", 10)).isEmpty();
        assertThat(store.consume("ep").poll()).isNull();
    }

    @Test
    void aRestartKeepsDeadLettersAndTheQueueFigures() throws Exception {
        for (String b : List.of("1", "2", "3", "4")) store.append(message(b), to("ep"));
        QueueConsumer consumer = store.consume("ep");
        consumer.deadLetter(consumer.poll(), "r1");
        consumer.acknowledge(consumer.poll());
        consumer.deadLetter(consumer.poll(), "r3");
        List<QueueStatus> before = counts(store);
        List<DeadLetter> letters = store.deadLetters("ep", 10);
        assertThat(before).containsExactly(StoreTestSupport.counts("ep", P, 1, 4, 1, 0, 0, 0, 2));

        reopen();

        assertThat(counts(store)).isEqualTo(before);
        assertThat(store.deadLetters("ep", 10)).isEqualTo(letters);
        assertThat(bodies(drain(store.consume("ep")))).containsExactly("4");
    }

    @Test
    void deadLetteringFromManyThreadsWhileAppendingKeepsEveryLetter() throws Exception {
        int n = 300;
        for (int i = 0; i < n; i++) store.append(message("m" + i), List.of(new RouteTarget("a", P, -1),
                new RouteTarget("b", P, -1)));
        Thread[] threads = new Thread[2];
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 2; t++) {
            String endpoint = t == 0 ? "a" : "b";
            threads[t] = new Thread(() -> {
                try (QueueConsumer consumer = store.consume(endpoint)) {
                    StoredMessage m;
                    while ((m = consumer.poll()) != null) consumer.deadLetter(m, "bad");
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads[t].start();
        }
        for (int i = 0; i < 100; i++) store.append(message("late" + i), to("c"));
        for (Thread t : threads) t.join();
        assertThat(failures).isEmpty();
        assertThat(store.deadLetters("a", 1000)).hasSize(n);
        assertThat(store.deadLetters("b", 1000)).hasSize(n);
        assertThat(status(store, "a", P).deadLetters()).isEqualTo(n);
        assertThat(status(store, "a", P).pending()).isZero();
    }

    private static List<String> cycleFiles(Path queueDir) throws IOException {
        try (Stream<Path> files = Files.list(queueDir.resolve(EndpointQueue.QUEUE_DIRECTORY))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).toList();
        }
    }
}
