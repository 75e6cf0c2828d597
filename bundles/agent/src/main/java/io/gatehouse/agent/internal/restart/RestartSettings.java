package io.gatehouse.agent.internal.restart;

import java.time.Duration;
import java.util.Objects;

/**
 * The restart policy's numbers.
 *
 * @param maxRestartCount restarts after which the agent gives up and reports the module failed
 * @param coolOffTimeUnit the first cool-off; each restart doubles it
 * @param maxCoolOff the cool-off never exceeds this
 * @param intensiveCareTime a module running longer than this has its restart count cleared
 */
public record RestartSettings(int maxRestartCount, Duration coolOffTimeUnit, Duration maxCoolOff,
        Duration intensiveCareTime) {

    /** The reference's: 20 restarts, 10 s doubling up to 300 s, 10 min of intensive care. */
    public static final RestartSettings DEFAULTS = new RestartSettings(20, Duration.ofSeconds(10),
            Duration.ofSeconds(300), Duration.ofMinutes(10));

    public RestartSettings {
        Objects.requireNonNull(coolOffTimeUnit, "coolOffTimeUnit");
        Objects.requireNonNull(maxCoolOff, "maxCoolOff");
        Objects.requireNonNull(intensiveCareTime, "intensiveCareTime");
        if (maxRestartCount < 0) throw new IllegalArgumentException("maxRestartCount must be at least 0");
        if (coolOffTimeUnit.isNegative() || maxCoolOff.isNegative() || intensiveCareTime.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }
}
