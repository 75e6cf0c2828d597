package io.gatehouse.agent.internal.reconcile;

import io.gatehouse.agent.internal.manifest.ModuleDefinition;
import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.agent.internal.restart.RestartStats;
import io.gatehouse.api.module.ModuleState;

/**
 * One module as the agent reports it after a pass.
 *
 * @param desired its definition in the deployment, or null for a module the runtime still holds
 * @param current what its runtime says, or null when no runtime holds it
 * @param status the reported {@code runtimeStatus}: the runtime's, or backoff/failed from the policy
 */
public record ModuleReport(String name, ModuleDefinition desired, ModuleState current, ModuleStatus status,
        String description, RestartStats stats) {
}
