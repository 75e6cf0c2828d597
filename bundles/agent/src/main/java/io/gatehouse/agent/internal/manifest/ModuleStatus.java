package io.gatehouse.agent.internal.manifest;

import java.util.Locale;
import java.util.Optional;

/**
 * A module's status as the reference reports it. A manifest may only ask for {@link #RUNNING} or
 * {@link #STOPPED}; the other values are what the agent reports.
 */
public enum ModuleStatus {
    UNKNOWN,
    BACKOFF,
    RUNNING,
    UNHEALTHY,
    /** Exited with code 0, or stopped on request. */
    STOPPED,
    /** Exited with a code other than 0, or the agent gave up restarting it. */
    FAILED,
    /** Could not be removed. */
    DEAD;

    /** The manifest / reported-properties spelling. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A desired status: {@code running} or {@code stopped}, any case (as the reference's enum converter). */
    static Optional<ModuleStatus> desired(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("running")) return Optional.of(RUNNING);
        if (t.equals("stopped")) return Optional.of(STOPPED);
        return Optional.empty();
    }
}
