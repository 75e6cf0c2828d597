package io.gatehouse.store.internal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a store is opened. {@code rollCycle} names a Chronicle {@code RollCycles} constant (the span
 * of one queue file); it applies to queues created from now on, existing queues keep theirs.
 */
record StoreSettings(Path directory, String rollCycle, boolean syncOnAppend, LongSupplier clock) {

    static final String DEFAULT_ROLL_CYCLE = "FAST_HOURLY";

    StoreSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(rollCycle, "rollCycle");
        Objects.requireNonNull(clock, "clock");
    }

    static StoreSettings of(Path directory) {
        return new StoreSettings(directory, DEFAULT_ROLL_CYCLE, false, System::currentTimeMillis);
    }

    StoreSettings withClock(LongSupplier newClock) {
        return new StoreSettings(directory, rollCycle, syncOnAppend, newClock);
    }

    StoreSettings withSyncOnAppend(boolean sync) {
        return new StoreSettings(directory, rollCycle, sync, clock);
    }

    StoreSettings withRollCycle(String cycle) {
        return new StoreSettings(directory, cycle, syncOnAppend, clock);
    }
}
