package io.gatehouse.benchmarks.jmh;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import io.gatehouse.api.store.StoreException;
import io.gatehouse.api.store.StoredMessage;
import io.gatehouse.store.internal.ChronicleMessageStore;
import io.gatehouse.store.internal.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The message store on its own, as the router and a deliverer use it: {@code MessageStore.append}
 * of the 256-byte telemetry message to one queue (encoding and the quota check included; the
 * record is in the mapped file when the call returns), and a deliverer's {@code poll} +
 * {@code acknowledge} of stored messages (decoding and checkpoint moves included). Each
 * measurement starts from an empty store in a fresh directory, so the disk never fills.
 */
@State(Scope.Thread)
@Threads(1)
// Chronicle's JVM flags, as the parent POM's chronicle.jvm.flags and the launcher pass them.
@Fork(value = 1, jvmArgsAppend = {
    "-Dchronicle.analytics.disable=true",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED"})
public class StoreBenchmark {
    static final int READ_BATCH = 500_000;
    private static final List<RouteTarget> ONE_QUEUE = List.of(new RouteTarget("$upstream", 0, -1));

    private final Message message = SampleMessages.telemetry();
    private Path directory;
    private ChronicleMessageStore store;
    private QueueConsumer consumer;

    @Setup(Level.Iteration)
    public void openEmptyStore() throws IOException {
        directory = Files.createTempDirectory("gatehouse-store-bench");
        store = ChronicleMessageStore.open(StoreSettings.of(directory));
    }

    @TearDown(Level.Iteration)
    public void deleteStore() throws IOException {
        if (consumer != null) consumer.close();
        consumer = null;
        store.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** Appends per second of the 256-byte message to one queue. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public void append() throws StoreException {
        store.append(message, ONE_QUEUE);
    }

    /** Fills the queue with {@value #READ_BATCH} messages before each timed drain. */
    @Setup(Level.Invocation)
    public void fillQueueForDrain(org.openjdk.jmh.infra.BenchmarkParams params) throws StoreException {
        if (!params.getBenchmark().endsWith("pollAndAcknowledge")) return;
        if (consumer != null) consumer.close();
        for (int i = 0; i < READ_BATCH; i++) store.append(message, ONE_QUEUE);
        consumer = store.consume("$upstream");
    }

    /**
     * Time per message to take {@value #READ_BATCH} stored messages off the queue, one poll and one
     * acknowledge each; its inverse is the read rate.
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(READ_BATCH)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public long pollAndAcknowledge() {
        long bodyBytes = 0;
        for (int i = 0; i < READ_BATCH; i++) {
            StoredMessage m = consumer.poll();
            if (m == null) throw new IllegalStateException("queue ran dry after " + i + " messages");
            bodyBytes += m.message().body().length;
            consumer.acknowledge(m);
        }
        return bodyBytes;
    }
}
