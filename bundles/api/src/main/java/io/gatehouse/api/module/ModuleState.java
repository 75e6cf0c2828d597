package io.gatehouse.api.module;

import java.time.Instant;

/**
 * One module as its runtime sees it.
 *
 * @param exitCode the code of its last exit, or null when it has not exited since it was created
 * @param lastStartTime null when never started
 * @param lastExitTime null when it has not exited since it was created
 * @param statusDescription a reason a person can act on (why it failed, what it is waiting for)
 */
public record ModuleState(String name, String type, String version, RuntimeStatus status, Integer exitCode,
        Instant lastStartTime, Instant lastExitTime, String statusDescription) {
}
