package io.gatehouse.api.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The wait before the next attempt after a transient delivery failure: exponential with jitter,
 * as the reference's store-and-forward endpoints, {@code min(1 s + (2^n - 1) * U(0.8, 1.2) * 1 s, 60 s)}
 * where n counts the failures before this one. A deliverer resets it on success, and must not wait
 * out an armed delay when its endpoint becomes available again (it resets and sends at once).
 * Not thread-safe: one per deliverer, used under its lock.
 */
public final class RetryBackoff {

    public static final Duration MIN_DELAY = Duration.ofSeconds(1);
    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    public static final Duration DELTA = Duration.ofSeconds(1);
    private static final double JITTER_LOW = 0.8;
    private static final double JITTER_HIGH = 1.2;
    /** 2^6 - 1 = 63 s already exceeds the maximum at any jitter. */
    private static final int EXPONENT_CAP = 6;

    private final DoubleSupplier uniform;
    private int failures;

    public RetryBackoff() {
        this(() -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code uniform} yields values in [0, 1); tests pass a fixed one. */
    public RetryBackoff(DoubleSupplier uniform) {
        this.uniform = uniform;
    }

    /** Notes one more failure and returns how long to wait before the next attempt. */
    public Duration nextDelay() {
        int n = Math.min(failures, EXPONENT_CAP);
        if (failures < Integer.MAX_VALUE) failures++;
        double jitter = JITTER_LOW + (JITTER_HIGH - JITTER_LOW) * uniform.getAsDouble();
        long millis = MIN_DELAY.toMillis() + Math.round(((1L << n) - 1) * jitter * DELTA.toMillis());
        return Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
    }

    /** The endpoint took a message, or became available again: the next failure waits the minimum. */
    public void reset() {
        failures = 0;
    }

    /** Failures since the last reset. */
    public int failures() {
        return failures;
    }
}
