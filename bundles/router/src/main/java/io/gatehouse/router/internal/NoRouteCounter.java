package io.gatehouse.router.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Telemetry that no route matched and no fallback took, since the router started: IoT Edge's
 * {@code edgehub_messages_dropped_total{reason="no_route"}}. A LongAdder, because every
 * unrouted message of every connection increments it.
 */
public final class NoRouteCounter {
    public static final String REASON = "no_route";

    private final LongAdder count = new LongAdder();

    void increment() {
        count.increment();
    }

    public long count() {
        return count.sum();
    }
}
