package io.gatehouse.supervisor.docker.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for what the engine does in its own time. */
final class Eventually {
    private Eventually() {
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit + ": " + what);
            Thread.sleep(50);
        }
    }
}
