package io.gatehouse.api.module;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs the modules of one type. Registered as a service with the property {@link #TYPE_PROPERTY}
 * set to {@link #type()}. The agent decides what should run and when; a runtime only does what it
 * is asked and reports what it sees. Every call is safe from any thread.
 */
@ConsumerType
public interface ModuleRuntime {

    /** Service property naming the module type a runtime runs. */
    String TYPE_PROPERTY = "gatehouse.module.type";

    /** The module type this runtime runs, as in a manifest's {@code type}. */
    String type();

    /**
     * Prepares the module to run (a stopped module replaced if one of that name exists) without
     * starting it. A spec this runtime cannot run is refused with the reason, and nothing changes.
     */
    void create(ModuleSpec spec) throws ModuleRuntimeException;

    /** Starts a created or stopped module; starting a running one changes nothing. */
    void start(String name) throws ModuleRuntimeException;

    /**
     * Asks the module to stop (SIGTERM, {@code docker stop}, …) and forces it once {@code timeout}
     * has passed; returns when it has stopped. Stopping a module that does not run changes nothing.
     */
    void stop(String name, Duration timeout) throws ModuleRuntimeException;

    /** Stops the module if it runs and forgets it, its logs included. */
    void remove(String name) throws ModuleRuntimeException;

    /**
     * Every module this runtime holds.
     *
     * @throws IllegalStateException when the runtime cannot tell (its engine does not answer): an
     *         empty list would read as "none", and the agent would create them again
     */
    List<ModuleState> modules();

    /** One module, or empty when this runtime holds none of that name. */
    Optional<ModuleState> module(String name);

    /** The last {@code tail} lines the module wrote (output and errors, in the order written). */
    List<String> logs(String name, int tail) throws ModuleRuntimeException;
}
