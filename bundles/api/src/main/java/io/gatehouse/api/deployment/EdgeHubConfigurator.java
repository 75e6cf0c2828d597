package io.gatehouse.api.deployment;

/**
 * Applies the {@code $edgeHub} desired properties of a deployment manifest (routes,
 * store-and-forward settings). All or nothing: on refusal the previous configuration stays.
 */
public interface EdgeHubConfigurator {

    /**
     * @param desiredPropertiesJson the JSON object under {@code $edgeHub.properties.desired}
     * @throws InvalidConfigurationException with the reason; nothing changed
     */
    void apply(String desiredPropertiesJson) throws InvalidConfigurationException;

    /** The JSON of the configuration in force, or null before the first one. */
    String current();
}
