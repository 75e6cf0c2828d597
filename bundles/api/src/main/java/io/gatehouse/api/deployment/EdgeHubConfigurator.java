package io.gatehouse.api.deployment;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Applies the {@code $edgeHub} desired properties of a deployment manifest (routes,
 * store-and-forward settings). All or nothing: on refusal the previous configuration stays.
 */
@ProviderType
public interface EdgeHubConfigurator {

    /**
     * Checks the desired properties as {@link #apply} would, without applying them, so that a
     * deployment is refused whole when any of its parts is.
     *
     * @throws InvalidConfigurationException with the reason
     */
    void validate(String desiredPropertiesJson) throws InvalidConfigurationException;

    /**
     * @param desiredPropertiesJson the JSON object under {@code $edgeHub.properties.desired}
     * @throws InvalidConfigurationException with the reason; nothing changed
     */
    void apply(String desiredPropertiesJson) throws InvalidConfigurationException;

    /** The JSON of the configuration in force, or null before the first one. */
    String current();
}
