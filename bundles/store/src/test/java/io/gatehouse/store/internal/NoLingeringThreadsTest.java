package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle update must not leave threads of the old bundle running (they would pin its class loader). */
class NoLingeringThreadsTest {

    @TempDir
    Path dir;

    @Test
    void aStoreThatWasUsedAndClosedLeavesNoChronicleThreadBehind() throws Exception {
        try (ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(dir))) {
            store.append(StoreTestSupport.message("x"), StoreTestSupport.to("ep"));
            var consumer = store.consume("ep");
            consumer.acknowledge(consumer.poll());
        }
        // Chronicle names its threads with '~' (disk~space~checker, background~resource~releaser, ...).
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(name -> name.contains("~"));
    }
}
