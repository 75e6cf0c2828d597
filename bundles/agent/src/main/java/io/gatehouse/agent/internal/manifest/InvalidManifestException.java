package io.gatehouse.agent.internal.manifest;

import io.gatehouse.api.deployment.InvalidConfigurationException;

/**
 * The {@code $edgeAgent} desired properties were refused. The message is the description to report
 * and never holds a secret (registry passwords, env values).
 */
public final class InvalidManifestException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;

    private final DeploymentStatusCode code;

    InvalidManifestException(DeploymentStatusCode code, String description) {
        super(code.code(), description);
        this.code = code;
    }

    public DeploymentStatusCode code() {
        return code;
    }

    public DeploymentStatus deploymentStatus() {
        return new DeploymentStatus(code, getMessage());
    }

    static InvalidManifestException format(String what) {
        return new InvalidManifestException(DeploymentStatusCode.CONFIG_FORMAT_ERROR,
                "Agent configuration format is invalid: " + what);
    }

    static InvalidManifestException module(String module, String what) {
        return format("module '" + module + "': " + what);
    }

    static InvalidManifestException schemaVersion(String what) {
        return new InvalidManifestException(DeploymentStatusCode.INVALID_SCHEMA_VERSION,
                "Invalid schema version: " + what);
    }

    static InvalidManifestException empty() {
        return new InvalidManifestException(DeploymentStatusCode.CONFIG_EMPTY_ERROR,
                "This device has an empty configuration for the edge agent. Set a deployment manifest"
                        + " ($edgeAgent desired properties with schemaVersion, systemModules and modules).");
    }
}
