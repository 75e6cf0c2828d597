package io.gatehouse.agent.internal.restart;

import io.gatehouse.agent.internal.manifest.ModuleStatus;
import io.gatehouse.agent.internal.manifest.RestartPolicy;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides, for a module the deployment leaves unchanged, whether to start, stop or restart it,
 * following the reference's restart policy (RestartPolicyManager and HealthRestartPlanner): a module
 * that should run but does not goes into backoff, is restarted once its cool-off
 * {@code min(unit × 2^restartCount, max)} has passed since it exited, and is given up on (failed)
 * after {@code maxRestartCount} restarts. Pure: the clock is the only input beyond the arguments.
 *
 * <p>Gatehouse has no health probes yet, so no module is ever unhealthy and {@code on-unhealthy}
 * behaves as {@code on-failure}.
 */
public final class RestartPolicyManager {

    private final RestartSettings settings;
    private final Clock clock;

    public RestartPolicyManager(RestartSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public RestartSettings settings() {
        return settings;
    }

    /** The runtime's view in the reference's vocabulary. */
    public static ModuleStatus fromRuntime(RuntimeStatus status) {
        return switch (status) {
            case RUNNING -> ModuleStatus.RUNNING;
            case STOPPED -> ModuleStatus.STOPPED;
            case FAILED -> ModuleStatus.FAILED;
            case UNKNOWN -> ModuleStatus.UNKNOWN;
        };
    }

    /**
     * The reference's ComputeModuleStatusFromRestartPolicy: a module that is not running and that
     * its policy restarts (always; or on-failure / on-unhealthy after a failure) is in backoff, or
     * failed once {@code restartCount} reached the maximum. Anything else, dead included, keeps
     * its status.
     */
    public ModuleStatus statusFromPolicy(RestartPolicy policy, ModuleStatus status, int restartCount) {
        if (!restarts(policy, status)) return status;
        return restartCount >= settings.maxRestartCount() ? ModuleStatus.FAILED : ModuleStatus.BACKOFF;
    }

    private static boolean restarts(RestartPolicy policy, ModuleStatus status) {
        if (status == ModuleStatus.RUNNING || status == ModuleStatus.DEAD) return false;
        return policy.compareTo(RestartPolicy.NEVER) > 0
                && (policy == RestartPolicy.ALWAYS || status == ModuleStatus.FAILED || status == ModuleStatus.UNHEALTHY);
    }

    /** How long a module restarted {@code restartCount} times waits before its next restart. */
    public Duration coolOff(int restartCount) {
        Duration max = settings.maxCoolOff();
        Duration unit = settings.coolOffTimeUnit();
        if (unit.isZero()) return Duration.ZERO;
        // Doubling past the cap is pointless and would overflow for large counts.
        Duration d = unit;
        for (int i = 0; i < restartCount; i++) {
            d = d.multipliedBy(2);
            if (d.compareTo(max) >= 0) return max;
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /**
     * How long until a module in backoff restarts: zero when {@code now − since > coolOff}, or when
     * {@code since} lies in the future (a clock that jumped back must not park a module for hours),
     * or when it is unknown.
     */
    public Duration restartIn(int restartCount, Instant since) {
        if (since == null) return Duration.ZERO;
        Instant now = clock.instant();
        if (since.isAfter(now)) return Duration.ZERO;
        Duration left = coolOff(restartCount).minus(Duration.between(since, now));
        // The reference restarts only once strictly more than the cool-off has passed.
        return left.isNegative() ? Duration.ZERO : left.isZero() ? Duration.ofNanos(1) : left;
    }

    /** Has a running module, started at {@code lastStartTime}, run long enough to forget its restarts? */
    public boolean outOfIntensiveCare(Instant lastStartTime) {
        return lastStartTime != null
                && Duration.between(lastStartTime, clock.instant()).compareTo(settings.intensiveCareTime()) > 0;
    }

    /**
     * What to do with a module whose configuration is unchanged.
     *
     * @param desired {@link ModuleStatus#RUNNING} or {@link ModuleStatus#STOPPED}
     * @param current the runtime's view of the module
     * @param stats what the agent stored of its restarts
     */
    public RestartDecision decide(ModuleStatus desired, RestartPolicy policy, ModuleState current, RestartStats stats) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(stats, "stats");
        String name = current.name();
        ModuleStatus runtime = fromRuntime(current.status());

        if (desired == ModuleStatus.STOPPED) {
            if (runtime == ModuleStatus.RUNNING) {
                return decision(ModuleAction.STOP, ModuleStatus.RUNNING, "Module '" + name + "' is desired stopped");
            }
            return decision(ModuleAction.NONE, runtime, "Module '" + name + "' is stopped as desired");
        }
        if (desired != ModuleStatus.RUNNING) {
            throw new IllegalArgumentException("a desired status is running or stopped, not " + desired.jsonName());
        }

        if (runtime == ModuleStatus.RUNNING) {
            boolean reset = (stats.restartCount() > 0 || stats.lastRestartTime() != null)
                    && outOfIntensiveCare(current.lastStartTime());
            return new RestartDecision(ModuleAction.NONE, ModuleStatus.RUNNING, reset, Duration.ZERO,
                    reset ? "Module '" + name + "' has run for more than " + settings.intensiveCareTime().toMinutes()
                            + " min; its restart count is cleared" : "Module '" + name + "' is running");
        }

        // Created but never started (not a failed start: that goes through the policy below).
        if (current.lastStartTime() == null && runtime != ModuleStatus.FAILED) {
            return decision(ModuleAction.START, runtime, "Module '" + name + "' has never been started");
        }

        // Deliberate difference: the reference also starts an on-failure/on-unhealthy module that
        // exited with 0, at once and without counting it, which restarts such a module every pass
        // with no backoff. A clean exit is not a failure, so here it stays stopped.
        if (!restarts(policy, runtime)) {
            return decision(ModuleAction.NONE, runtime, "Module '" + name + "' is " + runtime.jsonName()
                    + " and restartPolicy " + policy.jsonName() + " does not restart it"
                    + (runtime == ModuleStatus.STOPPED ? " after a clean exit" : ""));
        }
        if (statusFromPolicy(policy, runtime, stats.restartCount()) == ModuleStatus.FAILED) {
            return decision(ModuleAction.NONE, ModuleStatus.FAILED, "Module '" + name + "' was restarted "
                    + stats.restartCount() + " times; the agent gave up restarting it");
        }
        Instant since = current.lastExitTime() != null ? current.lastExitTime() : stats.lastRestartTime();
        Duration left = restartIn(stats.restartCount(), since);
        if (left.isZero()) {
            return decision(ModuleAction.RESTART, ModuleStatus.BACKOFF, "Module '" + name + "' restarts (restart "
                    + (stats.restartCount() + 1) + " of at most " + settings.maxRestartCount() + ")");
        }
        return new RestartDecision(ModuleAction.NONE, ModuleStatus.BACKOFF, false, left, "Module '" + name
                + "' scheduled to restart after " + coolOff(stats.restartCount()).toSeconds() + "s ("
                + Math.max(1, (left.toMillis() + 999) / 1000) + "s left)");
    }

    private static RestartDecision decision(ModuleAction action, ModuleStatus status, String reason) {
        return new RestartDecision(action, status, false, Duration.ZERO, reason);
    }
}
