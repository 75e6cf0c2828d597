package io.gatehouse.agent.internal;

import io.gatehouse.agent.internal.reconcile.ModuleIdentities;
import io.gatehouse.api.identity.Identity;
import io.gatehouse.api.identity.IdentityExistsException;
import io.gatehouse.api.identity.IdentityId;
import io.gatehouse.api.identity.IdentityRegistry;
import io.gatehouse.api.module.ModuleRuntimeException;
import java.util.function.Supplier;

/** Module identities in the hub's registry, which may be away while its bundle is updated. */
final class RegistryModuleIdentities implements ModuleIdentities {
    private final Supplier<IdentityRegistry> registry;
    private final String deviceId;

    RegistryModuleIdentities(Supplier<IdentityRegistry> registry, String deviceId) {
        this.registry = registry;
        this.deviceId = deviceId;
    }

    @Override
    public Identity ensure(String module) throws ModuleRuntimeException {
        IdentityRegistry r = registry();
        IdentityId id = IdentityId.module(deviceId, module);
        try {
            return r.get(id).orElseGet(() -> r.add(id, null, null));
        } catch (IdentityExistsException e) {
            return r.get(id).orElseThrow(() -> new ModuleRuntimeException("the identity " + id + " vanished while created"));
        } catch (IllegalArgumentException e) {
            throw new ModuleRuntimeException("no identity can be registered for module '" + module + "': " + e.getMessage());
        }
    }

    @Override
    public void remove(String module) throws ModuleRuntimeException {
        registry().remove(IdentityId.module(deviceId, module));
    }

    private IdentityRegistry registry() throws ModuleRuntimeException {
        IdentityRegistry r = registry.get();
        if (r == null) {
            throw new ModuleRuntimeException("the module identity could not be obtained: the identity registry "
                    + "(bundle io.gatehouse.auth) is not active");
        }
        return r;
    }
}
