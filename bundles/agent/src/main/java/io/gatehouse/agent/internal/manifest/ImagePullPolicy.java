package io.gatehouse.agent.internal.manifest;

import java.util.Locale;
import java.util.Optional;

/** Whether a module's image is pulled when it is created. */
public enum ImagePullPolicy {
    ON_CREATE("on-create"),
    NEVER("never");

    public static final ImagePullPolicy DEFAULT = ON_CREATE;

    private final String jsonName;

    ImagePullPolicy(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    static Optional<ImagePullPolicy> parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (ImagePullPolicy p : values()) {
            if (p.jsonName.equals(t)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
