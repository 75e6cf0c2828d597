package io.gatehouse.supervisor.bundle.internal;

import io.gatehouse.api.module.ModuleState;
import io.gatehouse.api.module.RuntimeStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One module this runtime installed, and what it knows of it beyond the bundle's own state. Its
 * monitor guards the recorded state, which is written to disk on every change.
 */
final class ModuleEntry {

    static final int FAILED_EXIT_CODE = 1;
    private static final Logger LOG = LoggerFactory.getLogger(ModuleEntry.class);

    final String name;
    final long bundleId;
    final LifecycleLog log;
    private final Path recordFile;

    /**
     * Set while the runtime itself changes the bundle, so that the bundle events this causes are
     * not taken for something done from outside. Read on framework threads.
     */
    volatile boolean busy;
    /**
     * Between a STARTING and a STARTED event of a start not made by the runtime: a STOPPED event
     * then means the activator failed, not that the module ran and stopped.
     */
    volatile boolean activating;

    private String version;
    private RuntimeStatus status = RuntimeStatus.UNKNOWN;
    private Integer exitCode;
    private Instant lastStartTime;
    private Instant lastExitTime;
    private String statusDescription;
    private boolean waitingForFramework;

    ModuleEntry(String name, long bundleId, Path recordDirectory) {
        this.name = name;
        this.bundleId = bundleId;
        this.recordFile = recordFile(recordDirectory, name);
        this.log = new LifecycleLog(logFile(recordDirectory, name));
    }

    static Path recordFile(Path recordDirectory, String name) {
        return recordDirectory.resolve(name + ".properties");
    }

    static Path logFile(Path recordDirectory, String name) {
        return recordDirectory.resolve(name + ".log");
    }

    synchronized RuntimeStatus status() {
        return status;
    }

    /** Installed or updated from a new spec: its state starts afresh. */
    synchronized void created(String specVersion, String description) {
        waitingForFramework = false;
        version = specVersion;
        status = RuntimeStatus.UNKNOWN;
        exitCode = null;
        lastStartTime = null;
        lastExitTime = null;
        statusDescription = description;
        persist();
    }

    synchronized void running(Instant at) {
        waitingForFramework = false;
        status = RuntimeStatus.RUNNING;
        lastStartTime = at;
        statusDescription = null;
        persist();
    }

    synchronized void stopped(Instant at, String description) {
        waitingForFramework = false;
        status = RuntimeStatus.STOPPED;
        exitCode = 0;
        lastExitTime = at;
        statusDescription = description;
        persist();
    }

    /** A start that failed, or a bundle the framework could not start. */
    synchronized void failed(Instant at, String reason) {
        waitingForFramework = false;
        status = RuntimeStatus.FAILED;
        exitCode = FAILED_EXIT_CODE;
        lastExitTime = at;
        statusDescription = reason;
        persist();
    }

    /** Known to be meant to run, but not running yet (the framework is still starting bundles). */
    synchronized void waiting(String description) {
        waitingForFramework = true;
        status = RuntimeStatus.UNKNOWN;
        statusDescription = description;
        persist();
    }

    synchronized boolean isWaitingForFramework() {
        return waitingForFramework;
    }

    /** Takes over what an earlier instance recorded. */
    synchronized void restore(ModuleState recorded) {
        version = recorded.version();
        status = recorded.status();
        exitCode = recorded.exitCode();
        lastStartTime = recorded.lastStartTime();
        lastExitTime = recorded.lastExitTime();
        statusDescription = recorded.statusDescription();
    }

    /** The state as the agent sees it: the recorded one, corrected by what the bundle does now. */
    synchronized ModuleState state(Bundle bundle) {
        RuntimeStatus shown = status;
        String description = statusDescription;
        Integer code = exitCode;
        Instant exit = lastExitTime;
        int live = bundle.getState();
        if (isRunning(live)) {
            shown = RuntimeStatus.RUNNING;
            description = "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " (id "
                    + bundle.getBundleId() + ") is " + (live == Bundle.STARTING
                            ? "waiting for its first use (lazy activation)"
                            : live == Bundle.STOPPING ? "stopping" : "active");
        } else if (status == RuntimeStatus.RUNNING && !busy) {
            // stopped without an event reaching the runtime
            shown = RuntimeStatus.STOPPED;
            description = "the bundle is no longer active";
            code = 0;
        }
        return new ModuleState(name, BundleSettings.TYPE, version, shown, code, lastStartTime, exit, description);
    }

    synchronized ModuleState recorded() {
        return new ModuleState(name, BundleSettings.TYPE, version, status, exitCode, lastStartTime, lastExitTime,
                statusDescription);
    }

    /** Forgets the module's record and lifecycle log. */
    void delete() throws IOException {
        ModuleRecord.delete(recordFile);
        log.delete();
    }

    private void persist() {
        try {
            ModuleRecord.write(recordFile, recorded());
        } catch (IOException e) {
            // the module runs on; only its state after a restart is less precise
            LOG.warn("Cannot record the state of module {} in {}: {}", name, recordFile, e.toString());
        }
    }

    static boolean isRunning(int bundleState) {
        return bundleState == Bundle.ACTIVE || bundleState == Bundle.STARTING || bundleState == Bundle.STOPPING;
    }
}
