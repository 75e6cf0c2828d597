package io.gatehouse.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.DeadLetter;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoredMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 at the store: whatever {@code append} returned for is there after {@code kill -9}.
 * A child JVM appends and prints each number after append returns; it is killed mid-stream.
 */
class KillDuringAppendTest {

    private static final int KILL_AFTER = 3_000;

    @TempDir
    Path dir;

    @Test
    void everyAppendThatReturnedSurvivesKillMinus9() throws Exception {
        Path store = dir.resolve("store");
        long lastPrinted = runAndKill(store, "append");

        try (ChronicleMessageStore reopened = ChronicleMessageStore.open(StoreSettings.of(store))) {
            for (RouteTarget target : AppendingProcess.TARGETS) {
                QueueConsumer consumer = reopened.consume(target.endpointId());
                List<Long> numbers = new ArrayList<>();
                StoredMessage m;
                while ((m = consumer.poll()) != null) numbers.add(Long.parseLong(m.message().systemProperty("messageId")));

                assertThat(numbers.size()).as("messages in %s", target.endpointId()).isGreaterThan((int) lastPrinted);
                for (int i = 0; i < numbers.size(); i++) assertThat(numbers.get(i)).isEqualTo(i);
            }
            // The queue that was being written when the process died takes appends again.
            reopened.append(StoreTestSupport.message("after"), AppendingProcess.TARGETS);
            long printed = lastPrinted + 1;
            assertThat(reopened.queues()).allSatisfy(s -> assertThat(s.appended()).isGreaterThan(printed));
        }
    }

    @Test
    void everyDeadLetteringThatReturnedSurvivesKillMinus9() throws Exception {
        Path store = dir.resolve("store");
        long lastPrinted = runAndKill(store, "deadletter");

        try (ChronicleMessageStore reopened = ChronicleMessageStore.open(StoreSettings.of(store))) {
            String endpoint = AppendingProcess.DEAD_LETTER_ENDPOINT;
            List<DeadLetter> letters = reopened.deadLetters(endpoint, Integer.MAX_VALUE);
            assertThat(letters.size()).isGreaterThan((int) lastPrinted);
            for (int i = 0; i <= lastPrinted; i++) {
                assertThat(letters.get(i).reason()).isEqualTo("refused " + i);
                assertThat(letters.get(i).message().systemProperty("messageId")).isEqualTo(Long.toString(i));
            }
            // Settled in the queue once dead-lettered: none of those comes again.
            StoredMessage next = reopened.consume(endpoint).poll();
            if (next != null) {
                assertThat(Long.parseLong(next.message().systemProperty("messageId"))).isGreaterThan(lastPrinted);
            }
            assertThat(StoreTestSupport.status(reopened, endpoint, RouteTarget.DEFAULT_PRIORITY).deadLetters())
                    .isEqualTo(letters.size());
        }
    }

    private long runAndKill(Path store, String mode) throws Exception {
        Process child = startChild(store, mode);
        long lastPrinted = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("child started (see %s)", dir.resolve("child.err")).isEqualTo("ready");
            String line;
            while ((line = out.readLine()) != null) {
                lastPrinted = Long.parseLong(line);
                if (lastPrinted == KILL_AFTER) {
                    // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe.
                    child.toHandle().destroyForcibly();
                    break;
                }
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // Numbers already in the pipe when the child died were printed after their append returned.
            while ((line = out.readLine()) != null) {
                if (!line.isBlank() && line.chars().allMatch(Character::isDigit)) lastPrinted = Long.parseLong(line);
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("killed, not exited").isNotZero();
        assertThat(lastPrinted).isGreaterThanOrEqualTo(KILL_AFTER);
        return lastPrinted;
    }

    private Process startChild(Path store, String mode) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("--add-") || argument.startsWith("-Dchronicle")) command.add(argument);
        }
        command.add("-Xmx128m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AppendingProcess.class.getName());
        command.add(store.toString());
        command.add(mode);
        Files.createDirectories(dir);
        return new ProcessBuilder(command)
                .redirectError(dir.resolve("child.err").toFile())
                .start();
    }
}
