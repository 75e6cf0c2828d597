package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    private final EdgeHubConfigurator configurator;
    private final ObjectMapper mapper;

    public DeploymentApi(EdgeHubConfigurator configurator, ObjectMapper mapper) {
        this.configurator = configurator;
        this.mapper = mapper;
    }

    /** POST: applies the manifest in {@code body}; {@code source} names it in the log. */
    public ApiResponse deploy(byte[] body, String source) {
        if (configurator == null) {
            return answer(503, "the edgeHub configurator is not available: it comes from the io.gatehouse.router "
                    + "bundle, which is not active (stopped, updating or not installed); nothing was changed");
        }
        String desiredJson;
        List<String> notApplied;
        try {
            ObjectNode manifest = JsonBodies.readObject(mapper, body, "the deployment manifest");
            ObjectNode modulesContent = objectField(manifest, MODULES_CONTENT, MODULES_CONTENT);
            notApplied = checkModules(modulesContent);
            ObjectNode edgeHub = objectField(modulesContent, EDGE_HUB, MODULES_CONTENT + "." + EDGE_HUB);
            ObjectNode desired = objectField(edgeHub, DESIRED, MODULES_CONTENT + "." + EDGE_HUB + "." + DESIRED);
            desiredJson = mapper.writeValueAsString(desired);
        } catch (ApiException e) {
            LOG.warn("Refused deployment from {}: {}", source, e.reason());
            return answer(e.status(), e.reason() + "; nothing was changed");
        } catch (JsonProcessingException e) {
            return answer(400, "could not re-serialise $edgeHub desired properties: " + e.getOriginalMessage());
        }
        try {
            configurator.apply(desiredJson);
        } catch (InvalidConfigurationException e) {
            LOG.warn("Refused deployment from {}: {}", source, e.getMessage());
            return answer(400, "$edgeHub desired properties refused: " + e.getMessage() + "; nothing was changed");
        }
        StringBuilder description = new StringBuilder("$edgeHub desired properties applied");
        if (!notApplied.isEmpty()) {
            description.append("; not applied (module deployment is not implemented yet): ")
                    .append(String.join(", ", notApplied));
        }
        LOG.info("Applied deployment from {}", source);
        return answer(200, description.toString());
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
     * Every entry of modulesContent must be an object; the ones other than $edgeHub are accepted
     * but not applied (the agent and module twins come later), and the answer says so.
     */
    private static List<String> checkModules(ObjectNode modulesContent) throws ApiException {
        List<String> notApplied = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = modulesContent.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> module = it.next();
            if (!module.getValue().isObject()) {
                throw new ApiException(400, MODULES_CONTENT + "." + module.getKey() + " must be a JSON object, not "
                        + JsonBodies.describe(module.getValue()));
            }
            if (!module.getKey().equals(EDGE_HUB)) {
                notApplied.add(module.getKey());
            }
        }
        return notApplied;
    }

    private static ObjectNode objectField(ObjectNode parent, String field, String path) throws ApiException {
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
