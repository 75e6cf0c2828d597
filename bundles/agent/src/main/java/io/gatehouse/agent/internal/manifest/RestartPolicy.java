package io.gatehouse.agent.internal.manifest;

import java.util.Locale;
import java.util.Optional;

/** When the agent restarts a module that is not running. Declared in the reference's order, which comparisons rely on. */
public enum RestartPolicy {
    NEVER("never"),
    ON_FAILURE("on-failure"),
    ON_UNHEALTHY("on-unhealthy"),
    ALWAYS("always");

    /** User modules without a restartPolicy get this one (the reference's DefaultRestartPolicy). */
    public static final RestartPolicy DEFAULT = ON_UNHEALTHY;

    private final String jsonName;

    RestartPolicy(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    static Optional<RestartPolicy> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (RestartPolicy p : values()) {
            if (p.jsonName.equals(t)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
