package io.gatehouse.agent.internal.manifest;

import java.util.Objects;

/** The {@code runtime} section: the container runtime and its settings. */
public record RuntimeConfig(String type, RuntimeSettings settings) {

    /** What a manifest without a runtime section gets: Gatehouse can run modules without Docker. */
    public static final RuntimeConfig NONE = new RuntimeConfig("docker", RuntimeSettings.EMPTY);

    public RuntimeConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(settings, "settings");
    }
}
