package io.gatehouse.management.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.twin.InvalidTwinException;
import io.gatehouse.api.twin.TwinStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/deployment?device={child}}: a deployment for a child gateway below this one.
 * Nothing runs here. As IoT Hub does for a device it manages, the manifest's parts become the
 * desired properties of the child's twins on this gateway ({@code {child}/$edgeAgent},
 * {@code {child}/$edgeHub}, {@code {child}/{module}}), which the child's upstream connection
 * reads. The manifest is checked as a local one is (with the agent and router of this gateway,
 * which run the same code as the child's) and against the twin limits, all before the first
 * write, so a refused manifest changes no twin.
 */
final class ChildDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(ChildDeployment.class);

    private final IdentityRegistry registry;
    private final EdgeHubConfigurator hub;
    private final EdgeAgentConfigurator agent;
    private final TwinStore twins;
    private final ObjectMapper mapper;

    /**
     * @param agent null when the agent bundle is not active here: the {@code $edgeAgent} part is then
     *        stored unchecked (the child's agent still checks it)
     */
    ChildDeployment(IdentityRegistry registry, EdgeHubConfigurator hub, EdgeAgentConfigurator agent, TwinStore twins,
            ObjectMapper mapper) {
        this.registry = registry;
        this.hub = hub;
        this.agent = agent;
        this.twins = twins;
        this.mapper = mapper;
    }

    ApiResponse deploy(String child, byte[] body, String source) {
        Map<IdentityId, String> desired;
        try {
            checkChild(child);
            if (twins == null) {
                throw new ApiException(503, "the twin store is not available: it comes from the io.gatehouse.twin bundle, "
                        + "which is not active; a child's deployment is stored in its twins");
            }
            if (hub == null) {
                throw new ApiException(503, "the edgeHub configurator is not available to check the $edgeHub part: it "
                        + "comes from the io.gatehouse.router bundle, which is not active");
            }
            desired = checkedManifest(child, body);
        } catch (ApiException e) {
            LOG.warn("Refused deployment for {} from {}: {}", child, source, e.reason());
            return DeploymentApi.answer(e.status(), e.reason() + "; nothing was changed");
        }
        return store(child, desired, source);
    }

    private void checkChild(String child) throws ApiException {
        if (registry == null) {
            throw new ApiException(503, "the identity registry is not available: it comes from the io.gatehouse.auth "
                    + "bundle, which is not active");
        }
        Optional<Identity> identity = registry.get(IdentityId.device(child));
        if (identity.isEmpty()) {
            throw new ApiException(404, "device " + child + " is not registered; register the child gateway with "
                    + "POST /api/identities {\"deviceId\": \"" + child + "\", \"edgeDevice\": true}");
        }
        if (!identity.get().edgeDevice()) {
            throw new ApiException(400, "device " + child + " is not an edge device: only an edge gateway takes a "
                    + "deployment");
        }
    }

    /**
     * The twins to write and their desired properties, module twins first and {@code $edgeAgent}
     * last: the child acts on a new {@code $edgeAgent} version, and by then the rest is in place.
     */
    private Map<IdentityId, String> checkedManifest(String child, byte[] body) throws ApiException {
        String mc = DeploymentApi.MODULES_CONTENT;
        ObjectNode manifest = JsonBodies.readObject(mapper, body, "the deployment manifest");
        ObjectNode modulesContent = DeploymentApi.objectField(manifest, mc, mc);
        Map<String, String> moduleTwins = ModuleTwins.of(DeploymentApi.checkModules(modulesContent), mapper);
        for (String part : List.of(DeploymentApi.EDGE_AGENT, DeploymentApi.EDGE_HUB)) {
            if (!modulesContent.has(part)) {
                throw new ApiException(417, "a deployment for a child gateway needs both $edgeAgent and $edgeHub: "
                        + mc + "." + part + " is missing");
            }
        }
        ObjectNode edgeAgent = DeploymentApi.objectField(modulesContent, DeploymentApi.EDGE_AGENT, mc + "."
                + DeploymentApi.EDGE_AGENT);
        if (edgeAgent.get(DeploymentApi.DESIRED) == null) {
            throw new ApiException(417, "This device has an empty configuration for the edge agent: " + mc + "."
                    + DeploymentApi.EDGE_AGENT + "." + DeploymentApi.DESIRED + " is missing");
        }
        String agentJson = json(DeploymentApi.objectField(edgeAgent, DeploymentApi.DESIRED, mc + "."
                + DeploymentApi.EDGE_AGENT + "." + DeploymentApi.DESIRED));
        ObjectNode edgeHub = DeploymentApi.objectField(modulesContent, DeploymentApi.EDGE_HUB, mc + "."
                + DeploymentApi.EDGE_HUB);
        String hubJson = json(DeploymentApi.objectField(edgeHub, DeploymentApi.DESIRED, mc + "."
                + DeploymentApi.EDGE_HUB + "." + DeploymentApi.DESIRED));
        try {
            if (agent != null) agent.validate(agentJson);
        } catch (InvalidConfigurationException e) {
            throw new ApiException(e.status(), "$edgeAgent desired properties refused: " + e.getMessage());
        }
        try {
            hub.validate(hubJson);
        } catch (InvalidConfigurationException e) {
            throw new ApiException(e.status(), "$edgeHub desired properties refused: " + e.getMessage());
        }
        new ModuleTwins(twins, child).validate(moduleTwins);
        Map<IdentityId, String> desired = new LinkedHashMap<>();
        moduleTwins.forEach((module, json) -> desired.put(IdentityId.module(child, module), json));
        desired.put(IdentityId.module(child, DeploymentApi.EDGE_HUB), hubJson);
        desired.put(IdentityId.module(child, DeploymentApi.EDGE_AGENT), agentJson);
        for (Map.Entry<IdentityId, String> twin : desired.entrySet()) {
            try {
                twins.validate(twin.getValue());
            } catch (InvalidTwinException e) {
                throw new ApiException(400, "the desired properties of " + twin.getKey() + " are refused as a twin: "
                        + e.getMessage());
            }
        }
        return desired;
    }

    private ApiResponse store(String child, Map<IdentityId, String> desired, String source) {
        Map<IdentityId, String> before = new LinkedHashMap<>();
        try {
            for (IdentityId id : desired.keySet()) before.put(id, twins.get(id).desiredJson());
        } catch (IOException e) {
            return DeploymentApi.answer(507, "the twins of " + child + " could not be read: " + e.getMessage()
                    + "; nothing was changed");
        }
        List<IdentityId> written = new ArrayList<>();
        long agentVersion = 0;
        try {
            for (Map.Entry<IdentityId, String> twin : desired.entrySet()) {
                agentVersion = twins.replaceDesired(twin.getKey(), twin.getValue());
                written.add(twin.getKey());
            }
        } catch (InvalidTwinException | IOException e) {
            String undone = undo(written, before);
            LOG.error("Deployment for {} from {} was not stored: {}; {}", child, source, e.getMessage(), undone);
            boolean refused = e instanceof InvalidTwinException;
            return DeploymentApi.answer(refused ? 400 : 507, (refused ? "the twin store refused the deployment for "
                    : "the twin store could not store the deployment for ") + child + ": " + e.getMessage() + "; "
                    + undone);
        }
        LOG.info("Stored deployment for {} from {} in its twins: {}", child, source, desired.keySet());
        String description = "deployment for " + child + " stored in its twins ($edgeAgent version " + agentVersion + ")";
        if (agent == null) {
            description += "; its $edgeAgent part was not checked here (no agent on this gateway): the child's agent "
                    + "checks it";
        }
        return DeploymentApi.answer(200, description);
    }

    /** Puts back what the twins desired before this deployment, last written first; says how that went. */
    private String undo(List<IdentityId> written, Map<IdentityId, String> before) {
        if (written.isEmpty()) return "nothing was changed";
        List<IdentityId> stuck = new ArrayList<>();
        for (int i = written.size() - 1; i >= 0; i--) {
            IdentityId id = written.get(i);
            try {
                twins.replaceDesired(id, before.get(id));
            } catch (InvalidTwinException | IOException e) {
                stuck.add(id);
            }
        }
        return stuck.isEmpty() ? "the twins already written were put back" : "these twins could not be put back and hold "
                + "the new desired properties: " + stuck;
    }

    private String json(JsonNode node) throws ApiException {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "could not re-serialise the desired properties: " + e.getOriginalMessage());
        }
    }
}
