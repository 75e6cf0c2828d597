package io.gatehouse.agent.internal.restart;

import java.time.Instant;

/**
 * What the agent remembers of a module's restarts (the reference keeps this in its store, since a
 * runtime forgets it when a module is recreated).
 *
 * @param lastRestartTime null when never restarted by the agent
 */
public record RestartStats(int restartCount, Instant lastRestartTime) {

    public static final RestartStats NONE = new RestartStats(0, null);

    public RestartStats {
        if (restartCount < 0) throw new IllegalArgumentException("restartCount must be at least 0");
    }

    /** The stats to store once the agent has restarted the module at {@code now}. */
    public RestartStats restarted(Instant now) {
        return new RestartStats(restartCount + 1, now);
    }
}
