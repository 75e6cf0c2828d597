package io.gatehouse.store.internal;

import java.util.Locale;

/** What the store does when an append would take it over its size quota. */
// Public only for the JMH benchmarks in benchmarks/jmh; the package is private to the bundle in OSGi.
public enum QuotaPolicy {
    /** The append fails: the publisher is not acknowledged and sends again later. */
    REJECT_NEW("reject-new"),
    /** The oldest queue files are passed without delivery (counted as dropped, reason quota) to make room. */
    DROP_OLDEST("drop-oldest");

    static final QuotaPolicy DEFAULT = REJECT_NEW;

    private final String configName;

    QuotaPolicy(String configName) {
        this.configName = configName;
    }

    String configName() {
        return configName;
    }

    /** The policy a configuration value names, or null when it names none. */
    static QuotaPolicy parse(String value) {
        if (value == null) return null;
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (QuotaPolicy policy : values()) {
            if (policy.configName.equals(wanted)) return policy;
        }
        return null;
    }
}
