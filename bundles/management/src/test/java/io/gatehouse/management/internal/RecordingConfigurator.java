package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small in-test configurator: the real one lives in the router bundle (another team's). All or
 * nothing like the contract says; it refuses any schemaVersion other than 1.x, so tests can see a
 * refusal leave the previous configuration in force.
 */
final class RecordingConfigurator implements EdgeHubConfigurator {
    private final ObjectMapper mapper = new ObjectMapper();
    private String current;
    final List<String> applied = new ArrayList<>();

    RecordingConfigurator() {
    }

    RecordingConfigurator(String current) {
        this.current = current;
    }

    @Override
    public synchronized void apply(String desiredPropertiesJson) throws InvalidConfigurationException {
        validate(desiredPropertiesJson);
        current = desiredPropertiesJson;
        applied.add(desiredPropertiesJson);
    }

    @Override
    public void validate(String desiredPropertiesJson) throws InvalidConfigurationException {
        JsonNode desired;
        try {
            desired = mapper.readTree(desiredPropertiesJson);
        } catch (IOException e) {
            throw new InvalidConfigurationException("not JSON", e);
        }
        String schema = desired.path("schemaVersion").asText("");
        if (!schema.startsWith("1.")) {
            throw new InvalidConfigurationException("schemaVersion \"" + schema + "\" is not supported");
        }
    }

    @Override
    public synchronized String current() {
        return current;
    }
}
