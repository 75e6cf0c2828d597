package io.gatehouse.agent.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.reconcile.Deployment;
import io.gatehouse.agent.internal.reconcile.ModuleReport;
import io.gatehouse.agent.internal.reconcile.PassOutcome;
import io.gatehouse.api.module.ModuleState;
import java.time.Instant;

/**
 * Builds the {@code $edgeAgent} reported properties in the reference's layout (§2.5–2.6):
 * schemaVersion, version, lastDesiredVersion, lastDesiredStatus, runtime, systemModules and
 * modules with the runtime fields beside the desired ones; plus {@code deployments}, the history
 * of deployments and rollbacks, which the reference does not have.
 */
public final class ReportedProperties {
    private final ObjectMapper json;
    private final String agentVersion;

    public ReportedProperties(ObjectMapper json, String agentVersion) {
        this.json = json;
        this.agentVersion = agentVersion;
    }

    public ObjectNode build(Deployment deployment, PassOutcome outcome, int code, String description,
            Instant agentStart, ArrayNode history, JsonNode lastRollback) {
        ObjectNode root = json.createObjectNode();
        root.put("schemaVersion", "1.0");
        ObjectNode version = root.putObject("version");
        version.put("version", agentVersion);
        version.put("build", agentVersion);
        version.put("commit", "");
        if (deployment != null) root.put("lastDesiredVersion", deployment.version());
        ObjectNode status = root.putObject("lastDesiredStatus");
        status.put("code", code);
        status.put("description", description);
        ObjectNode runtime = root.putObject("runtime");
        runtime.put("type", "gatehouse");
        ObjectNode platform = runtime.putObject("platform");
        platform.put("os", System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT));
        platform.put("architecture", System.getProperty("os.arch", ""));
        platform.put("version", System.getProperty("java.version", ""));
        ObjectNode system = root.putObject("systemModules");
        // Agent and hub are this process: they run while anyone can ask.
        for (String name : new String[] {"edgeAgent", "edgeHub"}) {
            ObjectNode m = system.putObject(name);
            m.put("type", "gatehouse");
            m.put("runtimeStatus", "running");
            m.put("lastStartTimeUtc", agentStart.toString());
            if (name.equals("edgeHub")) {
                m.put("status", "running");
                m.put("restartPolicy", "always");
            }
        }
        ObjectNode modules = root.putObject("modules");
        if (outcome != null) {
            for (ModuleReport r : outcome.modules()) modules.set(r.name(), module(r));
        }
        ObjectNode deployments = root.putObject("deployments");
        deployments.set("history", history);
        if (lastRollback != null) deployments.set("lastRollback", lastRollback);
        return root;
    }

    private ObjectNode module(ModuleReport r) {
        ObjectNode m = json.createObjectNode();
        ModuleDefinition d = r.desired();
        ModuleState s = r.current();
        if (d != null) {
            m.put("type", d.type());
            m.put("status", d.status().jsonName());
            m.put("restartPolicy", d.restartPolicy().jsonName());
            m.put("imagePullPolicy", d.imagePullPolicy().jsonName());
            m.put("version", d.version());
            m.put("startupOrder", d.startupOrder());
            ObjectNode env = m.putObject("env");
            d.env().forEach((k, v) -> env.putObject(k).put("value", v));
            m.set("settings", json.valueToTree(d.settings().asPlainValues()));
        } else if (s != null) {
            m.put("type", s.type());
            m.put("version", s.version());
        }
        m.put("runtimeStatus", r.status().jsonName());
        if (r.description() != null) m.put("statusDescription", r.description());
        if (s != null && s.exitCode() != null) m.put("exitCode", s.exitCode());
        if (s != null && s.lastStartTime() != null) m.put("lastStartTimeUtc", s.lastStartTime().toString());
        if (s != null && s.lastExitTime() != null) m.put("lastExitTimeUtc", s.lastExitTime().toString());
        m.put("restartCount", r.stats().restartCount());
        if (r.stats().lastRestartTime() != null) m.put("lastRestartTimeUtc", r.stats().lastRestartTime().toString());
        return m;
    }
}
