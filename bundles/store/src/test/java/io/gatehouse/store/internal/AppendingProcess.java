package io.gatehouse.store.internal;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.route.RouteTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run as a child JVM by {@link KillDuringAppendTest}: appends numbered messages to two queues as fast
 * as it can and prints each number once {@code append} has returned, until it is killed.
 */
public final class AppendingProcess {

    static final List<RouteTarget> TARGETS = List.of(
            new RouteTarget("$upstream", 0, -1),
            new RouteTarget("edge1/sink/in1", RouteTarget.DEFAULT_PRIORITY, -1));

    private AppendingProcess() {
    }

    public static void main(String[] args) throws Exception {
        ChronicleMessageStore store = ChronicleMessageStore.open(StoreSettings.of(Path.of(args[0])));
        System.out.println("ready");
        System.out.flush();
        for (long i = 0; ; i++) {
            store.append(Message.builder()
                    .body(("message-" + i).getBytes(StandardCharsets.UTF_8))
                    .systemProperty("messageId", Long.toString(i))
                    .build(), TARGETS);
            System.out.println(i);
            System.out.flush();
        }
    }
}
