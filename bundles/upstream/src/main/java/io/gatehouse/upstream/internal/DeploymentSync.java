package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.deployment.EdgeAgentConfigurator;
import io.gatehouse.api.deployment.EdgeHubConfigurator;
import io.gatehouse.api.deployment.InvalidConfigurationException;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the deployment from the parent's {@code $edgeAgent} and {@code $edgeHub} twins: when the
 * pair of desired versions is new, both are validated, then the hub's is applied and the agent's.
 * A refusal changes nothing here and is reported upstream. Used from one thread.
 */
final class DeploymentSync {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentSync.class);

    private final TwinClient twins;
    private final AppliedTwins appliedFile;
    private final AgentStateReporter reporter;
    private final Supplier<EdgeAgentConfigurator> agent;
    private final Supplier<EdgeHubConfigurator> hub;
    private final ObjectMapper json;
    private AppliedTwins.Versions applied;
    private AppliedTwins.Versions refused;

    DeploymentSync(TwinClient twins, AppliedTwins appliedFile, AgentStateReporter reporter,
            Supplier<EdgeAgentConfigurator> agent, Supplier<EdgeHubConfigurator> hub, ObjectMapper json) {
        this.twins = twins;
        this.appliedFile = appliedFile;
        this.reporter = reporter;
        this.agent = agent;
        this.hub = hub;
        this.json = json;
        this.applied = appliedFile.load();
    }

    /**
     * Reads both twins and applies their deployment if it is new.
     *
     * @throws UpstreamException when a twin could not be read or a configurator failed unexpectedly:
     *         try again later
     */
    void sync(ParentChannel agentTwin, ParentChannel hubTwin) throws UpstreamException {
        ObjectNode agentDesired = desired(twins.get(agentTwin), agentTwin);
        ObjectNode hubDesired = desired(twins.get(hubTwin), hubTwin);
        AppliedTwins.Versions versions = new AppliedTwins.Versions(version(agentDesired), version(hubDesired));
        ObjectNode agentProperties = stripped(agentDesired);
        ObjectNode hubProperties = stripped(hubDesired);
        if (agentProperties.isEmpty()) {
            LOG.debug("the $edgeAgent twin has no desired properties: nothing is deployed yet");
            return;
        }
        if (versions.equals(applied) || versions.equals(refused)) return;
        EdgeAgentConfigurator agentConfigurator = agent.get();
        EdgeHubConfigurator hubConfigurator = hub.get();
        if (agentConfigurator == null || hubConfigurator == null) {
            LOG.info("deployment ($edgeAgent desired version {}, $edgeHub {}) waits for the {} service",
                    versions.edgeAgent(), versions.edgeHub(),
                    agentConfigurator == null ? "EdgeAgentConfigurator" : "EdgeHubConfigurator");
            return;
        }
        // The agent reports the twin's $version back as lastDesiredVersion: it keeps that one.
        ObjectNode agentManifest = agentProperties.deepCopy();
        if (agentDesired.has("$version")) agentManifest.set("$version", agentDesired.get("$version"));
        String agentJson = agentManifest.toString();
        String hubJson = hubProperties.toString();
        try {
            hubConfigurator.validate(hubJson);
            agentConfigurator.validate(agentJson);
            hubConfigurator.apply(hubJson);
            agentConfigurator.apply(agentJson);
        } catch (InvalidConfigurationException e) {
            refuse(versions, e);
            return;
        } catch (RuntimeException e) {
            throw new UpstreamException("applying the deployment failed: " + e, e);
        }
        applied = versions;
        refused = null;
        reporter.applied();
        try {
            appliedFile.save(versions);
        } catch (IOException e) {
            LOG.warn("cannot record the applied deployment versions ({}); a restart will apply them again",
                    e.getMessage());
        }
        LOG.info("applied the deployment from the parent: $edgeAgent desired version {}, $edgeHub {}",
                versions.edgeAgent(), versions.edgeHub());
    }

    private void refuse(AppliedTwins.Versions versions, InvalidConfigurationException e) {
        refused = versions;
        LOG.warn("refused the deployment from the parent ($edgeAgent desired version {}, $edgeHub {}): {} {}",
                versions.edgeAgent(), versions.edgeHub(), e.status(), e.getMessage());
        reporter.refused(versions.edgeAgent(), e.status(), String.valueOf(e.getMessage()));
    }

    private static ObjectNode desired(JsonNode twin, ParentChannel from) throws UpstreamException {
        JsonNode desired = twin.get("desired");
        if (desired == null || desired.isNull()) return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (!desired.isObject()) {
            throw new UpstreamException("the twin of " + from.identity() + " has desired properties that are not an object");
        }
        return (ObjectNode) desired;
    }

    private static long version(ObjectNode desired) {
        JsonNode v = desired.get("$version");
        return v != null && v.canConvertToLong() ? v.asLong() : 0;
    }

    private static ObjectNode stripped(ObjectNode desired) {
        ObjectNode copy = desired.deepCopy();
        copy.remove("$version");
        copy.remove("$metadata");
        return copy;
    }
}
