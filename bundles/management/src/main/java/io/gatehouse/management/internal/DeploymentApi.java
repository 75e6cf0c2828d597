package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.twin.InvalidTwinException;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/deployment}: takes a whole deployment manifest, checks its envelope and hands the
 * {@code $edgeHub} desired properties to the {@link EdgeHubConfigurator}, which applies all or
 * nothing. Answers {@code {"status", "description"}} like IoT Edge's deployment status.
 */
public final class DeploymentApi {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentApi.class);
    static final String MODULES_CONTENT = "modulesContent";
    static final String EDGE_HUB = "$edgeHub";
    static final String DESIRED = "properties.desired";

    static final String EDGE_AGENT = "$edgeAgent";

    private final EdgeHubConfigurator configurator;
    private final EdgeAgentConfigurator agent;
    private final ModuleTwins twins;
    private final ObjectMapper mapper;

    /** @param agent null when the agent bundle is not active: a manifest with $edgeAgent is then refused */
    public DeploymentApi(EdgeHubConfigurator configurator, EdgeAgentConfigurator agent, ObjectMapper mapper) {
        this(configurator, agent, null, mapper);
    }

    /** @param twins null when the twin bundle is not active: a manifest with module twins is then refused */
    DeploymentApi(EdgeHubConfigurator configurator, EdgeAgentConfigurator agent, ModuleTwins twins, ObjectMapper mapper) {
        this.configurator = configurator;
        this.agent = agent;
        this.twins = twins;
        this.mapper = mapper;
    }

    /**
     * POST: applies the manifest in {@code body}; {@code source} names it in the log. Both parts
     * are checked before either is applied, so a manifest refused for its modules leaves the routes
     * as they were, and the other way round. Refusals answer the reference's codes: 400 malformed,
     * 412 unsupported schemaVersion, 417 empty $edgeAgent.
     */
    public ApiResponse deploy(byte[] body, String source) {
        if (configurator == null) {
            return answer(503, "the edgeHub configurator is not available: it comes from the io.gatehouse.router "
                    + "bundle, which is not active (stopped, updating or not installed); nothing was changed");
        }
        String hubJson;
        String agentJson = null;
        Map<String, String> moduleTwins;
        try {
            ObjectNode manifest = JsonBodies.readObject(mapper, body, "the deployment manifest");
            ObjectNode modulesContent = objectField(manifest, MODULES_CONTENT, MODULES_CONTENT);
            moduleTwins = ModuleTwins.of(checkModules(modulesContent), mapper);
            if (!moduleTwins.isEmpty()) {
                if (twins == null) {
                    throw new ApiException(503, "the manifest has module twins (" + String.join(", ", moduleTwins.keySet())
                            + ") but the twin store is not available: it comes from the io.gatehouse.twin bundle, "
                            + "which is not active");
                }
                twins.validate(moduleTwins);
            }
            ObjectNode edgeHub = objectField(modulesContent, EDGE_HUB, MODULES_CONTENT + "." + EDGE_HUB);
            hubJson = mapper.writeValueAsString(objectField(edgeHub, DESIRED, MODULES_CONTENT + "." + EDGE_HUB + "." + DESIRED));
            if (modulesContent.has(EDGE_AGENT)) {
                ObjectNode edgeAgent = objectField(modulesContent, EDGE_AGENT, MODULES_CONTENT + "." + EDGE_AGENT);
                JsonNode desired = edgeAgent.get(DESIRED);
                if (desired == null) {
                    throw new ApiException(417, "This device has an empty configuration for the edge agent: "
                            + MODULES_CONTENT + "." + EDGE_AGENT + "." + DESIRED + " is missing");
                }
                agentJson = mapper.writeValueAsString(desired);
                if (agent == null) {
                    throw new ApiException(503, "the manifest has $edgeAgent modules but the agent is not available: "
                            + "it comes from the io.gatehouse.agent bundle, which is not active");
                }
            }
        } catch (ApiException e) {
            LOG.warn("Refused deployment from {}: {}", source, e.reason());
            return answer(e.status(), e.reason() + "; nothing was changed");
        } catch (JsonProcessingException e) {
            return answer(400, "could not re-serialise the desired properties: " + e.getOriginalMessage());
        }
        try {
            if (agentJson != null) agent.validate(agentJson);
        } catch (InvalidConfigurationException e) {
            return refused(source, e.status(), "$edgeAgent desired properties refused: " + e.getMessage());
        }
        try {
            configurator.validate(hubJson);
            configurator.apply(hubJson);
        } catch (InvalidConfigurationException e) {
            return refused(source, e.status(), "$edgeHub desired properties refused: " + e.getMessage());
        }
        StringBuilder description = new StringBuilder("$edgeHub desired properties applied");
        if (agentJson != null) {
            try {
                agent.apply(agentJson);
                description.append("; $edgeAgent deployment accepted, modules are being reconciled (see GET /api/agent)");
            } catch (InvalidConfigurationException e) {
                // validated a moment ago: only storing it can fail here
                LOG.error("Deployment from {}: routes applied but the modules were not: {}", source, e.getMessage());
                return answer(500, "$edgeHub desired properties applied, but the $edgeAgent deployment was not: "
                        + e.getMessage());
            }
        } else {
            description.append("; no $edgeAgent in the manifest: the modules in force are unchanged");
        }
        if (!moduleTwins.isEmpty()) {
            try {
                twins.apply(moduleTwins);
                description.append("; desired properties of module twins applied: ")
                        .append(String.join(", ", moduleTwins.keySet()));
            } catch (IOException | InvalidTwinException e) {
                // validated a moment ago: only storing them can fail here
                LOG.error("Deployment from {}: module twins not applied: {}", source, e.getMessage());
                return answer(500, description + ", but the module twins were not: " + e.getMessage());
            }
        }
        LOG.info("Applied deployment from {}", source);
        return answer(200, description.toString());
    }

    private static ApiResponse refused(String source, int status, String reason) {
        LOG.warn("Refused deployment from {}: {}", source, reason);
        return answer(status, reason + "; nothing was changed");
    }

    /** GET: the {@code $edgeHub} desired properties in force. */
    public ApiResponse current() {
        if (configurator == null) {
            return answer(503, "the edgeHub configurator is not available: it comes from the io.gatehouse.router "
                    + "bundle, which is not active (stopped, updating or not installed)");
        }
        String current = configurator.current();
        if (current == null) {
            return answer(404, "no deployment has been applied yet");
        }
        try {
            return ApiResponse.ok(mapper.readTree(current));
        } catch (JsonProcessingException e) {
            return answer(500, "the configuration in force is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Every entry of modulesContent must be an object; returns the module twins' entries (all but
     * $edgeHub and $edgeAgent).
     */
    static Map<String, JsonNode> checkModules(ObjectNode modulesContent) throws ApiException {
        Map<String, JsonNode> moduleTwins = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = modulesContent.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> module = it.next();
            if (!module.getValue().isObject()) {
                throw new ApiException(400, MODULES_CONTENT + "." + module.getKey() + " must be a JSON object, not "
                        + JsonBodies.describe(module.getValue()));
            }
            if (!module.getKey().equals(EDGE_HUB) && !module.getKey().equals(EDGE_AGENT)) {
                moduleTwins.put(module.getKey(), module.getValue());
            }
        }
        return moduleTwins;
    }

    static ObjectNode objectField(ObjectNode parent, String field, String path) throws ApiException {
        JsonNode value = parent.get(field);
        if (value == null) {
            throw new ApiException(400, path + " is missing");
        }
        if (!value.isObject()) {
            throw new ApiException(400, path + " must be a JSON object, not " + JsonBodies.describe(value));
        }
        return (ObjectNode) value;
    }

    static ApiResponse answer(int status, String description) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", status);
        body.put("description", description);
        return new ApiResponse(status, body);
    }
}
