package io.gatehouse.supervisor.process.internal;

import io.gatehouse.api.module.ModuleSpec;
import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.time.Instant;

/**
 * One module this runtime holds, from create to remove (a replacement is a new instance). Its
 * monitor guards every mutable field; the runtime holds it for compound steps, never while it
 * waits for a process.
 */
final class ManagedModule {

    final ModuleSpec spec;
    final ProcessSettings settings;
    final ModuleLog log;

    private ProcessRun run;
    private RuntimeStatus status = RuntimeStatus.UNKNOWN;
    private Integer exitCode;
    private Instant lastStartTime;
    private Instant lastExitTime;
    private String statusDescription = "created, not started";
    /** Replaced by a newer spec or removed: no longer in the runtime's map, must not start. */
    private boolean retired;
    private boolean removing;

    ManagedModule(ModuleSpec spec, ProcessSettings settings, ModuleLog log) {
        this.spec = spec;
        this.settings = settings;
        this.log = log;
    }

    String name() {
        return spec.name();
    }

    synchronized ProcessRun run() {
        return run;
    }

    synchronized boolean isRunning() {
        return run != null;
    }

    synchronized boolean isRetired() {
        return retired;
    }

    synchronized void retire() {
        retired = true;
    }

    synchronized boolean isRemoving() {
        return removing;
    }

    synchronized void markRemoving() {
        removing = true;
    }

    synchronized void clearRemoving() {
        removing = false;
    }

    synchronized void started(ProcessRun started, Instant at) {
        run = started;
        status = RuntimeStatus.RUNNING;
        lastStartTime = at;
        statusDescription = "running as pid " + started.process.pid();
    }

    synchronized void failedToStart(String reason, Instant at) {
        run = null;
        status = RuntimeStatus.FAILED;
        lastStartTime = at;
        statusDescription = reason;
    }

    /** Records the exit of {@code ended}; a stale run (already replaced) changes nothing. */
    synchronized void exited(ProcessRun ended, int code, Instant at) {
        if (run != ended) return;
        run = null;
        exitCode = code;
        lastExitTime = at;
        if (ended.stopRequested) {
            status = RuntimeStatus.STOPPED;
            statusDescription = ended.forced
                    ? "stopped on request, killed after it did not exit within " + ended.stopTimeout.toMillis()
                            + " ms of SIGTERM (exit code " + code + ")"
                    : "stopped on request (exit code " + code + ")";
        } else {
            status = code == 0 ? RuntimeStatus.STOPPED : RuntimeStatus.FAILED;
            statusDescription = "exited with code " + code;
        }
    }

    synchronized ModuleState state() {
        return new ModuleState(spec.name(), spec.type(), spec.version(), status, exitCode, lastStartTime,
                lastExitTime, statusDescription);
    }
}
