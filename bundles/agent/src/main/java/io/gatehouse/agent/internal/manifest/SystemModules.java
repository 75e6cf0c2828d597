package io.gatehouse.agent.internal.manifest;

import java.util.Optional;

/**
 * The {@code systemModules} section. edgeAgent's status, restart policy and startup order are fixed
 * (running, always, 0); edgeHub's status is required and its restart policy defaults to always.
 */
public record SystemModules(Optional<ModuleDefinition> edgeAgent, Optional<ModuleDefinition> edgeHub) {

    public static final String EDGE_AGENT = "edgeAgent";
    public static final String EDGE_HUB = "edgeHub";
}
