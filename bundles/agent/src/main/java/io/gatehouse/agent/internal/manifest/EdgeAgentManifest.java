package io.gatehouse.agent.internal.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code $edgeAgent} desired properties, validated.
 *
 * @param schemaVersion {@code 1.0} or {@code 1.1} as written (e.g. {@code 1.1.0})
 * @param desiredVersion the twin's {@code $version} (reported back as {@code lastDesiredVersion}),
 *        or null when the JSON has none
 * @param modules user modules by name, in manifest order
 */
public record EdgeAgentManifest(String schemaVersion, Long desiredVersion, RuntimeConfig runtime,
        SystemModules systemModules, Map<String, ModuleDefinition> modules) {

    public EdgeAgentManifest {
        Objects.requireNonNull(schemaVersion, "schemaVersion");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(systemModules, "systemModules");
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
    }
}
