package io.gatehouse.api.module;

/** What a runtime knows of a module, as the reference's {@code runtimeStatus} values. */
public enum RuntimeStatus {
    /** Created and never started, or its state cannot be told. */
    UNKNOWN,
    RUNNING,
    /** Exited with code 0, or stopped on request. */
    STOPPED,
    /** Exited with a code other than 0, or could not be started. */
    FAILED
}
