package io.gatehouse.agent.internal.restart;

/** What the agent does to one module on this pass. */
public enum ModuleAction {
    NONE,
    START,
    STOP,
    /** Stop (if needed) and start, then store {@link RestartStats#restarted}. */
    RESTART
}
