package io.gatehouse.api.deployment;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Takes the {@code $edgeAgent} desired properties of a deployment manifest (the modules to run).
 * All or nothing: a refused manifest changes nothing that runs.
 */
@ProviderType
public interface EdgeAgentConfigurator {

    /**
     * Checks the desired properties as {@link #apply} would, without applying them.
     *
     * @throws InvalidConfigurationException whose {@link InvalidConfigurationException#status()} is
     *         400 (malformed), 412 (schemaVersion not supported) or 417 (empty)
     */
    void validate(String desiredPropertiesJson) throws InvalidConfigurationException;

    /**
     * Makes the manifest the deployment in force: it is stored before this returns, so it survives
     * a restart, and the agent brings the modules to it in the background (its progress is in the
     * agent's reported properties).
     *
     * @param desiredPropertiesJson the JSON object under {@code $edgeAgent.properties.desired}
     * @throws InvalidConfigurationException as {@link #validate}; nothing changed
     */
    void apply(String desiredPropertiesJson) throws InvalidConfigurationException;

    /** The JSON of the deployment in force, or null before the first one. */
    String current();
}
