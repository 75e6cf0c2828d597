package io.gatehouse.supervisor.bundle.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for what the framework delivers on its own threads. */
final class Eventually {
    private Eventually() {
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit + ": " + what);
            Thread.sleep(10);
        }
    }
}
