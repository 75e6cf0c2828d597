package io.gatehouse.agent.internal.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.agent.internal.manifest.EdgeAgentManifest;
import java.util.Map;
import java.util.Objects;

/**
 * A validated {@code $edgeAgent} manifest with the JSON it came from.
 *
 * @param json the desired properties as applied (what is stored and reported back)
 * @param moduleJson each user module's own JSON, stored as the module's last applied definition
 */
public record Deployment(EdgeAgentManifest manifest, String json, Map<String, JsonNode> moduleJson) {
    public Deployment {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(json, "json");
        moduleJson = Map.copyOf(moduleJson);
    }

    /** The manifest's {@code $version}, or a version derived from the content when it has none. */
    public String version() {
        return manifest.desiredVersion() != null ? manifest.desiredVersion().toString()
                : Integer.toHexString(json.hashCode());
    }
}
