package io.gatehouse.agent.internal.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One module as the deployment wants it.
 *
 * @param type {@code docker}, {@code process} or {@code bundle}: the {@code ModuleRuntime} that runs it
 * @param version the manifest's free-form version; empty when absent
 * @param startupOrder 0 to 4294967295, lower first
 * @param env variable name to value, in manifest order
 */
public record ModuleDefinition(String name, String type, String version, ModuleStatus status,
        RestartPolicy restartPolicy, ImagePullPolicy imagePullPolicy, long startupOrder,
        Map<String, String> env, ModuleSettings settings) {

    /** uint.MaxValue: modules without a startupOrder start after every module that has one. */
    public static final long DEFAULT_STARTUP_ORDER = 0xFFFF_FFFFL;

    public ModuleDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        Objects.requireNonNull(imagePullPolicy, "imagePullPolicy");
        Objects.requireNonNull(settings, "settings");
        if (startupOrder < 0 || startupOrder > DEFAULT_STARTUP_ORDER) {
            throw new IllegalArgumentException("startupOrder out of range: " + startupOrder);
        }
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    public ModuleDefinition withStatus(ModuleStatus newStatus) {
        return new ModuleDefinition(name, type, version, newStatus, restartPolicy, imagePullPolicy, startupOrder,
                env, settings);
    }

    /** Everything but the desired status is the same: a change of status alone is a start or a stop, not an update. */
    public boolean sameConfigAs(ModuleDefinition other) {
        return other != null && equals(other.withStatus(status));
    }

    /** Env values may be secrets (connection strings, keys): only their names are shown. */
    @Override
    public String toString() {
        return "ModuleDefinition[name=" + name + ", type=" + type + ", version=" + version + ", status="
                + status.jsonName() + ", restartPolicy=" + restartPolicy.jsonName() + ", imagePullPolicy="
                + imagePullPolicy.jsonName() + ", startupOrder=" + startupOrder + ", env=" + env.keySet()
                + ", image=" + settings.image() + "]";
    }
}
