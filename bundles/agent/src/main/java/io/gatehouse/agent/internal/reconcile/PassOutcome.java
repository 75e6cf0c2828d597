package io.gatehouse.agent.internal.reconcile;

import java.time.Duration;
import java.util.List;

/**
 * What one reconcile pass found and did.
 *
 * @param code the reference's lastDesiredStatus code: 200 when every step succeeded, 500 otherwise
 * @param failures the modules that failed in this pass (a step refused, or the module exited with
 *        an error), with the reason; what a rollback looks at
 * @param nextPass when the next pass is due (a backoff or a retry ends), at the latest
 */
public record PassOutcome(int code, String description, List<ModuleReport> modules, List<String> failures,
        Duration nextPass) {
    public PassOutcome {
        modules = List.copyOf(modules);
        failures = List.copyOf(failures);
    }
}
