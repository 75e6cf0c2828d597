package io.gatehouse.agent.internal.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.agent.internal.restart.RestartStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent keeps on disk so that a gateway rebooted without an uplink starts its last
 * deployment from local state: the deployment in force, the last one that proved good, the
 * definitions last applied to each module (which tell an update from a status change), the
 * restart counts, and the history of deployments. Every file is written to a temporary name and
 * renamed, so a crash leaves the old file or the new one, never half of one.
 */
public final class AgentStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(AgentStateStore.class);
    static final String DEPLOYMENT = "deployment.json";
    static final String LAST_GOOD = "last-good.json";
    static final String APPLIED = "applied-modules.json";
    static final String RESTARTS = "restart-stats.json";
    static final String HISTORY = "history.json";

    private final Path directory;
    private final ObjectMapper json;

    public AgentStateStore(Path directory, ObjectMapper json) {
        this.directory = directory;
        this.json = json;
    }

    public Path directory() {
        return directory;
    }

    public String deployment() {
        return read(DEPLOYMENT);
    }

    public void saveDeployment(String desiredJson) throws IOException {
        write(DEPLOYMENT, desiredJson);
    }

    public String lastGood() {
        return read(LAST_GOOD);
    }

    public void saveLastGood(String desiredJson) throws IOException {
        write(LAST_GOOD, desiredJson);
    }

    /** Module name → the module's JSON as it was last applied. */
    public Map<String, JsonNode> appliedModules() {
        Map<String, JsonNode> modules = new LinkedHashMap<>();
        JsonNode root = tree(APPLIED);
        if (root != null && root.isObject()) root.properties().forEach(e -> modules.put(e.getKey(), e.getValue()));
        return modules;
    }

    public void saveAppliedModules(Map<String, JsonNode> modules) throws IOException {
        ObjectNode root = json.createObjectNode();
        modules.forEach(root::set);
        write(APPLIED, json.writeValueAsString(root));
    }

    public Map<String, RestartStats> restartStats() {
        Map<String, RestartStats> stats = new LinkedHashMap<>();
        JsonNode root = tree(RESTARTS);
        if (root == null || !root.isObject()) return stats;
        root.properties().forEach(e -> {
            JsonNode n = e.getValue();
            String last = n.path("lastRestartTimeUtc").asText(null);
            try {
                stats.put(e.getKey(), new RestartStats(Math.max(0, n.path("restartCount").asInt(0)),
                        last == null ? null : Instant.parse(last)));
            } catch (RuntimeException bad) {
                LOG.warn("Ignoring the stored restart statistics of module '{}': {}", e.getKey(), bad.toString());
            }
        });
        return stats;
    }

    public void saveRestartStats(Map<String, RestartStats> stats) throws IOException {
        ObjectNode root = json.createObjectNode();
        stats.forEach((name, s) -> {
            ObjectNode n = root.putObject(name);
            n.put("restartCount", s.restartCount());
            if (s.lastRestartTime() != null) n.put("lastRestartTimeUtc", s.lastRestartTime().toString());
        });
        write(RESTARTS, json.writeValueAsString(root));
    }

    public ArrayNode history() {
        JsonNode root = tree(HISTORY);
        return root != null && root.isArray() ? (ArrayNode) root : json.createArrayNode();
    }

    public void saveHistory(ArrayNode history) throws IOException {
        write(HISTORY, json.writeValueAsString(history));
    }

    private JsonNode tree(String file) {
        String text = read(file);
        if (text == null) return null;
        try {
            return json.readTree(text);
        } catch (IOException e) {
            LOG.warn("Ignoring the damaged agent state file {}: {}", directory.resolve(file), e.getMessage());
            return null;
        }
    }

    private String read(String file) {
        try {
            return Files.readString(directory.resolve(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("Could not read the agent state file {}: {}", directory.resolve(file), e.toString());
            return null;
        }
    }

    private void write(String file, String content) throws IOException {
        Files.createDirectories(directory);
        Path tmp = directory.resolve(file + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
