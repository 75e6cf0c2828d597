package io.gatehouse.agent.internal.reconcile;

import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.module.ModuleRuntimeException;

/** The registry entries of deployed modules: created with the module, deleted with it. */
public interface ModuleIdentities {

    /** The module's identity, registered now if it has none. */
    Identity ensure(String module) throws ModuleRuntimeException;

    /** Deletes the module's identity; nothing happens when it has none. */
    void remove(String module) throws ModuleRuntimeException;
}
