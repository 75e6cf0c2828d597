package io.gatehouse.agent.internal.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.restart.RestartStats;
import io.gatehouse.agent.internal.state.AgentStateStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definition each module was last created or changed with, and its restart statistics, kept
 * in the agent's state directory. A runtime knows a module's name, type and version only, so this
 * is what tells the planner an updated definition from a change of status, also after a restart.
 */
public final class AppliedModules {
    private static final Logger LOG = LoggerFactory.getLogger(AppliedModules.class);

    private final AgentStateStore store;
    private final Map<String, ModuleDefinition> definitions = new LinkedHashMap<>();
    private final Map<String, JsonNode> json = new LinkedHashMap<>();
    private final Map<String, RestartStats> stats = new LinkedHashMap<>();
    private boolean changed;

    public AppliedModules(AgentStateStore store, DeploymentReader reader) {
        this.store = store;
        json.putAll(store.appliedModules());
        definitions.putAll(reader.definitions(json));
        stats.putAll(store.restartStats());
    }

    public Map<String, ModuleDefinition> definitions() {
        return Map.copyOf(definitions);
    }

    void remember(ModuleDefinition d, JsonNode node) {
        definitions.put(d.name(), d);
        if (node != null) json.put(d.name(), node);
        changed = true;
    }

    void forget(String name) {
        definitions.remove(name);
        json.remove(name);
        stats.remove(name);
        changed = true;
    }

    public RestartStats stats(String name) {
        return stats.getOrDefault(name, RestartStats.NONE);
    }

    void putStats(String name, RestartStats s) {
        stats.put(name, s);
        changed = true;
    }

    void resetStats(String name) {
        if (stats.remove(name) != null) changed = true;
    }

    /** Writes what changed; a disk that refuses costs the memory of it after a restart, not the pass. */
    void save() {
        if (!changed) return;
        try {
            store.saveAppliedModules(json);
            store.saveRestartStats(stats);
            changed = false;
        } catch (IOException e) {
            LOG.warn("Could not store the agent's module state in {}: {}", store.directory(), e.toString());
        }
    }
}
