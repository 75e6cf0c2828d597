package io.gatehouse.store.internal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a store is opened. {@code rollCycle} names a Chronicle {@code RollCycles} constant (the span
 * of one queue file); it applies to queues created from now on, existing queues keep theirs.
 * {@code maxSizeBytes} is the quota already resolved ({@link StoreQuota#UNLIMITED} for none).
 */
// Public only for the JMH benchmarks in benchmarks/jmh; the package is private to the bundle in OSGi.
public record StoreSettings(Path directory, String rollCycle, boolean syncOnAppend, LongSupplier clock,
        long maxSizeBytes, QuotaPolicy quotaPolicy) {

    static final String DEFAULT_ROLL_CYCLE = "FIVE_MINUTELY";

    public StoreSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(rollCycle, "rollCycle");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(quotaPolicy, "quotaPolicy");
        if (maxSizeBytes <= 0) throw new IllegalArgumentException("maxSizeBytes must be positive: " + maxSizeBytes);
    }

    public static StoreSettings of(Path directory) {
        return new StoreSettings(directory, DEFAULT_ROLL_CYCLE, false, System::currentTimeMillis,
                StoreQuota.UNLIMITED, QuotaPolicy.DEFAULT);
    }

    public StoreSettings withClock(LongSupplier newClock) {
        return new StoreSettings(directory, rollCycle, syncOnAppend, newClock, maxSizeBytes, quotaPolicy);
    }

    public StoreSettings withSyncOnAppend(boolean sync) {
        return new StoreSettings(directory, rollCycle, sync, clock, maxSizeBytes, quotaPolicy);
    }

    public StoreSettings withRollCycle(String cycle) {
        return new StoreSettings(directory, cycle, syncOnAppend, clock, maxSizeBytes, quotaPolicy);
    }

    public StoreSettings withQuota(long maxBytes, QuotaPolicy policy) {
        return new StoreSettings(directory, rollCycle, syncOnAppend, clock, maxBytes, policy);
    }
}
