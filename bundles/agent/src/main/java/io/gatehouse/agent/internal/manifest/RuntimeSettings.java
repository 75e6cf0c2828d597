package io.gatehouse.agent.internal.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code runtime.settings} section: what a container runtime needs. Strings are empty when the
 * manifest gives none. Its {@code toString} is safe to log because {@link RegistryCredential}'s is.
 */
public record RuntimeSettings(String minDockerVersion, String loggingOptions,
        Map<String, RegistryCredential> registryCredentials) {

    public static final RuntimeSettings EMPTY = new RuntimeSettings("", "", Map.of());

    public RuntimeSettings {
        minDockerVersion = minDockerVersion == null ? "" : minDockerVersion;
        loggingOptions = loggingOptions == null ? "" : loggingOptions;
        registryCredentials = Collections.unmodifiableMap(new LinkedHashMap<>(registryCredentials));
    }
}
