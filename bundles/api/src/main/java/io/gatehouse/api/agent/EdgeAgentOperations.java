package io.gatehouse.api.agent;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.NoSuchModuleException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What operators ask of the agent: its reported state, and a module's logs or a restart. */
@ProviderType
public interface EdgeAgentOperations {

    /**
     * The {@code $edgeAgent} reported properties (the reference's layout: schemaVersion, version,
     * lastDesiredVersion, lastDesiredStatus, runtime, systemModules, modules), as JSON, plus a
     * {@code deployments} section with the history of applied deployments and rollbacks.
     */
    String reportedProperties();

    /** The last {@code tail} lines the module wrote. */
    List<String> logs(String module, int tail) throws NoSuchModuleException, ModuleRuntimeException;

    /** Stops and starts the module now (the reference's RestartModule direct method). */
    void restart(String module) throws NoSuchModuleException, ModuleRuntimeException;
}
