package io.gatehouse.agent.internal.restart;

import io.gatehouse.agent.internal.manifest.ModuleStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * The restart policy's answer for one module.
 *
 * @param status the status to report (backoff and failed come from the policy, not the runtime)
 * @param resetStats the module has been healthy long enough: store {@link RestartStats#NONE}
 * @param restartIn for a module waiting in backoff, how long until it restarts; otherwise zero
 * @param reason why, for the log and the module's statusDescription
 */
public record RestartDecision(ModuleAction action, ModuleStatus status, boolean resetStats, Duration restartIn,
        String reason) {

    public RestartDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(restartIn, "restartIn");
        Objects.requireNonNull(reason, "reason");
    }
}
