package io.gatehouse.management.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Checks $edgeAgent desired properties as the agent does for its status codes, and records what it applied. */
final class RecordingAgentConfigurator implements EdgeAgentConfigurator {
    private final ObjectMapper mapper = new ObjectMapper();
    final List<String> applied = new ArrayList<>();

    @Override
    public void validate(String desiredPropertiesJson) throws InvalidConfigurationException {
        JsonNode desired;
        try {
            desired = mapper.readTree(desiredPropertiesJson);
        } catch (IOException e) {
            throw new InvalidConfigurationException(400, "not JSON");
        }
        if (desired == null || !desired.isObject()) throw new InvalidConfigurationException(400, "not an object");
        if (desired.isEmpty()) throw new InvalidConfigurationException(417, "empty configuration for the edge agent");
        if (!desired.path("schemaVersion").asText("").startsWith("1.")) {
            throw new InvalidConfigurationException(412, "Invalid schema version");
        }
    }

    @Override
    public synchronized void apply(String desiredPropertiesJson) throws InvalidConfigurationException {
        validate(desiredPropertiesJson);
        applied.add(desiredPropertiesJson);
    }

    @Override
    public synchronized String current() {
        return applied.isEmpty() ? null : applied.get(applied.size() - 1);
    }
}
