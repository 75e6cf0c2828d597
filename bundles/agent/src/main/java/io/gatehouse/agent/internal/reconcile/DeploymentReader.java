package io.gatehouse.agent.internal.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.agent.internal.manifest.EdgeAgentManifest;
import io.gatehouse.agent.internal.manifest.EdgeAgentManifestParser;
import io.gatehouse.agent.internal.manifest.InvalidManifestException;
import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns stored or submitted JSON into a {@link Deployment}, or into module definitions. */
public final class DeploymentReader {
    private final EdgeAgentManifestParser parser = new EdgeAgentManifestParser();
    private final ObjectMapper json;

    public DeploymentReader(ObjectMapper json) {
        this.json = json;
    }

    public Deployment read(String desiredJson) throws InvalidManifestException {
        EdgeAgentManifest manifest = parser.parse(desiredJson);
        Map<String, JsonNode> modules = new LinkedHashMap<>();
        try {
            JsonNode root = json.readTree(desiredJson);
            root.path("modules").properties().forEach(e -> modules.put(e.getKey(), e.getValue()));
        } catch (IOException e) {
            throw new IllegalStateException("the parser accepted JSON that Jackson cannot read again", e);
        }
        return new Deployment(manifest, desiredJson, modules);
    }

    /** Definitions stored by an earlier run; one that no longer parses is left out (its module is then recreated). */
    public Map<String, ModuleDefinition> definitions(Map<String, JsonNode> moduleJson) {
        Map<String, ModuleDefinition> definitions = new LinkedHashMap<>();
        moduleJson.forEach((name, node) -> {
            ObjectNode root = json.createObjectNode();
            root.put("schemaVersion", "1.1");
            root.putObject("systemModules");
            root.putObject("modules").set(name, node);
            try {
                ModuleDefinition d = parser.parse(root).modules().get(name);
                if (d != null) definitions.put(name, d);
            } catch (InvalidManifestException e) {
                // treated as unknown: the planner recreates the module from the deployment
            }
        });
        return definitions;
    }
}
