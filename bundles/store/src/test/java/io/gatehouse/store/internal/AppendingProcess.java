package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import io.gatehouse.api.store.QueueConsumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run as a child JVM by {@link KillDuringAppendTest}: appends numbered messages to two queues as fast
 * as it can and prints each number once {@code append} has returned, until it is killed. With a
 * second argument {@code deadletter}: appends each message to one queue, takes it and dead-letters
 * it, and prints its number once {@code deadLetter} has returned.
 */
public final class AppendingProcess {

    static final String DEAD_LETTER_ENDPOINT = "edge1/strict/in1";
    static final List<RouteTarget> TARGETS = List.of(
            new RouteTarget("$upstream", 0, -1),
            new RouteTarget("edge1/sink/in1", RouteTarget.DEFAULT_PRIORITY, -1));

    private AppendingProcess() {
    }

    public static void main(String[] args) throws Exception {
        ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(Path.of(args[0])));
        System.out.println("ready");
        System.out.flush();
        if (args.length > 1 && args[1].equals("deadletter")) deadLetterForever(store);
        for (long i = 0; ; i++) {
            store.append(Message.builder()
                    .body(("message-" + i).getBytes(StandardCharsets.UTF_8))
                    .systemProperty("messageId", Long.toString(i))
                    .build(), TARGETS);
            System.out.println(i);
            System.out.flush();
        }
    }

    private static void deadLetterForever(ChronicleMessageStore store) throws Exception {
        List<RouteTarget> target = List.of(new RouteTarget(DEAD_LETTER_ENDPOINT, RouteTarget.DEFAULT_PRIORITY, -1));
        QueueConsumer consumer = store.consume(DEAD_LETTER_ENDPOINT);
        for (long i = 0; ; i++) {
            store.append(Message.builder()
                    .body(("message-" + i).getBytes(StandardCharsets.UTF_8))
                    .systemProperty("messageId", Long.toString(i))
                    .build(), target);
            consumer.deadLetter(consumer.poll(), "refused " + i);
            System.out.println(i);
            System.out.flush();
        }
    }
}
