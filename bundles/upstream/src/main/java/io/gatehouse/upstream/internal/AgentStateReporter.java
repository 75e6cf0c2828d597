package io.gatehouse.upstream.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.api.agent.EdgeAgentOperations;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the agent's reported properties to the parent's {@code $edgeAgent} twin when they
 * changed: the whole document first, then merge patches against the last one the parent took. A
 * deployment refused here overrides {@code lastDesiredVersion}/{@code lastDesiredStatus} until a
 * later one is applied (the agent never saw it). Used from one thread.
 */
final class AgentStateReporter {
    private static final Logger LOG = LoggerFactory.getLogger(AgentStateReporter.class);

    private final TwinClient twins;
    private final ObjectMapper json;
    private final Supplier<EdgeAgentOperations> operations;
    private ObjectNode lastPushed;
    private ObjectNode lastRejected;
    private ObjectNode refusal;
    private boolean warnedRejected;
    private boolean deploymentsLeftOut;

    AgentStateReporter(TwinClient twins, ObjectMapper json, Supplier<EdgeAgentOperations> operations) {
        this.twins = twins;
        this.json = json;
        this.operations = operations;
    }

    /** A deployment was refused here: report it as the last desired status. */
    void refused(long desiredVersion, int code, String description) {
        ObjectNode r = json.createObjectNode();
        r.put("lastDesiredVersion", desiredVersion);
        ObjectNode status = r.putObject("lastDesiredStatus");
        status.put("code", code);
        status.put("description", description);
        refusal = r;
    }

    /** A deployment was applied: the agent's own status counts again. */
    void applied() {
        refusal = null;
    }

    /** Pushes what changed since the last push, if anything did. */
    void report(ParentChannel agentTwin) throws UpstreamException {
        ObjectNode document = document();
        if (document == null || document.equals(lastPushed) || document.equals(lastRejected)) return;
        ObjectNode patch = lastPushed == null ? document : JsonMergeDiff.diff(lastPushed, document);
        if (patch.isEmpty()) {
            lastPushed = document;
            return;
        }
        Requests.Response r = twins.patchReported(agentTwin, patch);
        if (r.success()) {
            lastPushed = document;
            lastRejected = null;
            warnedRejected = false;
        } else if (r.status() == 400) {
            lastRejected = document;
            if (!warnedRejected) {
                LOG.warn("the parent refused the agent's reported properties: {}", TwinClient.brief(r.text()));
                warnedRejected = true;
            }
        } else {
            throw new UpstreamException("reported patch of " + agentTwin.identity() + " answered " + r.status()
                    + ": " + TwinClient.brief(r.text()));
        }
    }

    private ObjectNode document() {
        EdgeAgentOperations ops = operations.get();
        ObjectNode document;
        if (ops != null) {
            try {
                JsonNode parsed = json.readTree(ops.reportedProperties());
                if (parsed == null || !parsed.isObject()) return null;
                document = (ObjectNode) parsed;
            } catch (IOException | RuntimeException e) {
                LOG.debug("the agent's reported properties are not available", e);
                return null;
            }
        } else if (refusal != null) {
            document = json.createObjectNode();
        } else {
            return null;
        }
        if (refusal != null) document.setAll(refusal.deepCopy());
        return fitted(document);
    }

    /** Without the {@code deployments} section when the parent's rules would refuse it. */
    private ObjectNode fitted(ObjectNode document) {
        String violation = ReportedLimits.violation(document, json);
        if (violation == null || !document.has("deployments")) {
            deploymentsLeftOut = false;
            return document;
        }
        ObjectNode without = document.deepCopy();
        without.remove("deployments");
        if (ReportedLimits.violation(without, json) != null) return document;
        if (!deploymentsLeftOut) {
            LOG.info("the deployments section stays out of the reported properties sent upstream: {}", violation);
            deploymentsLeftOut = true;
        }
        return without;
    }
}
